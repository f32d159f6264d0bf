#include "daemon/coordination_stack.h"

#include <algorithm>
#include <random>

#include "build_info.h"
#include "coordination/replica_identity.h"
#include "core/duration.h"
#include "core/thread_name.h"
#include "log/event.h"

namespace frankenetes::daemon {
namespace {

std::uint64_t random_incarnation() {
  std::random_device device;
  return (static_cast<std::uint64_t>(device()) << 32) ^ device();
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ",") + name;
  return out;
}

}  // namespace

std::string replica_id_of(const config::Config& config) {
  if (!config.coordination) return "";
  return config.coordination->replica_id.empty() ? coordination::default_replica_id()
                                                 : config.coordination->replica_id;
}

std::vector<std::string> cluster_names(const config::Config& config) {
  std::vector<std::string> names;
  for (const auto& cluster : config.clusters) names.push_back(cluster.name);
  return names;
}

CoordinationStack::CoordinationStack(Deps deps, const config::Config& config)
    : deps_(deps), clusters_(cluster_names(config)) {}

core::Result<std::unique_ptr<CoordinationStack>> CoordinationStack::create(
    const config::Config& config, Deps deps) {
  if (!config.coordination) return std::unique_ptr<CoordinationStack>();
  std::unique_ptr<CoordinationStack> stack(new CoordinationStack(deps, config));
  if (auto built = stack->build(config); !built.ok()) return built.error();
  return stack;
}

core::Status CoordinationStack::build(const config::Config& config) {
  if (!config.storage) {  // the loader refuses this (cross_checks.cc); kept for other callers
    return core::make_error(core::ErrorKind::kInvalidConfig,
                            "coordination needs the storage section (its container)");
  }
  auto client = deps_.clients.make(config.azure.ca_file);
  if (!client.ok()) return client.error();
  client_ = std::move(client.value());
  auto authorizer = storage::make_blob_authorizer(*config.storage, deps_.arm.credential());
  if (!authorizer.ok()) return authorizer.error();
  authorizer_ = std::move(authorizer.value());
  auto settings =
      coordination::CoordinatorSettings::from_config(*config.coordination, random_incarnation());
  settings.replica_id = replica_id_of(config);
  storage::BlobServiceSettings blob_settings;
  blob_settings.account = config.storage->account;
  blob_settings.endpoint = config.storage->endpoint;
  blob_settings.version = build::kVersion;
  blob_settings.user_agent = deps_.clients.user_agent();
  // A lease call slower than a renew period is worth less than the next tick's.
  blob_settings.request_timeout = settings.renew_every;
  service_ =
      std::make_unique<storage::BlobService>(*client_, *authorizer_, deps_.time, blob_settings);
  blobs_ = std::make_unique<storage::BlobClient>(*service_, config.storage->container);
  store_ = std::make_unique<coordination::BlobCoordinationStore>(*blobs_);
  coordinator_ =
      std::make_unique<coordination::Coordinator>(*store_, deps_.time, settings, clusters_);
  history_blobs_ = std::make_unique<BlobHistoryBlobs>(*blobs_);
  history_ = std::make_unique<HistoryHandOver>(
      *history_blobs_, deps_.time, settings.replica_id,
      [this](const std::string& cluster) { return coordinator_->may_act(cluster); });
  for (const auto& cluster : clusters_) {
    deps_.metrics.record_cluster_leader(cluster, replica_id(), false);
  }
  deps_.metrics.set_before_render([this] { refresh_leader_gauge(); });
  return {};
}

CoordinationStack::~CoordinationStack() {
  deps_.metrics.set_before_render({});
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void CoordinationStack::start() {
  const auto& s = coordinator_->settings();
  log::info("coordination.started", {{"replica", s.replica_id},
                                     {"clusters", static_cast<unsigned long>(clusters_.size())},
                                     {"lease_duration", core::format_duration(s.lease_duration)},
                                     {"renew_every", core::format_duration(s.renew_every)},
                                     {"fencing_margin", core::format_duration(s.fencing_margin)}});
  thread_ = std::thread([this] { run(); });
}

void CoordinationStack::set_clusters(const config::Config& config) {
  auto names = cluster_names(config);
  {
    std::lock_guard lock(mutex_);
    for (const auto& gone : clusters_) {
      if (std::find(names.begin(), names.end(), gone) == names.end()) {
        deps_.metrics.remove_cluster_leader(gone, replica_id());
      }
    }
    clusters_ = names;
  }
  coordinator_->set_clusters(std::move(names));
}

status::CoordinationStatus CoordinationStack::status() {
  status::CoordinationStatus out;
  out.replica = replica_id();
  std::vector<std::string> clusters;
  {
    std::lock_guard lock(mutex_);
    clusters = clusters_;
  }
  const auto table = coordinator_->table();
  for (const auto& cluster : clusters) {
    const auto* lease = table.find(cluster);
    out.clusters.push_back({.cluster = cluster,
                            .holding = coordination::to_string(
                                lease ? lease->holding : coordination::LeaseHolding::kUnknown),
                            .may_act = gate()(cluster)});
  }
  return out;
}

void CoordinationStack::stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
}

bool CoordinationStack::join(std::chrono::steady_clock::time_point deadline) {
  stop();
  if (!thread_.joinable()) return true;
  std::unique_lock lock(mutex_);
  if (!wake_.wait_until(lock, deadline, [this] { return done_; })) {
    lock.unlock();
    log::warn("coordination.stop_overdue",
              {{"replica", replica_id()}, {"action", "leaving; the leases expire on their own"}});
    thread_.detach();
    return false;
  }
  lock.unlock();
  thread_.join();
  return true;
}

void CoordinationStack::run() {
  core::name_this_thread("coordination");
  const auto every = coordinator_->settings().renew_every;
  auto next = std::chrono::steady_clock::now();
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      if (wake_.wait_until(lock, next, [this] { return stop_; })) break;
    }
    next += std::chrono::duration_cast<std::chrono::steady_clock::duration>(every);
    history_->flush();  // before the tick: a fair-share release in it follows the latest write
    const auto report = coordinator_->tick();
    history_->after_tick(report.held);
    record(report, "tick");
    // A tick that overran its period starts the next one at once, not a burst of them.
    next = std::max(next, std::chrono::steady_clock::now());
  }
  history_->flush();  // the next holder continues from here
  record(coordinator_->release_all(), "release_all");
  {
    std::lock_guard lock(mutex_);
    done_ = true;
  }
  wake_.notify_all();
}

void CoordinationStack::refresh_leader_gauge() {
  std::vector<std::string> clusters;
  {
    std::lock_guard lock(mutex_);
    clusters = clusters_;
  }
  for (const auto& cluster : clusters) {
    deps_.metrics.record_cluster_leader(cluster, replica_id(), coordinator_->may_act(cluster));
  }
}

void CoordinationStack::record(const coordination::TickReport& report, const char* what) {
  for (const auto& result : report.results) {
    if (result.outcome == coordination::LeaseOutcome::kOk) continue;
    log::warn("coordination.call_failed", {{"replica", replica_id()},
                                           {"during", what},
                                           {"call", coordination::to_string(result.op.kind)},
                                           {"cluster", result.op.cluster},
                                           {"outcome", coordination::to_string(result.outcome)},
                                           {"error", result.error}});
  }
  for (const auto* error : {&report.heartbeat_listing_error, &report.lease_listing_error}) {
    if (!error->empty()) {
      log::warn("coordination.listing_failed",
                {{"replica", replica_id()}, {"during", what}, {"error", *error}});
    }
  }
  auto held = report.held;
  std::sort(held.begin(), held.end());
  std::vector<std::string> clusters;
  {
    std::lock_guard lock(mutex_);
    clusters = clusters_;
  }
  // The gauge is the fencing rule's answer (also refreshed at every scrape): a holder whose
  // renewals keep failing drops to 0 when it stops acting, before anyone else could hold the
  // cluster.
  std::vector<std::string> acting;
  for (const auto& cluster : clusters) {
    if (coordinator_->may_act(cluster)) acting.push_back(cluster);
  }
  if (held == last_held_ && acting == last_acting_) return;
  log::info("coordination.holding", {{"replica", replica_id()},
                                     {"during", what},
                                     {"held", joined(held)},
                                     {"acting", joined(acting)},
                                     {"count", static_cast<unsigned long>(held.size())}});
  for (const auto& cluster : clusters) {
    deps_.metrics.record_cluster_leader(
        cluster, replica_id(), std::find(acting.begin(), acting.end(), cluster) != acting.end());
  }
  last_held_ = std::move(held);
  last_acting_ = std::move(acting);
}

}  // namespace frankenetes::daemon
