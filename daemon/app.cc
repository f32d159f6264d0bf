#include "daemon/app.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <stop_token>
#include <thread>

#include <boost/asio/post.hpp>

#include "azure/aci_client.h"
#include "azure/arm_paths.h"
#include "azure/credential_factory.h"
#include "azure/credential_reauthorizing_transport.h"
#include "azure/group_spec.h"
#include "azure/throttle_tracker.h"
#include "build_info.h"
#include "config/config.h"
#include "core/stop_signal.h"
#include "dns/provider_factory.h"
#include "dns/verifier.h"
#include "daemon/systemd_notifier.h"
#include "http/client.h"
#include "http/observing_transport.h"
#include "http/retry_budget.h"
#include "http/retrying_transport.h"
#include "http/server.h"
#include "http/stop_aware_transport.h"
#include "http/throttle_gate.h"
#include "log/event.h"
#include "probe/probe_clients.h"
#include "probe/prober.h"
#include "reconcile/action_executor.h"
#include "reconcile/container_group_api.h"
#include "reconcile/dns_sync.h"
#include "reconcile/internal_error.h"
#include "reconcile/reconciler.h"
#include "reconcile/scheduler.h"
#include "reconcile/worker.h"
#include "state/state_store.h"
#include "status/admin_router.h"
#include "status/metrics.h"

namespace frankenetes::daemon {
namespace {

namespace asio = boost::asio;
using std::chrono::seconds;

// SIGTERM must end the process within 5 s (systemd's default stop timeout is longer, but
// operators and container runtimes expect promptness). In-flight HTTP responses get until
// this deadline, then the event loop is stopped regardless.
constexpr auto kShutdownDeadline = std::chrono::milliseconds(4000);
// READY=1 waits for the first observation pass at most this long.
constexpr auto kReadyWait = std::chrono::seconds(5);

log::Level to_log_level(config::LogLevel level) {
  switch (level) {
    case config::LogLevel::kTrace: return log::Level::kTrace;
    case config::LogLevel::kDebug: return log::Level::kDebug;
    case config::LogLevel::kInfo: return log::Level::kInfo;
    case config::LogLevel::kWarn: return log::Level::kWarn;
    case config::LogLevel::kError: return log::Level::kError;
    case config::LogLevel::kCritical: return log::Level::kCritical;
    case config::LogLevel::kOff: return log::Level::kOff;
  }
  return log::Level::kInfo;
}

log::Level parse_log_level(const std::string& name) {
  const std::pair<const char*, log::Level> levels[] = {
      {"trace", log::Level::kTrace}, {"debug", log::Level::kDebug}, {"info", log::Level::kInfo},
      {"warn", log::Level::kWarn},   {"error", log::Level::kError}, {"critical", log::Level::kCritical},
      {"off", log::Level::kOff}};
  for (const auto& [n, l] : levels) {
    if (name == n) return l;
  }
  return log::Level::kInfo;
}

// The configuration file and the container group specs it names (read and validated here,
// so a bad spec is a configuration error before anything is deleted).
config::LoadResult load_config(const std::string& path) {
  auto loaded = config::load_config_file(path, config::process_environment());
  if (!loaded.config) return loaded;
  auto problems = azure::load_group_specs(*loaded.config);
  if (problems.empty()) return loaded;
  return config::LoadResult{std::nullopt, std::move(problems)};
}

// Command-line flags win over the file, on start and on every reload.
config::Config with_overrides(config::Config cfg, const CliOptions& options) {
  if (options.dry_run) cfg.policy.dry_run = true;
  return cfg;
}

void configure_logging(const config::Config& cfg, const CliOptions& options) {
  const auto level = options.log_level ? parse_log_level(*options.log_level) : to_log_level(cfg.log.level);
  log::configure(level, cfg.log.format == config::LogFormat::kJson ? log::Format::kJson : log::Format::kText);
}

std::size_t member_count(const config::Config& cfg) {
  std::size_t n = 0;
  for (const auto& c : cfg.clusters) n += c.members.size();
  return n;
}

double unix_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string plural(std::size_t n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

std::string user_agent() { return std::string("frankenetesd/") + build::kVersion; }

// The probes' HTTP clients, one per distinct probe.caFile / insecureSkipVerify; an unusable
// caFile is a configuration problem (lib/config does not open the files it names).
probe::ProbeClientsBuild build_probe_clients(const config::Config& cfg,
                                             const std::string& config_path) {
  http::HttpClientOptions base;
  base.user_agent = user_agent();
  return probe::build_probe_clients(cfg, config_path, base);
}

// At every load: an operator who turned verification off, or set TLS options on an http://
// probe, hears about it each time the configuration is read.
void log_probe_tls_warnings(const config::Config& cfg) {
  for (const auto& w : probe::probe_tls_warnings(cfg)) {
    if (w.kind == probe::ProbeTlsWarning::Kind::kInsecure && w.ignored_ca_file.empty()) {
      log::warn("probe.tls.insecure", {{"cluster", w.cluster},
                                       {"member", w.member},
                                       {"url", w.url},
                                       {"detail", "certificates are not verified"}});
    } else if (w.kind == probe::ProbeTlsWarning::Kind::kInsecure) {
      log::warn("probe.tls.insecure", {{"cluster", w.cluster},
                                       {"member", w.member},
                                       {"url", w.url},
                                       {"detail", "certificates are not verified"},
                                       {"ca_file_ignored", w.ignored_ca_file}});
    } else {
      log::warn("probe.tls.unused", {{"cluster", w.cluster},
                                     {"member", w.member},
                                     {"key", w.key},
                                     {"url", w.url},
                                     {"detail", "no effect on an http:// probe"}});
    }
  }
}

// Task boundaries log internal.error themselves (reconcile/internal_error.h); this counts.
reconcile::InternalErrorHandler count_internal_errors(status::Metrics& metrics) {
  return [&metrics](const std::string& component, const std::string& /*what*/) {
    metrics.record_internal_error(component);
  };
}

// Watcher: the watch-and-heal object graph, built once from the configuration at start-up
// (no singletons: the graph is built here, in the one composition root, and passed down):
//   AciClient -> ReauthorizingTransport (one retry with a new token after a 401)
//             -> StopAwareTransport -> RetryingTransport (shared RetryBudget, ThrottleGate)
//             -> ObservingTransport (arm_requests_total, latency, ThrottleTracker) -> HttpClient
//   credential: make_credential (cached) over its own ObservingTransport (token_requests_total)
//   Prober over the ProbeClients built by App for each loaded configuration (one HttpClient
//   per distinct probe.caFile / insecureSkipVerify, swapped on reload); PolicyExecutor
//   (dry-run decided per action);
//   Reconciler on a ThreadScheduler with reads/probes/actions worker pools.
// azure.* is read here only: a reload that changes it needs a restart (App warns).
class Watcher {
 public:
  static core::Result<std::unique_ptr<Watcher>> create(
      const std::shared_ptr<const config::Config>& cfg, status::Metrics& metrics, bool once,
      std::shared_ptr<const probe::ProbeClients> probe_clients) {
    auto watcher = std::unique_ptr<Watcher>(new Watcher(metrics));
    if (auto built = watcher->build(cfg, once, std::move(probe_clients)); !built.ok()) {
      return built.error();
    }
    return watcher;
  }

  reconcile::Reconciler& reconciler() { return *reconciler_; }

  // The probe clients for a newly loaded configuration; call before the reconciler gets it.
  void set_probe_clients(std::shared_ptr<const probe::ProbeClients> clients) {
    prober_->set_clients(std::move(clients));
  }

  void start() {
    scheduler_.start();
    reconciler_->start();
  }

  // DNS providers from dns.providers, rebuilt when the dns section changed (SIGHUP); the
  // synchronizer always gets the new config (members may have changed). Any thread.
  void configure_dns(const std::shared_ptr<const config::Config>& cfg) {
    if (!dns_sync_) return;
    // azure.* needs a restart (App warns): Azure DNS keeps the running ARM stack and
    // credential, so only a changed dns section rebuilds the providers.
    if (!dns_built_ || cfg->dns != dns_config_) {
      reconcile::DnsProviders providers;
      dns::DnsProviderDeps deps;
      deps.arm_transport = reauthorizing_.get();
      deps.credential = credential_.get();
      deps.resource_manager = azure_config_.cloud.resource_manager;
      deps.token_scope = azure_config_.cloud.scope;
      deps.http_transport = cloudflare_retrying_.get();
      deps.time = &time_;
      deps.user_agent = std::string("frankenetesd/") + build::kVersion;
      const auto& provider_configs = cfg->dns ? cfg->dns->providers
                                              : std::map<std::string, config::DnsProviderConfig>{};
      for (const auto& [name, provider_config] : provider_configs) {
        auto provider = dns::make_dns_provider(provider_config, deps);
        if (!provider.ok()) {
          log::error("dns.provider.invalid", {{"provider", name}, {"error", provider.error().describe()}});
          continue;
        }
        providers.emplace(name, std::shared_ptr<dns::DnsProvider>(std::move(provider.value())));
      }
      if (dns_built_) {
        log::info("dns.providers.rebuilt", {{"providers", static_cast<unsigned long>(providers.size())}});
      }
      dns_built_ = true;
      dns_config_ = cfg->dns;
      dns_providers_ = providers;
      dns_sync_->configure(cfg, std::move(providers));
      return;
    }
    dns_sync_->configure(cfg, dns_providers_snapshot());
  }

  // Asks everything to stop at once; safe from any thread. In-flight ARM work ends after the
  // request already on the wire (StopSignal).
  void request_stop() {
    reconciler_->stop();
    if (dns_sync_) dns_sync_->stop();
    stop_signal_.request_stop();
  }

  // Waits for the threads until `deadline`; false when some blocking call outlived it.
  bool join(std::chrono::steady_clock::time_point deadline) {
    request_stop();
    scheduler_.stop();
    bool clean = true;
    for (auto* pool : {reads_.get(), probes_.get(), actions_.get(), dns_.get()}) {
      if (!pool) continue;
      const auto left = std::max(std::chrono::steady_clock::duration::zero(),
                                 deadline - std::chrono::steady_clock::now());
      clean = pool->stop(std::chrono::duration_cast<core::Duration>(left)) && clean;
    }
    return clean;
  }

 private:
  explicit Watcher(status::Metrics& metrics)
      : metrics_(metrics),
        scheduler_(count_internal_errors(metrics)),
        inline_("inline", count_internal_errors(metrics)) {}

  core::Status build(const std::shared_ptr<const config::Config>& cfg, bool once,
                     std::shared_ptr<const probe::ProbeClients> probe_clients) {
    const auto& azure = cfg->azure;
    http::HttpClientOptions arm_options;
    arm_options.user_agent = std::string("frankenetesd/") + build::kVersion;
    if (azure.ca_file) arm_options.ca_file = *azure.ca_file;
    auto arm_http = http::HttpClient::create(arm_options);
    if (!arm_http.ok()) return arm_http.error();
    arm_http_ = std::move(arm_http.value());

    tracker_ = std::make_unique<azure::ThrottleTracker>(time_);
    observing_ = std::make_unique<http::ObservingTransport>(
        *arm_http_, time_,
        [this](const http::RequestRecord& record) {
          metrics_.arm_requests_total.Add({{"operation", record.operation}, {"code", record.code()}})
              .Increment();
          metrics_.arm_request_duration_seconds
              .Add({{"operation", record.operation}}, status::Metrics::latency_buckets())
              .Observe(std::chrono::duration<double>(record.duration).count());
          if (const auto reads = tracker_->min_remaining_reads()) {
            metrics_.arm_ratelimit_remaining_reads.Set(static_cast<double>(*reads));
          }
        },
        tracker_.get());
    gate_ = std::make_unique<http::ThrottleGate>(time_, azure::arm_throttle_key);
    retrying_ = std::make_unique<http::RetryingTransport>(*observing_, budget_, *gate_, time_,
                                                          stop_signal_);
    stop_aware_ = std::make_unique<http::StopAwareTransport>(*retrying_, stop_signal_);

    const std::string method(config::to_string(azure.auth.method));
    token_transport_ = std::make_unique<http::ObservingTransport>(
        *arm_http_, time_, [this, method](const http::RequestRecord& record) {
          const bool ok = !record.error_kind && record.status >= 200 && record.status < 300;
          metrics_.token_requests_total.Add({{"credential", method}, {"result", ok ? "success" : "failure"}})
              .Increment();
        });
    azure::CredentialOptions credential_options;
    credential_options.on_refresh_error = [](const std::string& credential, const core::Error& error) {
      log::warn("azure.token.refresh_failed", {{"credential", credential}, {"error", error.describe()}});
    };
    auto credential = azure::make_credential(azure, *token_transport_, config::process_environment(),
                                             runner_, time_, credential_options);
    if (!credential.ok()) return credential.error();
    credential_ = std::move(credential.value());
    // ARM and Azure DNS share the token scope, the credential and this retry after a 401.
    reauthorizing_ = std::make_unique<azure::ReauthorizingTransport>(*stop_aware_, *credential_,
                                                                     azure.cloud.scope);

    azure::AciClientSettings settings;
    settings.endpoint.resource_manager = azure.cloud.resource_manager;
    settings.endpoint.api_version = azure.api_version;
    settings.token_scope = azure.cloud.scope;
    settings.version = build::kVersion;
    settings.request_timeout = azure.request_timeout;
    settings.lro.timeout = cfg->policy.action_timeout;
    aci_ = std::make_unique<azure::AciClient>(*reauthorizing_, *credential_, time_, stop_signal_,
                                              settings);
    api_ = std::make_unique<reconcile::AciContainerGroupApi>(*aci_);

    prober_ = std::make_unique<probe::Prober>(std::move(probe_clients), time_);

    auto store = state::StateStore::open(cfg->state_directory, time_);
    if (!store.ok()) return store.error();
    state_ = std::move(store.value());
    real_executor_ = std::make_unique<reconcile::AciActionExecutor>(
        *api_, time_, stop_signal_, [this] { return stop_signal_.stop_requested(); },
        state_.get());
    executor_ = std::make_unique<reconcile::PolicyExecutor>(*real_executor_, dry_run_executor_);

    reconcile::Worker* reads = &inline_;
    reconcile::Worker* probes = &inline_;
    reconcile::Worker* actions = &inline_;
    if (!once) {
      reads_ = std::make_unique<reconcile::WorkerPool>("reads", 1, count_internal_errors(metrics_));
      probes_ =
          std::make_unique<reconcile::WorkerPool>("probes", 4, count_internal_errors(metrics_));
      actions_ =
          std::make_unique<reconcile::WorkerPool>("actions", 4, count_internal_errors(metrics_));
      reads = reads_.get();
      probes = probes_.get();
      actions = actions_.get();
    }
    reconciler_ = std::make_unique<reconcile::Reconciler>(
        reconcile::ReconcilerDeps{
            .scheduler = scheduler_,
            .reads = *reads,
            .probes = *probes,
            .actions = *actions,
            .api = *api_,
            .executor = *executor_,
            .prober = prober_.get(),
            .time = time_,
            .metrics = &metrics_,
            .defer_reads = [this](const std::string& subscription) {
              return tracker_->should_defer_nonessential(subscription);
            },
            .unit_random = [this] { return jitter_(random_); },
            .state = state_.get(),
        },
        cfg);
    reconciler_->restore(state_->load());
    if (auto built = build_dns(cfg, once); !built.ok()) return built;
    return {};
  }

  // DNS re-pointing: Azure DNS over the ARM stack above and its credential;
  // Cloudflare over its own HttpClient (trusting azure.caFile too, the simulator's CA) and its
  // own RetryingTransport; RFC 2136 direct. The DnsSynchronizer runs on its own worker and
  // gets every pass's observations from the reconciler.
  // --once: the sync runs inline, right after the pass's actions.
  core::Status build_dns(const std::shared_ptr<const config::Config>& cfg, bool once) {
    azure_config_ = cfg->azure;
    http::HttpClientOptions cloudflare_options;
    cloudflare_options.user_agent = std::string("frankenetesd/") + build::kVersion;
    if (cfg->azure.ca_file) cloudflare_options.ca_file = *cfg->azure.ca_file;
    auto cloudflare_http = http::HttpClient::create(cloudflare_options);
    if (!cloudflare_http.ok()) return cloudflare_http.error();
    cloudflare_http_ = std::move(cloudflare_http.value());
    cloudflare_gate_ = std::make_unique<http::ThrottleGate>(time_);
    cloudflare_retrying_ = std::make_unique<http::RetryingTransport>(
        *cloudflare_http_, cloudflare_budget_, *cloudflare_gate_, time_, stop_signal_);
    reconcile::Worker* dns_worker = &inline_;
    if (!once) {
      dns_ = std::make_unique<reconcile::WorkerPool>("dns", 1, count_internal_errors(metrics_));
      dns_worker = dns_.get();
    }
    dns_sync_ = std::make_unique<reconcile::DnsSynchronizer>(reconcile::DnsSyncDeps{
        .worker = *dns_worker,
        .time = time_,
        .querier = dns_querier_,
        .sleeper = stop_signal_,
        .metrics = &metrics_,
    });
    configure_dns(cfg);
    reconciler_->on_observations(
        [this](const model::Observations& observed) { dns_sync_->observe(observed); });
    return {};
  }

  reconcile::DnsProviders dns_providers_snapshot() const { return dns_providers_; }

  status::Metrics& metrics_;
  core::RealTimeSource time_;
  core::StopSignal stop_signal_;
  http::RetryBudget budget_;
  azure::ProcessCommandRunner runner_;
  std::mt19937_64 random_{std::random_device{}()};
  std::uniform_real_distribution<double> jitter_{0.0, 1.0};
  std::unique_ptr<http::HttpClient> arm_http_;
  std::unique_ptr<azure::ThrottleTracker> tracker_;
  std::unique_ptr<http::ObservingTransport> observing_;
  std::unique_ptr<http::ThrottleGate> gate_;
  std::unique_ptr<http::RetryingTransport> retrying_;
  std::unique_ptr<http::StopAwareTransport> stop_aware_;
  std::unique_ptr<http::ObservingTransport> token_transport_;
  std::unique_ptr<azure::TokenCredential> credential_;
  std::unique_ptr<azure::ReauthorizingTransport> reauthorizing_;
  std::unique_ptr<azure::AciClient> aci_;
  std::unique_ptr<reconcile::AciContainerGroupApi> api_;
  std::unique_ptr<probe::Prober> prober_;
  std::unique_ptr<state::StateStore> state_;
  std::unique_ptr<reconcile::AciActionExecutor> real_executor_;
  reconcile::DryRunExecutor dry_run_executor_;
  std::unique_ptr<reconcile::PolicyExecutor> executor_;
  reconcile::ThreadScheduler scheduler_;
  reconcile::InlineWorker inline_;
  std::unique_ptr<reconcile::WorkerPool> reads_;
  std::unique_ptr<reconcile::WorkerPool> probes_;
  std::unique_ptr<reconcile::WorkerPool> actions_;
  std::unique_ptr<reconcile::Reconciler> reconciler_;
  // DNS (build_dns).
  config::AzureConfig azure_config_;
  bool dns_built_ = false;
  std::optional<config::DnsConfig> dns_config_;
  reconcile::DnsProviders dns_providers_;
  std::unique_ptr<http::HttpClient> cloudflare_http_;
  std::unique_ptr<http::ThrottleGate> cloudflare_gate_;
  http::RetryBudget cloudflare_budget_;
  std::unique_ptr<http::RetryingTransport> cloudflare_retrying_;
  dns::LdnsRecordQuerier dns_querier_;
  std::unique_ptr<reconcile::WorkerPool> dns_;
  std::unique_ptr<reconcile::DnsSynchronizer> dns_sync_;
};

}  // namespace

class App::Impl {
 public:
  explicit Impl(CliOptions options)
      : options_(std::move(options)),
        metrics_({build::kVersion, build::kGitCommit, build::kBuildType}),
        signals_(io_, SIGTERM, SIGINT, SIGHUP),
        watchdog_timer_(io_),
        ready_timer_(io_) {}

  int run() {
    log::configure(log::Level::kInfo, log::Format::kText);
    auto loaded = load_config(options_.config_path);
    if (!loaded.config) {
      for (const auto& p : loaded.problems) std::fprintf(stderr, "%s\n", p.to_string().c_str());
      log::error("config.invalid", {{"file", options_.config_path},
                                    {"problems", static_cast<unsigned long>(loaded.problems.size())}});
      return 2;
    }
    config_ = std::make_shared<const config::Config>(with_overrides(*loaded.config, options_));
    configure_logging(*config_, options_);
    auto probe_clients = build_probe_clients(*config_, options_.config_path);
    if (!probe_clients.ok()) {
      for (const auto& p : probe_clients.problems) std::fprintf(stderr, "%s\n", p.to_string().c_str());
      log::error("config.invalid",
                 {{"file", options_.config_path},
                  {"problems", static_cast<unsigned long>(probe_clients.problems.size())}});
      return 2;
    }
    log_probe_tls_warnings(*config_);
    metrics_.config_last_reload_success_timestamp_seconds.Set(unix_seconds());
    // Every component's series exists from the start, so alerts see a zero, not a gap.
    for (const char* component : {"scheduler", "worker:reads", "worker:probes", "worker:actions",
                                  "worker:dns", "worker:inline", "dns_sync", "http_server"}) {
      metrics_.internal_errors_total.Add({{"component", component}});
    }

    auto watcher = Watcher::create(config_, metrics_, options_.once, std::move(probe_clients.clients));
    if (!watcher.ok()) {
      log::error("daemon.setup.failed", {{"error", watcher.error().describe()}});
      std::fprintf(stderr, "frankenetesd: %s\n", watcher.error().describe().c_str());
      return watcher.error().kind == core::ErrorKind::kInvalidConfig ? 2 : 1;
    }
    watcher_ = std::move(watcher.value());
    if (options_.once) return run_once();

    if (!start_server()) return 1;
    wait_for_signals();

    log::info("daemon.started", {{"version", build::kVersion},
                                 {"commit", build::kGitCommit},
                                 {"config", options_.config_path},
                                 {"clusters", static_cast<unsigned long>(config_->clusters.size())},
                                 {"members", static_cast<unsigned long>(member_count(*config_))},
                                 {"dry_run", config_->policy.dry_run}});
    // READY=1 once the first observation has been attempted (or after kReadyWait, so a slow
    // ARM does not hold up the service manager); STATUS follows every pass after that.
    watcher_->reconciler().on_pass([this](const reconcile::ReconcilerSummary& summary) {
      asio::post(io_, [this, summary] { observation_pass_done(summary); });
    });
    watcher_->start();
    start_watchdog();
    ready_timer_.expires_after(kReadyWait);
    ready_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec && !stopping_ && !ready_sent_) {
        ready_sent_ = true;
        notifier_.ready(status_line() + "; first observation still running");
      }
    });
    io_.run();
    const bool clean = watcher_->join(stop_deadline_);
    if (shutdown_guard_.joinable()) {
      shutdown_guard_.request_stop();
      shutdown_guard_.join();
    }
    log::info("daemon.stopped", {{"exit_code", exit_code_}});
    if (!clean) {
      // A blocking ARM or probe request outlived the shutdown deadline. Its thread still uses
      // the object graph, so nothing may be destroyed under it: leave without destructors.
      log::warn("daemon.shutdown.abandoned_requests", {{"action", "exiting without cleanup"}});
      std::fflush(nullptr);
      std::_Exit(exit_code_);
    }
    return exit_code_;
  }

 private:
  int run_once() {
    log::info("daemon.once", {{"version", build::kVersion},
                              {"config", options_.config_path},
                              {"members", static_cast<unsigned long>(member_count(*config_))},
                              {"dry_run", config_->policy.dry_run}});
    const bool observed = watcher_->reconciler().run_once();
    const auto summary = watcher_->reconciler().summary();
    log::info("daemon.once.done", {{"observation", observed ? "ok" : "failed"},
                                   {"error", summary.last_error}});
    watcher_->join(std::chrono::steady_clock::now() + kShutdownDeadline);
    return observed ? 0 : 1;
  }

  void observation_pass_done(const reconcile::ReconcilerSummary& summary) {
    if (stopping_) return;
    last_summary_ = summary;
    if (!ready_sent_) {
      ready_sent_ = true;
      ready_timer_.cancel();
      notifier_.ready(status_line());
    } else {
      notifier_.status(status_line());
    }
  }

  bool start_server() {
    status::AdminRouter::Endpoints endpoints{
        .liveness = {{"ping", [] { return status::CheckResult::pass(); }},
                     {"loop", [this] { return watcher_->reconciler().liveness(); }}},
        .readiness = {{"config", [this] {
                         return config_ ? status::CheckResult::pass()
                                        : status::CheckResult::fail("no configuration loaded");
                       }},
                      {"shutdown", [this] {
                         return stopping_ ? status::CheckResult::fail("the daemon is shutting down")
                                          : status::CheckResult::pass();
                       }},
                      {"observation", [this] { return watcher_->reconciler().readiness(); }},
                      {"operations", [this] { return watcher_->reconciler().operations(); }}},
        .render_metrics = [this] { return metrics_.render(); },
        .metrics_content_type = status::Metrics::kContentType,
    };
    router_ = std::make_unique<status::AdminRouter>(std::move(endpoints));

    http::ServerOptions server_options;
    server_options.listen = config_->server.listen.to_string();
    server_options.max_connections = static_cast<std::size_t>(config_->server.max_connections);
    server_options.server_header = std::string("frankenetesd/") + build::kVersion;
    server_options.on_handler_exception =
        [this](const std::string& method, const std::string& target, const std::string& what) {
          // The path only: a query string is the client's and may carry anything.
          log::error("internal.error", {{"component", "http_server"},
                                        {"method", method},
                                        {"path", target.substr(0, target.find('?'))},
                                        {"what", what},
                                        {"action", "answered 500"}});
          metrics_.record_internal_error("http_server");
        };
    server_ = std::make_unique<http::HttpServer>(
        io_, server_options,
        http::make_sync_handler([this](const http::Request& r) { return router_->handle(r); }));
    if (auto started = server_->start(); !started.ok()) {
      log::error("http.server.failed", {{"listen", server_options.listen},
                                        {"error", started.error().message}});
      std::fprintf(stderr, "frankenetesd: %s\n", started.error().message.c_str());
      return false;
    }
    listen_address_ = config_->server.listen.host + ":" + std::to_string(server_->port());
    log::info("http.server.listening",
              {{"address", "http://" + listen_address_},
               {"endpoints", "/livez /readyz /metrics"}});
    return true;
  }

  std::string status_line() const {
    std::string line = "serving on " + listen_address_ + "; observing " +
                       plural(member_count(*config_), "member");
    if (last_summary_.observed) line += last_summary_.last_pass_ok ? "; last pass ok" : "; last pass failed";
    if (config_->policy.dry_run) line += " (dry run)";
    return line;
  }

  void wait_for_signals() {
    signals_.async_wait([this](const boost::system::error_code& ec, int signo) {
      if (ec) return;  // cancelled during shutdown
      if (signo == SIGHUP) {
        reload();
        wait_for_signals();
        return;
      }
      log::info("daemon.stopping", {{"signal", signo == SIGTERM ? "SIGTERM" : "SIGINT"}});
      shutdown();
    });
  }

  // Kea's rule: parse into a fresh config and swap only if it validates. A broken file
  // never touches the running daemon.
  void reload() {
    notifier_.reloading();
    auto loaded = load_config(options_.config_path);
    // The probe CA files are read again on every reload (a rotated CA takes effect on SIGHUP);
    // one that cannot be used fails the reload like any other configuration problem.
    probe::ProbeClientsBuild probe_clients;
    if (loaded.config) {
      probe_clients = build_probe_clients(*loaded.config, options_.config_path);
      if (!probe_clients.ok()) {
        loaded.problems = std::move(probe_clients.problems);
        loaded.config.reset();
      }
    }
    if (!loaded.config) {
      metrics_.record_config_reload(false, unix_seconds());
      log::error("config.reload.failed", {{"file", options_.config_path},
                                          {"problems", static_cast<unsigned long>(loaded.problems.size())},
                                          {"action", "keeping the running configuration"}});
      for (const auto& p : loaded.problems) log::error("config.problem", {{"problem", p.to_string()}});
      notifier_.ready(status_line() + "; last reload FAILED");
      return;
    }
    auto next = std::make_shared<const config::Config>(with_overrides(*loaded.config, options_));
    metrics_.record_config_reload(true, unix_seconds());
    log_probe_tls_warnings(*next);
    watcher_->set_probe_clients(std::move(probe_clients.clients));
    if (*next == *config_) {
      log::info("config.reload.unchanged", {{"file", options_.config_path}});
      notifier_.ready(status_line());
      return;
    }
    if (next->server.listen != config_->server.listen) {
      log::warn("config.reload.restart_required",
                {{"key", "server.listen"},
                 {"running", config_->server.listen.to_string()},
                 {"configured", next->server.listen.to_string()}});
    }
    if (next->azure != config_->azure) {
      log::warn("config.reload.restart_required",
                {{"key", "azure"}, {"action", "keeping the running ARM client and credential"}});
    }
    config_ = std::move(next);
    configure_logging(*config_, options_);
    watcher_->reconciler().update_config(config_);
    watcher_->configure_dns(config_);
    log::info("config.reload.applied", {{"file", options_.config_path},
                                        {"clusters", static_cast<unsigned long>(config_->clusters.size())},
                                        {"members", static_cast<unsigned long>(member_count(*config_))},
                                        {"dry_run", config_->policy.dry_run}});
    notifier_.ready(status_line());
  }

  void start_watchdog() {
    const auto interval = notifier_.watchdog_interval();
    if (!interval) return;
    log::info("systemd.watchdog.enabled", {{"interval_ms", static_cast<long long>(interval->count() / 1000)}});
    schedule_watchdog(*interval);
  }

  void schedule_watchdog(std::chrono::microseconds interval) {
    // Only a live loop pets the watchdog: a wedged reconciler gets the daemon restarted.
    if (const auto live = watcher_->reconciler().liveness(); live.ok) {
      notifier_.watchdog();
    } else {
      log::warn("systemd.watchdog.withheld", {{"reason", live.reason}});
    }
    watchdog_timer_.expires_after(interval);
    watchdog_timer_.async_wait([this, interval](const boost::system::error_code& ec) {
      if (!ec && !stopping_) schedule_watchdog(interval);
    });
  }

  void shutdown() {
    if (stopping_) return;
    stopping_ = true;
    stop_deadline_ = std::chrono::steady_clock::now() + kShutdownDeadline;
    notifier_.stopping();
    watcher_->request_stop();
    signals_.cancel();
    watchdog_timer_.cancel();
    ready_timer_.cancel();
    server_->stop();
    // The server lets in-flight responses finish and then io_.run() returns by itself. If
    // something hangs, a guard thread stops the loop at the deadline (io_context::stop is
    // thread-safe); it is released as soon as run() returns.
    shutdown_guard_ = std::jthread([this](std::stop_token stop) {
      std::mutex m;
      std::unique_lock lock(m);
      std::condition_variable_any cv;
      if (!cv.wait_for(lock, stop, kShutdownDeadline, [] { return false; }) && !stop.stop_requested()) {
        log::warn("daemon.shutdown.forced", {{"deadline_ms", static_cast<long long>(kShutdownDeadline.count())}});
        io_.stop();
      }
    });
  }

  CliOptions options_;
  asio::io_context io_;
  status::Metrics metrics_;
  SystemdNotifier notifier_;
  std::shared_ptr<const config::Config> config_;
  std::unique_ptr<status::AdminRouter> router_;
  std::unique_ptr<http::HttpServer> server_;
  asio::signal_set signals_;
  asio::steady_timer watchdog_timer_;
  asio::steady_timer ready_timer_;
  std::unique_ptr<Watcher> watcher_;
  reconcile::ReconcilerSummary last_summary_;
  bool ready_sent_ = false;
  std::chrono::steady_clock::time_point stop_deadline_ = std::chrono::steady_clock::now();
  std::jthread shutdown_guard_;
  std::string listen_address_;
  bool stopping_ = false;
  int exit_code_ = 0;
};

App::App(CliOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
App::~App() = default;
int App::run() { return impl_->run(); }

int check_config(const CliOptions& options) {
  auto loaded = load_config(options.config_path);
  if (loaded.config) {
    // The probe CA files too: a file the daemon could not use fails here, not at start.
    auto probe_clients = build_probe_clients(*loaded.config, options.config_path);
    if (!probe_clients.ok()) {
      loaded.problems = std::move(probe_clients.problems);
      loaded.config.reset();
    }
  }
  if (!loaded.config) {
    for (const auto& p : loaded.problems) std::fprintf(stderr, "%s\n", p.to_string().c_str());
    std::fprintf(stderr, "%s: %zu problem%s\n", options.config_path.c_str(), loaded.problems.size(),
                 loaded.problems.size() == 1 ? "" : "s");
    return 2;
  }
  std::printf("%s: OK (%zu cluster%s, %zu members)\n", options.config_path.c_str(),
              loaded.config->clusters.size(), loaded.config->clusters.size() == 1 ? "" : "s",
              member_count(*loaded.config));
  return 0;
}

}  // namespace frankenetes::daemon
