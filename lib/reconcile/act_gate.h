#pragma once
// ActGate: may this replica act on a cluster right now? The executors ask it right before
// every mutating call (ARM actions, DNS writes, etcd restores) and the reconciler before it
// plans; the daemon answers from its coordination::Coordinator (per-cluster Blob leases,
// issue 13). Empty: always yes (no coordination section, one daemon acts on every cluster).
// Called from any thread. lib/reconcile does not depend on lib/coordination: this is the seam.

#include <functional>
#include <string>

namespace frankenetes::reconcile {

using ActGate = std::function<bool(const std::string& cluster)>;

// The result, skip and error word for a call refused because the lease is not ours.
inline constexpr const char* kLeaseLost = "lease_lost";

inline bool may_act(const ActGate& gate, const std::string& cluster) {
  return !gate || gate(cluster);
}

}  // namespace frankenetes::reconcile
