#include "coordination/replica_liveness.h"

#include <algorithm>

namespace frankenetes::coordination {

void ReplicaLiveness::observe(const std::vector<HeartbeatSighting>& heartbeats,
                              core::MonotonicTime now) {
  std::map<std::string, Seen> next;
  for (const auto& heartbeat : heartbeats) {
    if (heartbeat.replica == self_) continue;
    const auto before = replicas_.find(heartbeat.replica);
    const bool changed = before == replicas_.end() || before->second.etag != heartbeat.etag;
    next[heartbeat.replica] = Seen{.etag = heartbeat.etag,
                                   .changed = changed ? now : before->second.changed,
                                   .held = heartbeat.held};
  }
  replicas_ = std::move(next);
}

std::vector<std::string> ReplicaLiveness::live(core::MonotonicTime now) const {
  std::vector<std::string> out{self_};
  for (const auto& [replica, seen] : replicas_) {
    if (is_live(seen, now)) out.push_back(replica);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::map<std::string, int> ReplicaLiveness::reported_holdings(core::MonotonicTime now) const {
  std::map<std::string, int> out;
  for (const auto& [replica, seen] : replicas_) {
    if (is_live(seen, now) && seen.held) out[replica] = *seen.held;
  }
  return out;
}

}  // namespace frankenetes::coordination
