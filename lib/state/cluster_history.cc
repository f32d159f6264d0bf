#include "state/cluster_history.h"

#include <algorithm>

namespace frankenetes::state {
namespace {

std::optional<core::MonotonicTime> latest_action(const plan::MemberHistory& member) {
  std::optional<core::MonotonicTime> latest;
  const auto consider = [&](std::optional<core::MonotonicTime> t) {
    if (t && (!latest || *t > *latest)) latest = t;
  };
  for (const auto* record : {&member.in_flight, &member.last_action}) {
    if (!*record) continue;
    consider((*record)->started_at);
    consider((*record)->finished_at);
  }
  return latest;
}

bool local_is_newer(const plan::MemberHistory& local, const plan::MemberHistory& remote) {
  const auto l = latest_action(local);
  if (!l) return false;
  const auto r = latest_action(remote);
  return !r || *l > *r + kSameTimeTolerance;
}

}  // namespace

plan::History merge_cluster_history(plan::History local, const plan::History& remote,
                                    const std::string& cluster) {
  for (const auto& [key, theirs] : remote.members) {
    if (key.cluster != cluster) continue;
    plan::MemberHistory& ours = local.members[key];
    if (local_is_newer(ours, theirs)) continue;
    for (const auto at : ours.action_starts) {
      const auto it = std::find(local.action_starts.begin(), local.action_starts.end(), at);
      if (it != local.action_starts.end()) local.action_starts.erase(it);
    }
    local.action_starts.insert(local.action_starts.end(), theirs.action_starts.begin(),
                               theirs.action_starts.end());
    ours.action_starts = theirs.action_starts;
    ours.actions_taken = theirs.actions_taken;
    ours.in_flight = theirs.in_flight;
    ours.last_action = theirs.last_action;
    ours.gave_up = theirs.gave_up;
    ours.give_up_reason = theirs.give_up_reason;
    ours.give_up_detail = theirs.give_up_detail;
    ours.etcd_data_loss = theirs.etcd_data_loss;
    ours.etcd_lost = theirs.etcd_lost;
    ours.etcd_restore_failed = theirs.etcd_restore_failed;
  }
  std::sort(local.action_starts.begin(), local.action_starts.end());
  return local;
}

}  // namespace frankenetes::state
