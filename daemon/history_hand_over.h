#pragma once
// HistoryHandOver: a cluster's history moves with its lease (issue 13, state/cluster_history.h).
//   - publish(): the reconciler, on its scheduler thread, hands over a cluster's history
//     whenever it changed after a pass (cheap: only the latest per cluster is kept);
//   - flush(): the coordination thread writes what was published to state/<cluster>.json,
//     before every tick (so a fair-share release inside the tick follows the latest write) and
//     before release_all on SIGTERM; only for a cluster this replica may act on, checked right
//     before the write. A failed write is logged and tried again at the next flush;
//   - after_tick(): for each cluster newly held, reads its blob and has the reconciler merge it
//     (on the scheduler thread); until the merge is done ready() is false, and the gate says
//     no for the cluster. A missing blob is a fresh history; an unreadable one is logged as an
//     error and the replica acts with its local history; a failed read (timeout, 5xx) is tried
//     again at the next tick. A cluster no longer held is forgotten: a re-acquire reads again.
// Every storage call is bounded by the BlobService's request timeout; nothing here runs on the
// scheduler thread but publish() and the merge's `done`.

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/time_source.h"
#include "plan/history.h"

namespace frankenetes::storage {
class BlobClient;
}

namespace frankenetes::daemon {

// The seam: whole small blobs by name. A missing blob reads as nullopt.
class HistoryBlobs {
 public:
  virtual ~HistoryBlobs() = default;
  virtual core::Result<std::optional<std::string>> read(const std::string& name) = 0;
  virtual core::Status write(const std::string& name, std::string text) = 0;
};

// Over a BlobClient (Get Blob of the first 1 MiB, Put Blob).
class BlobHistoryBlobs final : public HistoryBlobs {
 public:
  explicit BlobHistoryBlobs(storage::BlobClient& blobs) : blobs_(blobs) {}
  core::Result<std::optional<std::string>> read(const std::string& name) override;
  core::Status write(const std::string& name, std::string text) override;

 private:
  storage::BlobClient& blobs_;
};

std::string history_blob_name(const std::string& cluster);  // state/<cluster>.json

class HistoryHandOver {
 public:
  using MayAct = std::function<bool(const std::string& cluster)>;  // the lease alone
  // Merges a cluster's remote history (nullopt: none or unreadable) into the reconciler's,
  // then calls `done` — any thread; never called back when the reconciler has stopped.
  using Merge = std::function<void(const std::string& cluster,
                                   std::optional<plan::History> remote,
                                   std::function<void()> done)>;

  HistoryHandOver(HistoryBlobs& blobs, const core::TimeSource& time, std::string replica,
                  MayAct holds);

  void set_merge(Merge merge);  // before the first after_tick(); empty: done at once

  bool ready(const std::string& cluster) const;  // any thread
  void publish(const std::string& cluster, plan::History part);  // any thread
  void flush();                                              // coordination thread
  void after_tick(const std::vector<std::string>& held);     // coordination thread

 private:
  void load(const std::string& cluster);

  HistoryBlobs& blobs_;
  const core::TimeSource& time_;
  const std::string replica_;
  const MayAct holds_;
  Merge merge_;

  mutable std::mutex mutex_;  // guards the four below
  std::set<std::string> ready_;
  std::set<std::string> loading_;
  std::map<std::string, plan::History> pending_;   // published, not yet written
  std::set<std::string> write_failed_;             // logged once per failing streak
};

}  // namespace frankenetes::daemon
