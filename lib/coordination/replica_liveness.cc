#include "coordination/replica_liveness.h"

#include <algorithm>

namespace frankenetes::coordination {

core::MonotonicTime ReplicaLiveness::first_change(const HeartbeatSighting& heartbeat,
                                                  core::MonotonicTime now) const {
  if (!reference_ || !heartbeat.last_modified) return now;
  const auto service_now = reference_->last_modified + (now - reference_->sent);
  const auto age =
      std::chrono::duration_cast<core::Duration>(service_now - *heartbeat.last_modified);
  return now - std::max(age, core::Duration::zero());
}

void ReplicaLiveness::observe(const std::vector<HeartbeatSighting>& heartbeats,
                              core::MonotonicTime now) {
  std::map<std::string, Seen> next;
  for (const auto& heartbeat : heartbeats) {
    if (heartbeat.replica == self_) continue;
    const auto before = replicas_.find(heartbeat.replica);
    const bool seen_before = before != replicas_.end();
    const bool unchanged = seen_before && before->second.etag == heartbeat.etag;
    // Aged now: a first sighting, or an unchanged one first seen without a reference.
    const bool age_it = !seen_before || (unchanged && before->second.provisional && reference_);
    core::MonotonicTime changed = now;
    if (age_it) {
      changed = first_change(heartbeat, now);
    } else if (unchanged) {
      changed = before->second.changed;
    }
    next[heartbeat.replica] = Seen{
        .etag = heartbeat.etag,
        .changed = changed,
        .held = heartbeat.held,
        .provisional = !reference_ && (!seen_before || (unchanged && before->second.provisional))};
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
