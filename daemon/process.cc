#include "daemon/process.h"

#include <random>

#include "build_info.h"
#include "config/value_syntax.h"
#include "core/stop_signal.h"
#include "daemon/admin_server.h"
#include "daemon/arm_stack.h"
#include "daemon/configuration.h"
#include "daemon/coordination_stack.h"
#include "daemon/dns_stack.h"
#include "daemon/etcd_stack.h"
#include "daemon/work_threads.h"
#include "log/event.h"
#include "probe/prober.h"
#include "reconcile/action_executor.h"
#include "reconcile/container_group_api.h"
#include "state/state_store.h"
#include "status/status_board.h"

namespace frankenetes::daemon {

// The object graph, in construction order; destroyed in reverse, so the threads go before
// what their work uses, and the reconciler and DNS before the threads they submit to.
struct ProcessGraph {
  explicit ProcessGraph(const ProcessDeps& deps)
      : threads(deps.metrics, deps.scheduler, deps.once) {}
  // The prober's asynchronous clients call back into the reconciler from their own threads:
  // they stop before anything is destroyed.
  ~ProcessGraph() {
    if (prober) prober->stop();
  }
  ProcessGraph(const ProcessGraph&) = delete;
  ProcessGraph& operator=(const ProcessGraph&) = delete;

  core::StopSignal stop_signal;
  std::mt19937_64 random{std::random_device{}()};
  std::uniform_real_distribution<double> jitter{0.0, 1.0};
  std::unique_ptr<ArmStack> arm;
  // Null without a coordination section; its gate outlives everything that asks it.
  std::unique_ptr<CoordinationStack> coordination;
  reconcile::ActGate may_act;  // empty without coordination: every cluster
  std::unique_ptr<reconcile::AciContainerGroupApi> api;
  std::unique_ptr<probe::Prober> prober;
  std::unique_ptr<state::StateStore> state;
  std::unique_ptr<reconcile::AciActionExecutor> real_executor;
  reconcile::DryRunExecutor dry_run_executor;
  std::unique_ptr<reconcile::PolicyExecutor> executor;
  std::unique_ptr<EtcdStack> etcd;
  std::unique_ptr<status::StatusBoard> status_board;  // /status: filled by reconciler and DNS
  WorkThreads threads;
  std::unique_ptr<reconcile::Reconciler> reconciler;
  std::unique_ptr<DnsStack> dns;
};

Process::Process(ProcessDeps deps) : deps_(std::move(deps)) {}

Process::~Process() = default;

ConfigureResult Process::init(std::shared_ptr<const config::Config> config) {
  configure_logging(config->log, deps_.log_level);
  auto probe_clients = deps_.http_clients.probe_clients(*config, deps_.config_path, !deps_.once);
  if (!probe_clients.ok()) return ConfigureResult::refused(std::move(probe_clients.problems));
  log_probe_tls_warnings(*config);
  log_secret_file_warnings(*config);
  auto credentials = load_admin_credentials(config->server, deps_.config_path, /*read_tls=*/true);
  if (!credentials.problems.empty()) return ConfigureResult::refused(std::move(credentials.problems));
  credentials_ = std::move(credentials);
  // Every component's series exists from the start, so alerts see a zero, not a gap.
  for (const char* component : {"scheduler", "worker:reads", "worker:probes", "worker:actions",
                                "worker:dns", "worker:snapshots", "worker:inline", "dns_sync", "http_server"}) {
    deps_.metrics.boundary_declared(component);
  }
  config_ = std::move(config);
  if (auto error = build(std::move(probe_clients.clients))) return ConfigureResult::failed(*error);
  return {};
}

// Kea's rule: whatever can fail is built before anything is swapped.
ConfigureResult Process::configure(std::shared_ptr<const config::Config> next) {
  // The probe CA files are read again on every reload (a rotated CA takes effect on SIGHUP).
  auto probe_clients = deps_.http_clients.probe_clients(*next, deps_.config_path, !deps_.once);
  if (!probe_clients.ok()) return ConfigureResult::refused(std::move(probe_clients.problems));
  // The admin token is read again on every reload (a rotated token takes effect on SIGHUP).
  auto credentials = load_admin_credentials(next->server, deps_.config_path, /*read_tls=*/false);
  if (credentials.problems.empty() && credentials.token && !credentials_.tls &&
      !config::is_loopback_host(config_->server.listen.host)) {
    // The listener keeps its address and TLS until a restart: never turn the admin API on
    // over plain HTTP on a network address, whatever the new file says about listen and tls.
    credentials.problems.push_back(
        {deps_.config_path, 0, 0,
         next->server.admin_token->file ? "server.adminTokenFile" : "server.adminToken",
         "the running listener " + config_->server.listen.to_string() +
             " is not loopback and has no TLS: the admin API can be turned on there only by a "
             "restart with server.tls"});
  }
  if (!credentials.problems.empty()) return ConfigureResult::refused(std::move(credentials.problems));
  log_probe_tls_warnings(*next);
  log_secret_file_warnings(*next);
  // Before the reconciler gets the configuration that needs them.
  graph_->prober->set_clients(std::move(probe_clients.clients));
  credentials_.token = std::move(credentials.token);
  if (server_) server_->set_admin_token(credentials_.token);
  if (*next == *config_) return ConfigureResult::taken(false);
  if (next->server.listen != config_->server.listen) {
    log::warn("config.reload.restart_required", {{"key", "server.listen"},
                                                 {"running", config_->server.listen.to_string()},
                                                 {"configured", next->server.listen.to_string()}});
  }
  if (next->server.tls != config_->server.tls) {
    log::warn("config.reload.restart_required",
              {{"key", "server.tls"}, {"action", "the listener keeps its TLS setting until a restart"}});
  }
  if (next->storage != config_->storage ||
      next->etcd.snapshots.enabled != config_->etcd.snapshots.enabled) {
    log::warn("config.reload.restart_required",
              {{"key", "storage, etcd.snapshots.enabled"},
               {"action", "the running Blob Storage client stays until a restart"}});
  }
  if (next->etcd.auto_restore && graph_->etcd->restorer() == nullptr) {
    log::warn("config.reload.restart_required",
              {{"key", "etcd.autoRestore"},
               {"action", "no automatic restore until a restart builds the restorer"}});
  }
  if (next->coordination != config_->coordination) {
    log::warn("config.reload.restart_required",
              {{"key", "coordination"},
               {"action", "the running replica keeps its lease settings until a restart"}});
  }
  if (next->azure != config_->azure) {
    log::warn("config.reload.restart_required",
              {{"key", "azure"}, {"action", "keeping the running ARM client and credential"}});
  }
  config_ = std::move(next);
  configure_logging(config_->log, deps_.log_level);
  if (graph_->coordination) graph_->coordination->set_clusters(*config_);
  graph_->reconciler->update_config(config_);
  graph_->dns->configure(config_);
  return ConfigureResult::taken(true);
}

std::optional<core::Error> Process::build(
    std::shared_ptr<const probe::ProbeClients> probe_clients) {
  graph_ = std::make_unique<ProcessGraph>(deps_);
  auto& g = *graph_;
  auto arm = ArmStack::create(*config_, {.clients = deps_.http_clients,
                                         .time = deps_.time,
                                         .stop_signal = g.stop_signal,
                                         .metrics = deps_.metrics,
                                         .environment = deps_.environment});
  if (!arm.ok()) return arm.error();
  g.arm = std::move(arm.value());
  auto coordination = CoordinationStack::create(
      *config_,
      {.clients = deps_.http_clients, .arm = *g.arm, .time = deps_.time, .metrics = deps_.metrics});
  if (!coordination.ok()) return coordination.error();
  g.coordination = std::move(coordination.value());
  if (g.coordination) g.may_act = g.coordination->gate();
  g.api = std::make_unique<reconcile::AciContainerGroupApi>(g.arm->aci());
  g.prober = std::make_unique<probe::Prober>(std::move(probe_clients), deps_.time);

  auto store = state::StateStore::open(config_->state_directory, deps_.time);
  if (!store.ok()) return store.error();
  g.state = std::move(store.value());
  g.real_executor = std::make_unique<reconcile::AciActionExecutor>(
      *g.api, deps_.time, g.stop_signal, [&g] { return g.stop_signal.stop_requested(); },
      g.state.get(), reconcile::RecreatePacing{}, g.may_act);
  g.executor = std::make_unique<reconcile::PolicyExecutor>(*g.real_executor, g.dry_run_executor);
  auto etcd = EtcdStack::create(*config_, {.clients = deps_.http_clients,
                                           .arm = *g.arm,
                                           .time = deps_.time,
                                           .stop_signal = g.stop_signal,
                                           .may_act = g.may_act});
  if (!etcd.ok()) return etcd.error();
  g.etcd = std::move(etcd.value());
  g.status_board = std::make_unique<status::StatusBoard>(
      deps_.time,
      status::StatusBoard::Settings{
          .build = {build::kVersion, build::kGitCommit, build::kBuildType},
          .arm = [&g] { return g.arm->budget(); },
          .coordination = g.coordination ? std::function<status::CoordinationStatus()>(
                                               [&g] { return g.coordination->status(); })
                                         : nullptr,
      });

  g.reconciler = std::make_unique<reconcile::Reconciler>(
      reconcile::ReconcilerDeps{
          .scheduler = g.threads.scheduler(),
          .reads = g.threads.reads(),
          .probes = g.threads.probes(),
          .actions = g.threads.actions(),
          .api = *g.api,
          .executor = *g.executor,
          .prober = g.prober.get(),
          .probe_batch_window = deps_.once ? core::Duration(0) : kProbeBatchWindow,
          .time = deps_.time,
          .metrics = deps_.metrics,
          .probe_metrics = deps_.metrics,
          .defer_reads =
              [&g](const std::string& subscription) {
                return g.arm->tracker().should_defer_nonessential(subscription);
              },
          .unit_random = [&g] { return g.jitter(g.random); },
          .state = g.state.get(),
          .snapshots_worker = &g.threads.snapshots(),
          .snapshotter = g.etcd->snapshotter(),
          .restorer = g.etcd->restorer(),
          .etcd_status = &g.etcd->status_reader(),
          .etcd_metrics = deps_.metrics,
          .status = *g.status_board,
          .may_act = g.may_act,
          .publish_history = g.coordination
                                 ? std::function<void(const std::string&, plan::History)>(
                                       [&g](const std::string& cluster, plan::History part) {
                                         g.coordination->publish_history(cluster, std::move(part));
                                       })
                                 : nullptr,
      },
      config_);
  g.reconciler->restore(g.state->load());
  if (g.coordination) {
    g.coordination->set_history_merge([&g](const std::string& cluster,
                                           std::optional<plan::History> remote,
                                           std::function<void()> done) {
      g.reconciler->merge_cluster_history(cluster, std::move(remote), std::move(done));
    });
  }

  auto dns = DnsStack::create(config_, {.clients = deps_.http_clients,
                                        .arm = *g.arm,
                                        .time = deps_.time,
                                        .stop_signal = g.stop_signal,
                                        .querier = deps_.dns_querier,
                                        .worker = g.threads.dns(),
                                        .metrics = deps_.metrics,
                                        .error_metrics = deps_.metrics,
                                        .status = *g.status_board,
                                        .may_act = g.may_act});
  if (!dns.ok()) return dns.error();
  g.dns = std::move(dns.value());
  g.reconciler->on_observations([&g](std::shared_ptr<const model::Observations> observed) {
    g.dns->observe(std::move(observed));
  });
  return std::nullopt;
}

core::Status Process::start() {
  auto& reconciler = *graph_->reconciler;
  server_ = std::make_unique<AdminServer>(
      deps_.io, deps_.metrics,
      std::vector<status::HealthCheck>{{"ping", [] { return status::CheckResult::pass(); }},
                                       {"loop", [&reconciler] { return reconciler.liveness(); }}},
      std::vector<status::HealthCheck>{
          {"config",
           [this] {
             return config_ ? status::CheckResult::pass()
                            : status::CheckResult::fail("no configuration loaded");
           }},
          {"shutdown",
           [this] {
             return stopping_ ? status::CheckResult::fail("the daemon is shutting down")
                              : status::CheckResult::pass();
           }},
          {"observation", [&reconciler] { return reconciler.readiness(); }},
          {"operations", [&reconciler] { return reconciler.operations(); }},
          {"etcd_data", [&reconciler] { return reconciler.etcd_data(); }}},
      *graph_->status_board,
      [&reconciler](status::AdminCommand command,
                    std::function<void(status::AdminCommandResult)> done) {
        if (command.kind == status::AdminCommand::Kind::kReconcile) {
          reconciler.request_pass(std::move(command.remote), std::move(done));
          return;
        }
        reconciler.set_paused({command.cluster, command.member},
                              command.kind == status::AdminCommand::Kind::kPause,
                              std::move(command.remote), std::move(done));
      });
  if (auto started = server_->start(config_->server, credentials_); !started.ok()) return started;
  listen_address_ = server_->address();

  log::info("daemon.started", {{"version", build::kVersion},
                               {"commit", build::kGitCommit},
                               {"config", deps_.config_path},
                               {"clusters", static_cast<unsigned long>(config_->clusters.size())},
                               {"members", static_cast<unsigned long>(member_count(*config_))},
                               {"dry_run", config_->policy.dry_run}});
  graph_->threads.start();
  if (graph_->coordination) graph_->coordination->start();
  reconciler.start();
  return {};
}

bool Process::run_once() {
  log::info("daemon.once", {{"version", build::kVersion},
                            {"config", deps_.config_path},
                            {"members", static_cast<unsigned long>(member_count(*config_))},
                            {"dry_run", config_->policy.dry_run}});
  if (graph_->coordination) {
    log::warn("coordination.once", {{"replica", graph_->coordination->replica_id()},
                                    {"action", "--once takes no lease: nothing is acted on"}});
  }
  const bool observed = graph_->reconciler->run_once();
  log::info("daemon.once.done", {{"observation", observed ? "ok" : "failed"},
                                 {"error", graph_->reconciler->summary().last_error}});
  join(std::chrono::steady_clock::now() + kShutdownDeadline);
  return observed;
}

void Process::on_pass(std::function<void(const reconcile::ReconcilerSummary&)> callback) {
  graph_->reconciler->on_pass(std::move(callback));
}

void Process::stop() {
  stopping_ = true;
  request_stop();
  if (server_) server_->stop();
}

void Process::request_stop() {
  graph_->reconciler->stop();
  graph_->dns->stop();
  graph_->stop_signal.request_stop();
  // Stops acting at once, then hands the leases over (release_all) on its own thread.
  if (graph_->coordination) graph_->coordination->stop();
}

bool Process::join(std::chrono::steady_clock::time_point deadline) {
  request_stop();
  const bool threads = graph_->threads.stop(deadline);
  graph_->prober->stop();  // its I/O threads: probes in flight are abandoned
  const bool coordination = !graph_->coordination || graph_->coordination->join(deadline);
  return threads && coordination;
}

status::CheckResult Process::liveness() const { return graph_->reconciler->liveness(); }

reconcile::ReconcilerSummary Process::summary() const { return graph_->reconciler->summary(); }

}  // namespace frankenetes::daemon
