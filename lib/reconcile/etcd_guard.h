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
//   it; a revision that only moved on is written to the state file at most once a minute,
//   state::StateStore::kEtcdProgressWriteInterval). A new cluster id or a revision that went back is logged as etcd.data_loss_detected
//   with the newest snapshot, and raises frankenetes_etcd_data_loss_detected until a restore.
//   While a data loss is recorded the member gets no snapshots: retention must not rotate the
//   snapshots of the lost data out for copies of the emptier store.
//
//   Automatic restore (etcd.autoRestore: true; otherwise a person runs `frankenetesd etcd
//   restore`). A recorded data loss makes a restore due; the member's cluster is held from
//   then on (model::MemberObservation::etcd_restore -> the planner's etcd_restore skip). It
//   starts once no member of the cluster has an action in flight, on the guard's worker, and
//   restores the snapshot holding the most of the lost data (AutoRestorer; the steps are
//   daemon/etcd_restorer.h). Then:
//     restored                      -> the record is cleared, the hold ends, a new baseline
//                                      is read at the next probe;
//     failed, nothing changed       -> tried again after 1 min, then 4 min; after the third
//                                      failure (or a refusal) it gives up: no hold, the data
//                                      loss stays alerted;
//     failed after changing things  -> the cluster stays held (persisted: restoreFailed) until
//                                      a restore by hand: healing a half-restored etcd would
//                                      make it worse.
//   A daemon stopped during a restore does it again from the start when it comes back.
//
// Threads: every method except note() runs on the scheduler thread (the Reconciler owns the
// guard); results of the worker are posted back to it. note() is for /readyz?verbose.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/types.h"
#include "core/result.h"
#include "core/time_source.h"
#include "etcd/data_loss.h"
#include "http/message.h"
#include "http/transport.h"
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

// One automatic restore.
struct RestoreJob {
  model::MemberKey member;
  config::ClusterConfig cluster;  // the member's cluster, as configured
  std::string subscription_id;    // the cluster's, or azure.subscriptionId
  std::optional<etcd::DataIdentity> lost;  // the reading before the loss
};

struct RestoreDone {
  enum class Kind { kRestored, kRefused, kFailed };
  Kind kind = Kind::kFailed;
  bool changed = false;      // something was sent to ARM or the share before it ended
  std::string snapshot;      // the snapshot restored (or chosen)
  std::uint64_t revision = 0;
  std::string error;         // why refused / what failed
  std::string left_as;       // what a failure left behind
};

// The I/O behind an automatic restore (daemon/etcd_restorer.h in the daemon, a fake in
// tests). Blocking; runs on the guard's worker.
class AutoRestorer {
 public:
  virtual ~AutoRestorer() = default;
  virtual RestoreDone restore(const RestoreJob& job) = 0;
};

// Reads `POST /v3/maintenance/status` of a member (through the member's probe TLS settings).
// A cluster id or revision missing from the answer is an Error: unknown, never zero.
class EtcdStatusReader {
 public:
  virtual ~EtcdStatusReader() = default;
  virtual core::Result<etcd::DataIdentity> read(const config::MemberConfig& member,
                                                const std::string& endpoint) = 0;
  // The same read in two halves, for a caller that sends the request itself on an
  // asynchronous transport with the member's probe TLS settings: the request, and what its
  // answer says (any thread).
  virtual http::ClientRequest request(const config::MemberConfig& member,
                                      const std::string& endpoint) const = 0;
  virtual core::Result<etcd::DataIdentity> identity_from(
      const std::string& endpoint, const core::Result<http::Response>& response) const = 0;
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
// The same for a probed member whose probe URL is already filled in.
std::string etcd_endpoint_of_probe_url(std::string_view probe_url);

struct EtcdGuardDeps {
  Scheduler& scheduler;
  Worker* worker = nullptr;            // snapshots and look-ups, one at a time
  Snapshotter* snapshotter = nullptr;  // null (or no worker): snapshots are off
  const core::TimeSource& time;
  status::EtcdMetrics& metrics = status::noop_metrics();
  AutoRestorer* restorer = nullptr;  // null: etcd.autoRestore cannot be on
};

// Whether a member of `cluster` has an action in flight (an automatic restore waits for it).
using ClusterBusy = std::function<bool(const std::string& cluster)>;

class EtcdGuard {
 public:
  explicit EtcdGuard(EtcdGuardDeps deps);

  // The etcd members to guard and the snapshot policy; members that left are forgotten (and
  // their series removed). Kept (shared) until the next configure(): the members' settings are
  // read from it, not copied.
  void configure(std::shared_ptr<const config::Config> config);
  // Looks up each new member's newest stored snapshot (once), then starts the snapshots that
  // are due: periodic ones, and those the planner asked for. A snapshot is only attempted
  // while etcd answers (`reach_of`): a crash-looping etcd is caught between two crashes. The
  // planner's request stays wanted until a snapshot succeeds (or nobody asked for
  // maxAgeForDisruption); after maxAgeForDisruption without an answer from etcd it counts as
  // a failed attempt, so the planner alerts instead of waiting in silence.
  void tick(const std::vector<model::MemberKey>& requested, const ReachOf& reach_of);
  // The snapshot observation of every guarded member (snapshots on only), and the restore
  // hold (MemberObservation::etcd_restore).
  void fill(model::Observations& observed) const;
  // Brings the automatic restores and `history` in line, before each plan: a recorded data
  // loss makes a restore due, a restore that finished is written into history (cleared
  // record, or restoreFailed). True when history changed (the reconciler persists it).
  bool sync(plan::History& history);
  // Starts the restores that are due and whose cluster is not busy.
  void tick_restores(const ClusterBusy& busy);
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
  enum class RestorePhase {
    kNone,
    kDue,      // data loss recorded, autoRestore on: the cluster is held
    kRunning,  // on the worker: the cluster is held
    kWaiting,  // failed without changing anything: tried again at restore_retry_at
    kGaveUp,   // refused, or failed three times: alerted, no hold
    kHeld,     // failed after changing something: held until a restore by hand
  };

  struct MemberState {
    // Into config_: copies of a ClusterConfig per etcd member were megabytes at 1000 clusters.
    const config::MemberConfig* config = nullptr;
    const config::ClusterConfig* cluster = nullptr;
    std::string subscription_id;
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
    RestorePhase restore = RestorePhase::kNone;
    int restore_attempts = 0;
    std::optional<core::MonotonicTime> restore_retry_at;
    std::string restore_note;                // what the last attempt said
    std::optional<etcd::DataIdentity> lost;  // mirrored from history for the job
    std::optional<RestoreDone> restore_done;  // arrived from the worker, not yet in history
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
  void restore_finished(const model::MemberKey& key, MemberState& state, plan::MemberHistory& history);
  bool auto_restore() const { return auto_restore_ && deps_.restorer != nullptr && deps_.worker != nullptr; }

  EtcdGuardDeps deps_;
  bool enabled_ = false;
  bool auto_restore_ = false;
  std::atomic<bool> stopped_{false};  // set from the stopping thread, read by the worker
  config::EtcdSnapshotConfig policy_;
  std::shared_ptr<const config::Config> config_;
  std::map<model::MemberKey, MemberState> members_;

  mutable std::mutex note_mutex_;
  std::string note_;
};

}  // namespace frankenetes::reconcile
