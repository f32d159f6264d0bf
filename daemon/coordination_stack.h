#pragma once
// CoordinationStack: the `coordination` section at work (issue 13, lib/coordination). Several
// daemons on one configuration share its clusters through one Blob lease per cluster in the
// storage section's container; this replica acts only on the clusters whose lease it holds.
//   - Blob Storage: its own client (azure.caFile), the storage section's authorizer and a
//     BlobService whose request timeout is renewEvery; no retrying transport (the next tick is
//     the retry) and not stop-aware (release_all() runs after SIGTERM);
//   - the Coordinator over a BlobCoordinationStore, ticked every renewEvery on a thread of
//     its own (never the scheduler's: a tick blocks in storage calls);
//   - gate(): the ActGate (reconcile/act_gate.h) the executors and the reconciler ask: the
//     lease, and the cluster's handed-over history merged (history_hand_over.h);
//   - the history hand-over: publish_history() from the reconciler, written to
//     state/<cluster>.json before every tick; read and merged (set_history_merge) when a
//     cluster is newly held;
//   - stop(): the thread writes the histories published last, releases every lease and
//     deletes its heartbeat, so the other replicas take the clusters at their next tick, then
//     ends.
// Absent section: no stack, and every cluster is this daemon's (today's behaviour).

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "config/types.h"
#include "coordination/blob_coordination_store.h"
#include "coordination/coordinator.h"
#include "core/result.h"
#include "daemon/arm_stack.h"
#include "daemon/history_hand_over.h"
#include "daemon/http_clients.h"
#include "reconcile/act_gate.h"
#include "status/metrics.h"
#include "status/status_snapshot.h"
#include "storage/blob_auth.h"
#include "storage/blob_client.h"
#include "storage/blob_service.h"

namespace frankenetes::daemon {

// The replica id a configuration gives this process: coordination.replicaId, else
// <hostname>-<pid>; "" without a coordination section.
std::string replica_id_of(const config::Config& config);

// The configuration's cluster names, in order.
std::vector<std::string> cluster_names(const config::Config& config);

class CoordinationStack {
 public:
  struct Deps {
    const HttpClients& clients;
    ArmStack& arm;  // the credential for storage.auth: azure
    core::TimeSource& time;
    status::Metrics& metrics;  // frankenetes_cluster_leader
  };
  // Null without a coordination section; kInvalidConfig when the storage key cannot be read.
  static core::Result<std::unique_ptr<CoordinationStack>> create(const config::Config& config,
                                                                 Deps deps);
  ~CoordinationStack();  // stops the thread (without releasing) if join() did not
  CoordinationStack(const CoordinationStack&) = delete;
  CoordinationStack& operator=(const CoordinationStack&) = delete;

  const std::string& replica_id() const { return coordinator_->settings().replica_id; }
  reconcile::ActGate gate() {
    return [this](const std::string& cluster) {
      return coordinator_->may_act(cluster) && history_->ready(cluster);
    };
  }
  // The reconciler's side of the history hand-over (history_hand_over.h); before start().
  void set_history_merge(HistoryHandOver::Merge merge) { history_->set_merge(std::move(merge)); }
  // A cluster's history changed after a pass (state::cluster_part); any thread, never blocks.
  void publish_history(const std::string& cluster, plan::History part) {
    history_->publish(cluster, std::move(part));
  }
  coordination::Coordinator& coordinator() { return *coordinator_; }
  // /status: per configured cluster, what this replica believes of its lease. Any thread.
  status::CoordinationStatus status();

  void start();  // the tick thread: a tick now, then every renewEvery
  void set_clusters(const config::Config& config);
  // Asks the thread to release every lease and end; any thread.
  void stop();
  // Waits for the thread until `deadline`; false when it is still in a storage call (it is
  // detached and still uses the stack).
  bool join(std::chrono::steady_clock::time_point deadline);

 private:
  CoordinationStack(Deps deps, const config::Config& config);
  core::Status build(const config::Config& config);
  void run();
  void record(const coordination::TickReport& report, const char* what);
  // frankenetes_cluster_leader from the fencing rule, at every scrape (Metrics::render).
  void refresh_leader_gauge();

  Deps deps_;
  std::vector<std::string> clusters_;
  std::shared_ptr<http::HttpTransport> client_;
  std::unique_ptr<storage::BlobAuthorizer> authorizer_;
  std::unique_ptr<storage::BlobService> service_;
  std::unique_ptr<storage::BlobClient> blobs_;
  std::unique_ptr<coordination::BlobCoordinationStore> store_;
  std::unique_ptr<coordination::Coordinator> coordinator_;
  std::unique_ptr<BlobHistoryBlobs> history_blobs_;
  std::unique_ptr<HistoryHandOver> history_;

  std::mutex mutex_;  // guards the three below
  std::condition_variable wake_;
  bool stop_ = false;
  bool done_ = false;
  std::vector<std::string> last_held_;    // the thread's only
  std::vector<std::string> last_acting_;  // the thread's only: the gauge's last values
  std::thread thread_;
};

}  // namespace frankenetes::daemon
