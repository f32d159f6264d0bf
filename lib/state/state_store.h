#pragma once
// StateStore: the daemon's state directory (config `stateDirectory`, default
// $STATE_DIRECTORY as systemd's StateDirectory= sets it, else /var/lib/frankenetes). Holds
//   lock         flock()ed for the daemon's lifetime: one writer per directory; a second
//                daemon on the same directory refuses to start (it names the holder's pid)
//   state.json   the persisted history, pending operations and paused members
//                (state/state_codec.h), replaced
//                atomically: write state.json.tmp, fsync, rename, fsync the directory.
// Thread-safe: the reconciler's scheduler thread saves history, the actions worker updates
// recreate operations; every write rewrites the whole (small) file from the latest of both.
// A write that fails is logged by the caller and retried with the next change; it never
// stops the loop.

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/time_source.h"
#include "state/state_codec.h"

namespace frankenetes::state {

enum class LoadStatus {
  kLoaded,      // state.json read
  kMissing,     // no state.json: first start, or the file was removed
  kUnreadable,  // state.json exists but cannot be read or decoded (problem says why)
};

struct LoadedState {
  LoadStatus status = LoadStatus::kMissing;
  std::string problem;
  PersistedState state;
};

class StateStore {
 public:
  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  // Creates the directory (0700) if needed and takes the lock; an Error names the directory
  // and, when another process holds it, that process's pid.
  static core::Result<std::unique_ptr<StateStore>> open(const std::string& directory,
                                                        const core::TimeSource& time);

  const std::string& directory() const { return directory_; }
  std::string state_file() const { return directory_ + "/state.json"; }

  // Reads state.json; what it returns is also what the store holds from now on.
  LoadedState load();

  // Writes when the persistent part of `history` differs from what was last written, except
  // when all that changed is etcd members' status moving on (same cluster id, revision not
  // lower): every passing probe of an etcd member reads it, and a busy cluster's revision
  // grows with every write, so that alone would rewrite (and fsync) the file every pass. Such
  // progress is written with the next other change, or kEtcdProgressWriteInterval after the
  // last write. A daemon restarted in between compares its first readings with a revision up
  // to that old: a cluster id that changed or a revision below it is still a data loss.
  static constexpr core::Duration kEtcdProgressWriteInterval = std::chrono::minutes(1);
  core::Status save_history(const plan::History& history);
  // Adds or replaces the member's operation, and writes at once (before the caller acts).
  core::Status put_operation(const RecreateOperation& operation);
  core::Status remove_operation(const model::MemberKey& member);
  std::vector<RecreateOperation> operations() const;
  // Pauses or resumes the member (admin API), and writes at once when that changes anything.
  core::Status set_paused(const model::MemberKey& member, bool paused);
  std::set<model::MemberKey> paused() const;

 private:
  StateStore(std::string directory, int lock_fd, const core::TimeSource& time)
      : directory_(std::move(directory)), lock_fd_(lock_fd), time_(time) {}
  core::Status write_locked();

  const std::string directory_;
  const int lock_fd_;
  const core::TimeSource& time_;
  mutable std::mutex mutex_;
  plan::History history_;  // persistent part only
  std::optional<core::MonotonicTime> last_write_;  // of state.json, successful
  std::map<model::MemberKey, RecreateOperation> operations_;
  std::set<model::MemberKey> paused_;
};

}  // namespace frankenetes::state
