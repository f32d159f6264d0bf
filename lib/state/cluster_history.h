#pragma once
// One cluster's history as it moves with the cluster's lease (issue 13, coordination): the
// holder writes it to the blob state/<cluster>.json whenever it changes and before it lets the
// lease go; the next holder reads it before it acts on the cluster and merges it into its own
// History, so it continues the ladder, the back-off and the budget instead of starting fresh.
//
// The blob is the state file's format (state_codec.h, same version) with only that cluster's
// members, a "cluster" field, no operations and no paused members; its actionStarts are the
// cluster's share of the budget (the members' MemberHistory::action_starts).
// Pure: encode_cluster_history and decode_cluster_history are in state_codec.cc.

#include <string>
#include <string_view>

#include "core/result.h"
#include "core/time_source.h"
#include "plan/history.h"

namespace frankenetes::state {

// The persistent part (state_codec.h) of `cluster`'s members, and their action starts.
plan::History cluster_part(const plan::History& history, const std::string& cluster);

std::string encode_cluster_history(const std::string& cluster, const plan::History& history,
                                   core::SystemTime system_now, core::MonotonicTime monotonic_now);

// A terminal Error for anything that is not `cluster`'s history in a version we read.
core::Result<plan::History> decode_cluster_history(std::string_view text,
                                                   const std::string& cluster,
                                                   core::SystemTime system_now,
                                                   core::MonotonicTime monotonic_now);

// Times recorded by another process come back through the wall clock: closer than this they
// are the same time.
inline constexpr core::Duration kSameTimeTolerance = std::chrono::seconds(1);

// Merges `remote` (a decoded blob of `cluster`) into `local`, member by member: the remote
// member's ladder (actions taken, the action in flight and the last one, the give-up, the etcd
// data-loss findings) and its action starts replace the local ones unless the local member
// acted later (its latest action start or finish is newer by more than kSameTimeTolerance):
// the blob is written by the latest holder, a local history newer than it is one this replica
// wrote after a blob write that failed. Evidence this replica observed itself (restart samples,
// probe baselines, healthy_since) stays local. History::action_starts loses the replaced
// member's starts and gains the remote ones. An action the remote holder had in flight is
// left in flight: the caller records how it ended (it was interrupted by the hand-over).
// Members of other clusters are not touched.
plan::History merge_cluster_history(plan::History local, const plan::History& remote,
                                    const std::string& cluster);

}  // namespace frankenetes::state
