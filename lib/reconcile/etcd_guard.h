#pragma once
// EtcdGuard: what the daemon does for etcd's data, next to healing it (README "etcd's data").
//
//   Snapshots. Every etcd member gets a verified snapshot in Blob Storage every
//   etcd.snapshots.interval, and one on demand when the planner wants to replace its deployment
//   (plan::PlanResult::snapshot_requests: stop/start and recreate wipe a WAL kept in the
//   container). The work — stream from etcd, check the SHA-256 trailer, upload, apply
//   retention — is the Snapshotter's, on the guard's own worker (one snapshot at a time; a
//   snapshot may take minutes and must not hold up reads, probes or actions). At start the
//   newest snapshot already in the container is looked up, so a restart neither loses the
//   snapshot age nor takes a needless snapshot. A failed attempt is retried after 30 s,
//   doubling to 10 min. fill() tells the planner what is known (model::SnapshotObservation).
//
//   Data-loss detection. Every successful probe of an etcd member also reads
//   maintenance/status; record_status() compares its cluster id and revision with the last
//   reading (persisted in plan::MemberHistory, so a restart compares with what was seen before
//   it). A new cluster id or a revision that went back is logged as etcd.data_loss_detected
//   with the newest snapshot, and raises frankenetes_etcd_data_loss_detected until a restore.
//   Nothing is restored automatically.
//
// Threads: every method except note() runs on the scheduler thread (the Reconciler owns the
// guard); results of the worker are posted back to it. note() is for /readyz?verbose.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "config/types.h"
#include "core/result.h"
#include "core/time_source.h"
#include "etcd/data_loss.h"
#include "model/observation.h"
#include "plan/history.h"
#include "reconcile/scheduler.h"
#include "reconcile/worker.h"
#include "status/health.h"
#include "status/recorders.h"

namespace frankenetes::reconcile {

// One snapshot to take.
struct SnapshotJob {
  model::MemberKey member;
  config::MemberConfig member_config;  // the member's probe TLS settings apply
  std::string endpoint;                // etcd's client URL: "http://10.0.0.4:2379"
  std::string trigger;                 // "periodic" | "before a disruptive rung"
  config::EtcdSnapshotConfig policy;   // retention and timeout in force
};

struct SnapshotTaken {
  std::string name;  // the blob's name
  core::SystemTime taken_at;
  std::uint64_t size = 0;
  std::uint64_t revision = 0;
  std::string sha256;
  std::vector<std::string> removed;  // old snapshots retention deleted
  std::string retention_error;       // "" when retention ran cleanly
};

struct SnapshotFound {
  std::string name;
  core::SystemTime taken_at;
  std::uint64_t size = 0;
};

// The I/O behind snapshots: etcd → Blob Storage in the daemon, a fake in tests. Blocking; runs
// on the guard's worker.
class Snapshotter {
 public:
  virtual ~Snapshotter() = default;
  // Streams a snapshot from etcd, verifies its SHA-256 trailer, uploads it (committed only once
  // verified) and applies retention; within job.policy.timeout.
  virtual core::Result<SnapshotTaken> take(const SnapshotJob& job) = 0;
  // The newest snapshot of the member already stored; nullopt when there is none.
  virtual core::Result<std::optional<SnapshotFound>> newest(const model::MemberKey& member) = 0;
};

// Reads `POST /v3/maintenance/status` of a member (through the member's probe TLS settings).
// A cluster id or revision missing from the answer is an Error: unknown, never zero.
class EtcdStatusReader {
 public:
  virtual ~EtcdStatusReader() = default;
  virtual core::Result<etcd::DataIdentity> read(const config::MemberConfig& member,
                                                const std::string& endpoint) = 0;
};

// What the reconciler knows about an etcd member right now.
struct EtcdReach {
  std::string endpoint;       // etcd's client URL; "" when the member's address is not known
  std::string not_answering;  // "" when it answers (or nobody knows); else why not
};
using ReachOf = std::function<EtcdReach(const config::MemberConfig& member,
                                        const model::MemberKey& key)>;

// etcd's client URL: the scheme, host and port of the member's probe URL once {ip} / {fqdn} are
// filled in ("http://10.0.0.4:2379" for "http://{ip}:2379/health"), else http on port 2379 of
// its IP; "" when its address is not known.
std::string etcd_endpoint(const config::MemberConfig& member, const std::optional<std::string>& ip,
                          const std::optional<std::string>& fqdn);

struct EtcdGuardDeps {
  Scheduler& scheduler;
  Worker* worker = nullptr;            // snapshots and look-ups, one at a time
  Snapshotter* snapshotter = nullptr;  // null (or no worker): snapshots are off
  const core::TimeSource& time;
  status::EtcdMetrics& metrics = status::noop_metrics();
};

class EtcdGuard {
 public:
  explicit EtcdGuard(EtcdGuardDeps deps);

  // The etcd members to guard and the snapshot policy; members that left are forgotten (and
  // their series removed).
  void configure(const config::Config& config);
  // Looks up each new member's newest stored snapshot (once), then starts the snapshots that
  // are due: periodic ones, and those the planner asked for. A snapshot is only attempted
  // while etcd answers (`reach_of`): a crash-looping etcd is caught between two crashes. The
  // planner's request stays wanted until a snapshot succeeds (or nobody asked for
  // maxAgeForDisruption); after maxAgeForDisruption without an answer from etcd it counts as
  // a failed attempt, so the planner alerts instead of waiting in silence.
  void tick(const std::vector<model::MemberKey>& requested, const ReachOf& reach_of);
  // The snapshot observation of every guarded member (snapshots on only).
  void fill(model::Observations& observed) const;
  // A maintenance/status reading of `key`; updates the member's etcd_seen / etcd_data_loss.
  // True when data loss was detected (the reconciler persists history at once; a new revision
  // alone is written with the next plan's save).
  bool record_status(const model::MemberKey& key, const etcd::DataIdentity& identity,
                     plan::MemberHistory& history);
  // Results arriving after this are dropped. Any thread.
  void stop() { stopped_ = true; }

  bool snapshots_enabled() const {
    return deps_.snapshotter != nullptr && deps_.worker != nullptr && enabled_;
  }
  // The /readyz?verbose note: members with data loss, failing snapshots. Always passes (the
  // daemon itself is fine); any thread.
  status::CheckResult note() const;

 private:
  struct MemberState {
    config::MemberConfig config;
    bool looked_up = false;  // the newest stored snapshot is known (or the look-up failed)
    bool lookup_in_flight = false;
    bool in_progress = false;
    std::string trigger;  // of the snapshot in progress (or the last one)
    std::optional<core::MonotonicTime> verified_at;
    std::optional<core::SystemTime> verified_wall;
    std::string verified_name;
    std::optional<core::MonotonicTime> failed_at;
    std::string error;
    int consecutive_failures = 0;
    bool attempt_failed = false;  // failed_at is a real attempt (paced), not "etcd is down"
    std::optional<core::MonotonicTime> wanted_since;  // the planner asked, no success since
    std::optional<core::MonotonicTime> last_asked;
    std::string data_loss;  // mirrored from history for note()
  };

  void look_up(const model::MemberKey& key);
  void start(const model::MemberKey& key, MemberState& state, std::string endpoint,
             std::string trigger);
  void finished(const model::MemberKey& key, const core::Result<SnapshotTaken>& result,
                core::Duration duration);
  void failed(const model::MemberKey& key, MemberState& state, std::string error,
              bool attempt);
  core::Duration retry_delay(int failures) const;
  void update_note();

  EtcdGuardDeps deps_;
  bool enabled_ = false;
  std::atomic<bool> stopped_{false};  // set from the stopping thread, read by the worker
  config::EtcdSnapshotConfig policy_;
  std::map<model::MemberKey, MemberState> members_;

  mutable std::mutex note_mutex_;
  std::string note_;
};

}  // namespace frankenetes::reconcile
