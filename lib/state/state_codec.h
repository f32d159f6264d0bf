#pragma once
// The state file's format: what survives a restart of the daemon (issue "history survives
// restarts"): per member the ladder position, the last and the in-flight action, the give-up,
// since when it is healthy; the start times of the actions in the budget window; and pending
// recreate operations; the members an operator paused (admin API). Versioned JSON:
//   {"format": "frankenetesd-state", "version": 1, "writtenAt": "<RFC 3339>",
//    "members": [...], "actionStarts": [...], "operations": [...],
//    "paused": [{"cluster": …, "member": …}, …]}
// "paused" came later in version 1: a file without it has no paused member, and a daemon that
// predates it ignores it. So did a member's own "actionStarts" (its share of the budget, what
// moves with its cluster: cluster_history.h): absent, none.
// History's times are monotonic and mean nothing in another process: they are written as
// wall-clock times (RFC 3339, milliseconds) and read back relative to the reader's clocks.
// Restart samples, probe baselines and dependency trouble are not kept: they are evidence
// gathered again after a restart, and losing them only delays an action.
// Pure: no file access (state_store.h does that).

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/time_source.h"
#include "plan/history.h"
#include "state/operation.h"

namespace frankenetes::state {

inline constexpr int kStateFormatVersion = 1;

struct PersistedState {
  plan::History history;
  std::vector<RecreateOperation> operations;
  std::set<model::MemberKey> paused{};  // by an operator: no action of any kind until resumed

  bool operator==(const PersistedState&) const = default;
};

// The part of `history` that is persisted (everything else cleared): what encode writes and
// decode gives back, so callers can tell whether a write is needed.
plan::History persistent_part(const plan::History& history);

// How the persistent part of `history` compares with `written` (a persistent part itself),
// without building a copy of it (a copy was megabytes at a thousand clusters, every pass):
// the same, different only in etcd members' readings having moved on (the same cluster id, a
// revision not lower), or changed otherwise.
enum class PersistentChange { kSame, kEtcdProgress, kChanged };
PersistentChange compare_persistent(const plan::History& history, const plan::History& written);

// `now` pairs the two clocks at one instant for the conversion.
std::string encode_state(const PersistedState& state, core::SystemTime system_now,
                         core::MonotonicTime monotonic_now);

// A terminal Error naming the field for anything that is not a state file of a version we
// can read.
core::Result<PersistedState> decode_state(std::string_view text, core::SystemTime system_now,
                                          core::MonotonicTime monotonic_now);

}  // namespace frankenetes::state
