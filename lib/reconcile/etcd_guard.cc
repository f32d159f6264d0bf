#include "reconcile/etcd_guard.h"

#include <algorithm>
#include <utility>

#include "core/duration.h"
#include "http/url.h"
#include "log/event.h"
#include "probe/prober.h"

namespace frankenetes::reconcile {

namespace {

constexpr core::Duration kFirstRetry = std::chrono::seconds(30);
constexpr core::Duration kMaxRetry = std::chrono::minutes(10);
// Automatic restores that failed without changing anything: tried again after these.
constexpr core::Duration kRestoreRetries[] = {std::chrono::minutes(1), std::chrono::minutes(4)};
constexpr int kMaxRestoreAttempts = 3;

status::MemberName name_of(const model::MemberKey& key) { return {key.cluster, key.member}; }

}  // namespace

std::string etcd_endpoint(const config::MemberConfig& member, const std::optional<std::string>& ip,
                          const std::optional<std::string>& fqdn) {
  if (member.probe) {
    const auto url = probe::substitute_probe_url(member.probe->url, {ip, fqdn});
    return url ? etcd_endpoint_of_probe_url(*url) : std::string();
  }
  return ip ? "http://" + *ip + ":2379" : std::string();
}

std::string etcd_endpoint_of_probe_url(std::string_view probe_url) {
  return http::url_origin(probe_url);
}

EtcdGuard::EtcdGuard(EtcdGuardDeps deps) : deps_(deps) {}

void EtcdGuard::configure(std::shared_ptr<const config::Config> shared) {
  config_ = std::move(shared);
  const auto& config = *config_;
  policy_ = config.etcd.snapshots;
  enabled_ = policy_.enabled;
  auto_restore_ = config.etcd.auto_restore;
  std::map<model::MemberKey, MemberState> kept;
  for (const auto& cluster : config.clusters) {
    for (const auto& member : cluster.members) {
      if (member.role != config::MemberRole::kEtcd) continue;
      const model::MemberKey key{cluster.name, member.name};
      auto node = members_.extract(key);
      MemberState state = node.empty() ? MemberState{} : std::move(node.mapped());
      state.config = &member;
      state.cluster = &cluster;
      state.subscription_id =
          cluster.subscription_id.empty() ? config.azure.subscription_id : cluster.subscription_id;
      if (node.empty() && snapshots_enabled()) deps_.metrics.snapshots_declared(name_of(key));
      kept.emplace(key, std::move(state));
    }
  }
  for (const auto& [key, state] : members_) deps_.metrics.etcd_member_removed(name_of(key));
  members_ = std::move(kept);
  update_note();
}

void EtcdGuard::look_up(const model::MemberKey& key) {
  members_.at(key).lookup_in_flight = true;
  auto post = [this, key](core::Result<std::optional<SnapshotFound>> found) {
    if (stopped_) return;
    deps_.scheduler.post([this, key, found = std::move(found)] {
      if (stopped_) return;
      const auto it = members_.find(key);
      if (it == members_.end()) return;
      auto& state = it->second;
      state.lookup_in_flight = false;
      state.looked_up = true;
      if (!found.ok()) {
        log::warn("etcd.snapshot.lookup_failed",
                  {{"cluster", key.cluster}, {"member", key.member},
                   {"error", found.error().describe()}});
        return;
      }
      if (!*found || state.verified_at) return;  // none stored, or a newer one was taken
      const auto age = std::max(core::Duration(0), std::chrono::duration_cast<core::Duration>(
                                                       deps_.time.system_time() - (*found)->taken_at));
      state.verified_at = deps_.time.monotonic_time() - age;
      state.verified_wall = (*found)->taken_at;
      state.verified_name = (*found)->name;
      deps_.metrics.snapshot_taken(name_of(key), (*found)->size, status::Seconds(age));
      log::info("etcd.snapshot.found", {{"cluster", key.cluster}, {"member", key.member},
                                        {"name", (*found)->name},
                                        {"age", core::format_duration(age)}});
    });
  };
  deps_.worker->submit(
      [this, key, post] { post(deps_.snapshotter->newest(key)); },
      [post](const std::string& what) {
        post(core::make_error(core::ErrorKind::kTerminal, "internal error: " + what));
      });
}

core::Duration EtcdGuard::retry_delay(int failures) const {
  core::Duration delay = kFirstRetry;
  for (int i = 1; i < failures && delay < kMaxRetry; ++i) delay *= 2;
  return std::min({delay, kMaxRetry, std::chrono::duration_cast<core::Duration>(policy_.interval)});
}

void EtcdGuard::tick(const std::vector<model::MemberKey>& requested, const ReachOf& reach_of) {
  if (!snapshots_enabled() || stopped_) return;
  const auto now = deps_.time.monotonic_time();
  for (auto& [key, state] : members_) {
    if (state.verified_at) {
      deps_.metrics.snapshot_age(name_of(key), std::chrono::duration_cast<status::Seconds>(
                                                     now - *state.verified_at));
    }
    if (std::find(requested.begin(), requested.end(), key) != requested.end()) {
      state.last_asked = now;
      if (!state.wanted_since) state.wanted_since = now;
    } else if (state.wanted_since && now - *state.last_asked > policy_.max_age_for_disruption) {
      state.wanted_since.reset();  // nobody waits for it any more
    }
    if (!state.looked_up) {
      if (!state.lookup_in_flight) look_up(key);
      continue;
    }
    if (state.in_progress) continue;
    const bool periodic_due = !state.verified_at || now - *state.verified_at >= policy_.interval;
    if (!state.wanted_since && !periodic_due) continue;
    EtcdReach reach = reach_of(*state.config, key);
    // With a data loss recorded, no snapshot: it would be of the emptier store, and retention
    // would rotate the snapshots of the lost data out.
    const bool paused = !state.data_loss.empty();
    if (paused || reach.endpoint.empty() || !reach.not_answering.empty()) {
      // Wait. Someone waiting for the snapshot hears after maxAgeForDisruption (once per wait).
      const auto waited = state.wanted_since ? now - *state.wanted_since : core::Duration(0);
      if (state.wanted_since && waited >= policy_.max_age_for_disruption &&
          (!state.failed_at || *state.failed_at < *state.wanted_since)) {
        const std::string why = paused ? std::string("snapshots are paused while a data loss is recorded")
                                : reach.endpoint.empty() ? std::string("its address is not known")
                                                         : reach.not_answering;
        failed(key, state,
               (paused ? std::string("no snapshot for ") : std::string("etcd has not answered for ")) +
                   core::format_duration(std::chrono::duration_cast<core::Duration>(waited)) +
                   " since a snapshot was needed (" + why + ")",
               /*attempt=*/false);
      }
      continue;
    }
    if (state.failed_at && state.attempt_failed &&
        now - *state.failed_at < retry_delay(state.consecutive_failures)) {
      continue;
    }
    start(key, state, std::move(reach.endpoint),
          state.wanted_since ? "before a disruptive rung" : "periodic");
  }
}

void EtcdGuard::failed(const model::MemberKey& key, MemberState& state, std::string error,
                       bool attempt) {
  state.failed_at = deps_.time.monotonic_time();
  state.error = std::move(error);
  state.attempt_failed = attempt;
  ++state.consecutive_failures;
  deps_.metrics.snapshot_failed(name_of(key));
  log::error("etcd.snapshot.failed",
             {{"cluster", key.cluster}, {"member", key.member}, {"trigger", state.trigger},
              {"error", state.error}, {"attempt", state.consecutive_failures},
              {"retry_in", attempt ? core::format_duration(retry_delay(state.consecutive_failures))
                                   : std::string("when etcd answers")}});
  update_note();
}

void EtcdGuard::start(const model::MemberKey& key, MemberState& state, std::string endpoint,
                      std::string trigger) {
  state.in_progress = true;
  state.trigger = trigger;
  SnapshotJob job{key, *state.config, std::move(endpoint), std::move(trigger), policy_};
  log::info("etcd.snapshot.started", {{"cluster", key.cluster}, {"member", key.member},
                                      {"endpoint", job.endpoint}, {"trigger", job.trigger}});
  const auto started = deps_.time.monotonic_time();
  auto post = [this, key, started](core::Result<SnapshotTaken> result) {
    if (stopped_) return;
    const auto duration =
        std::chrono::duration_cast<core::Duration>(deps_.time.monotonic_time() - started);
    deps_.scheduler.post([this, key, result = std::move(result), duration] {
      if (!stopped_) finished(key, result, duration);
    });
  };
  deps_.worker->submit(
      [this, job = std::move(job), post] { post(deps_.snapshotter->take(job)); },
      [post](const std::string& what) {
        post(core::make_error(core::ErrorKind::kTerminal, "internal error: " + what));
      });
}

void EtcdGuard::finished(const model::MemberKey& key, const core::Result<SnapshotTaken>& result,
                         core::Duration duration) {
  const auto it = members_.find(key);
  if (it == members_.end()) return;  // left the configuration meanwhile
  auto& state = it->second;
  state.in_progress = false;
  const auto now = deps_.time.monotonic_time();
  if (!result.ok()) {
    failed(key, state, result.error().describe() + " (after " + core::format_duration(duration) + ")",
           /*attempt=*/true);
    return;
  }
  state.failed_at.reset();
  state.error.clear();
  state.consecutive_failures = 0;
  state.attempt_failed = false;
  state.wanted_since.reset();
  state.verified_at = now - duration;  // the data is as of the stream's start
  state.verified_wall = result->taken_at;
  state.verified_name = result->name;
  deps_.metrics.snapshot_taken(name_of(key), result->size, status::Seconds(0));
  log::info("etcd.snapshot.taken",
            {{"cluster", key.cluster}, {"member", key.member}, {"trigger", state.trigger},
             {"name", result->name}, {"size", static_cast<unsigned long long>(result->size)},
             {"revision", static_cast<unsigned long long>(result->revision)},
             {"sha256", result->sha256}, {"removed", static_cast<unsigned long>(result->removed.size())},
             {"duration", core::format_duration(duration)}});
  for (const auto& removed : result->removed) {
    log::info("etcd.snapshot.removed",
              {{"cluster", key.cluster}, {"member", key.member}, {"name", removed}});
  }
  if (!result->retention_error.empty()) {
    log::warn("etcd.snapshot.retention_failed", {{"cluster", key.cluster},
                                                 {"member", key.member},
                                                 {"error", result->retention_error}});
  }
  update_note();
}

void EtcdGuard::fill(model::Observations& observed) const {
  for (const auto& [key, state] : members_) {
    auto& obs = observed[key];
    obs.key = key;
    switch (state.restore) {
      case RestorePhase::kDue:
        obs.etcd_restore = "automatic restore due (" + state.data_loss + ")";
        break;
      case RestorePhase::kRunning:
        obs.etcd_restore = "automatic restore running";
        break;
      case RestorePhase::kHeld:
        obs.etcd_restore = "automatic restore failed half-way (" + state.restore_note +
                           "): restore by hand with `frankenetesd etcd restore`";
        break;
      case RestorePhase::kNone:
      case RestorePhase::kWaiting:
      case RestorePhase::kGaveUp:
        break;
    }
    if (!snapshots_enabled()) continue;
    model::SnapshotObservation s;
    s.verified_at = state.verified_at;
    s.verified_name = state.verified_name;
    s.in_progress = state.in_progress || !state.looked_up;  // a look-up may still find one
    s.failed_at = state.failed_at;
    s.error = state.error;
    obs.snapshots = std::move(s);
  }
}

bool EtcdGuard::record_status(const model::MemberKey& key, const etcd::DataIdentity& identity,
                              plan::MemberHistory& history) {
  const auto it = members_.find(key);
  if (it == members_.end()) return false;
  auto& state = it->second;
  // A restore is under way (or left things half-done): its readings are not a new baseline.
  if (state.restore == RestorePhase::kDue || state.restore == RestorePhase::kRunning ||
      state.restore == RestorePhase::kHeld) {
    return false;
  }
  const auto before = history.etcd_seen;
  const std::string loss_before = history.etcd_data_loss;
  if (before) {
    if (auto loss = etcd::detect_data_loss(*before, identity)) {
      const std::string newest =
          state.verified_name.empty() ? std::string("none known") : state.verified_name;
      history.etcd_data_loss = loss->detail + "; newest snapshot: " + newest;
      if (!history.etcd_lost) history.etcd_lost = *before;  // the first loss is what to get back
      log::error("etcd.data_loss_detected",
                 {{"cluster", key.cluster}, {"member", key.member}, {"detail", loss->detail},
                  {"newest_snapshot", newest},
                  {"action", auto_restore()
                                 ? "automatic restore (etcd.autoRestore); its cluster is held"
                                 : "none taken: restore with `frankenetesd etcd restore` after checking"}});
    }
  }
  history.etcd_seen = identity;
  deps_.metrics.data_loss(name_of(key), !history.etcd_data_loss.empty());
  if (state.data_loss != history.etcd_data_loss) {
    state.data_loss = history.etcd_data_loss;
    update_note();
  }
  return history.etcd_data_loss != loss_before;
}

void EtcdGuard::update_note() {
  std::string note;
  for (const auto& [key, state] : members_) {
    std::string what;
    if (!state.data_loss.empty()) what = "DATA LOSS: " + state.data_loss;
    std::string restore;
    switch (state.restore) {
      case RestorePhase::kDue:
        restore = "automatic restore due";
        break;
      case RestorePhase::kRunning:
        restore = "automatic restore running";
        break;
      case RestorePhase::kWaiting:
        restore = "automatic restore failed (" + state.restore_note + "), tried again soon";
        break;
      case RestorePhase::kGaveUp:
        restore = "automatic restore gave up (" + state.restore_note + "): restore by hand";
        break;
      case RestorePhase::kHeld:
        restore = "automatic restore failed half-way (" + state.restore_note +
                  "), the cluster is held: restore by hand";
        break;
      case RestorePhase::kNone:
        break;
    }
    if (!restore.empty()) what += "; " + restore;
    if (snapshots_enabled() && state.failed_at) {
      if (!what.empty()) what += "; ";
      what += "snapshots failing (" + std::to_string(state.consecutive_failures) +
              " in a row): " + state.error;
    }
    if (what.empty()) continue;
    if (!note.empty()) note += "; ";
    note += key.to_string() + ": " + what;
  }
  std::lock_guard lock(note_mutex_);
  note_ = std::move(note);
}

status::CheckResult EtcdGuard::note() const {
  std::lock_guard lock(note_mutex_);
  return status::CheckResult::pass(note_);
}

bool EtcdGuard::sync(plan::History& history) {
  bool changed = false;
  const auto now = deps_.time.monotonic_time();
  for (auto& [key, state] : members_) {
    auto& mh = history.members[key];
    const RestorePhase was = state.restore;
    if (state.restore_done) {
      restore_finished(key, state, mh);
      changed = true;
    }
    state.lost = mh.etcd_lost;
    if (!mh.etcd_restore_failed.empty()) {
      state.restore = RestorePhase::kHeld;  // whatever autoRestore says now: it is half-done
      state.restore_note = mh.etcd_restore_failed;
    } else if (mh.etcd_data_loss.empty()) {
      if (state.restore != RestorePhase::kRunning) state.restore = RestorePhase::kNone;
      state.restore_attempts = 0;
    } else if (!auto_restore()) {
      if (state.restore != RestorePhase::kRunning) state.restore = RestorePhase::kNone;
    } else if (state.restore == RestorePhase::kNone ||
               (state.restore == RestorePhase::kWaiting && now >= *state.restore_retry_at)) {
      state.restore = RestorePhase::kDue;
    }
    if (state.data_loss != mh.etcd_data_loss || state.restore != was) {
      state.data_loss = mh.etcd_data_loss;
      deps_.metrics.data_loss(name_of(key), !mh.etcd_data_loss.empty());
      update_note();
    }
  }
  return changed;
}

void EtcdGuard::tick_restores(const ClusterBusy& busy) {
  if (!auto_restore() || stopped_) return;
  for (auto& [key, state] : members_) {
    if (state.restore != RestorePhase::kDue || state.in_progress || busy(key.cluster)) continue;
    state.restore = RestorePhase::kRunning;
    ++state.restore_attempts;
    update_note();
    RestoreJob job{key, *state.cluster, state.subscription_id, state.lost};
    log::warn("etcd.restore.started",
              {{"cluster", key.cluster}, {"member", key.member}, {"attempt", state.restore_attempts},
               {"reason", state.data_loss}});
    auto post = [this, key](RestoreDone done) {
      if (stopped_) return;  // a restore cut short by a stop is done again after the restart
      deps_.scheduler.post([this, key, done = std::move(done)] {
        if (stopped_) return;
        if (const auto it = members_.find(key); it != members_.end()) it->second.restore_done = done;
      });
    };
    deps_.worker->submit(
        [this, job = std::move(job), post] { post(deps_.restorer->restore(job)); },
        [post](const std::string& what) {
          RestoreDone done;
          done.error = "internal error: " + what;
          done.changed = true;  // unknown: assume the worst
          post(std::move(done));
        });
  }
}

void EtcdGuard::restore_finished(const model::MemberKey& key, MemberState& state,
                                 plan::MemberHistory& history) {
  const RestoreDone done = std::move(*state.restore_done);
  state.restore_done.reset();
  const auto now = deps_.time.monotonic_time();
  switch (done.kind) {
    case RestoreDone::Kind::kRestored: {
      history.etcd_seen.reset();  // the next reading is the new baseline
      history.etcd_data_loss.clear();
      history.etcd_lost.reset();
      history.etcd_restore_failed.clear();
      state.restore = RestorePhase::kNone;
      state.restore_note.clear();
      log::warn("etcd.restore.done",
                {{"cluster", key.cluster}, {"member", key.member}, {"attempt", state.restore_attempts},
                 {"snapshot", done.snapshot},
                 {"revision", static_cast<unsigned long long>(done.revision)}});
      state.restore_attempts = 0;
      return;
    }
    case RestoreDone::Kind::kRefused:
      state.restore = RestorePhase::kGaveUp;
      state.restore_note = done.error;
      break;
    case RestoreDone::Kind::kFailed:
      if (done.changed) {
        state.restore = RestorePhase::kHeld;
        state.restore_note = done.error + "; " + done.left_as;
        history.etcd_restore_failed = state.restore_note;
      } else if (state.restore_attempts >= kMaxRestoreAttempts) {
        state.restore = RestorePhase::kGaveUp;
        state.restore_note = done.error;
      } else {
        state.restore = RestorePhase::kWaiting;
        state.restore_note = done.error;
        state.restore_retry_at = now + kRestoreRetries[state.restore_attempts - 1];
      }
      break;
  }
  const std::string next =
      state.restore == RestorePhase::kWaiting
          ? "tried again in " + core::format_duration(kRestoreRetries[state.restore_attempts - 1])
      : state.restore == RestorePhase::kHeld
          ? std::string("the cluster is held: restore by hand with `frankenetesd etcd restore`")
          : std::string("gave up: restore by hand with `frankenetesd etcd restore`");
  log::error("etcd.restore.failed",
             {{"cluster", key.cluster}, {"member", key.member}, {"attempt", state.restore_attempts},
              {"snapshot", done.snapshot}, {"error", done.error}, {"left_as", done.left_as},
              {"next", next}});
}

}  // namespace frankenetes::reconcile
