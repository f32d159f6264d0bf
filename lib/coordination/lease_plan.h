#pragma once
// plan_lease_operations(): what one replica does with the leases on one tick — a pure function
// of (configured clusters, live replicas and the holdings they report, our LeaseTable, now).
// The Coordinator executes the plan in order and feeds the outcomes back to the LeaseTable.
//
// Fair share. The live replicas (replica_liveness.h), sorted by id, split C clusters exactly:
// each gets floor(C / L), and the first C mod L of them one more. Every replica computes the
// same split from the same live set, so the shares add up to C and holdings settle within one
// of each other. Then, on each tick:
// - renew every configured cluster we hold (the tick period is renewEvery);
// - release, unpaced, what we hold that left the configuration;
// - below our share: acquire free clusters (creating missing lease blobs first), in an order
//   hashed from our id so that replicas starting together reach for different clusters;
// - orphans: a cluster every listing has shown free for at least one renewEvery is one that no
//   replica below its share took, typically because replicas disagree for a moment about who
//   is live (a dead replica not yet seen dead). We take such clusters up to our share + 1 (the
//   "+ 1" of issue 13): an unheld cluster is unprotected, a slightly uneven split is not;
// - above our share: release one cluster per renewEvery, and only while some live replica
//   reports holding less than its own share, so there is always a taker and a released
//   cluster is not left free (nor taken back as an orphan a period later, which would churn).
// Clusters whose state is unknown (a failed listing) are never acquired, and nothing is
// acquired on a replica's first tick: it has not yet seen the heartbeats of replicas started
// with it, and would take every cluster only to hand all but its share back one by one.
//
// It decides nothing about safety: the lease does (lease_table.h's fencing).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "coordination/lease_table.h"

namespace frankenetes::coordination {

enum class LeaseOpKind { kRenew, kRelease, kCreate, kAcquire, kHeartbeat };
const char* to_string(LeaseOpKind kind);

struct LeaseOp {
  LeaseOpKind kind = LeaseOpKind::kHeartbeat;
  std::string cluster{};  // "" for the heartbeat

  bool operator==(const LeaseOp&) const = default;
};

struct LeasePlanInput {
  std::string self{};
  std::vector<std::string> clusters{};             // the configuration's
  std::vector<std::string> live_replicas{};        // sorted, including self
  std::map<std::string, int> reported_holdings{};  // other live replicas' own counts
  const LeaseTable* table = nullptr;
  MonotonicTime now{};
  Duration renew_every{};
  std::optional<MonotonicTime> last_release{};  // our last fair-share release
  // Our first tick: heartbeat only, acquire nothing yet (see below).
  bool warming_up = false;
};

struct LeasePlan {
  // Renewals first (they keep the right to act), then releases, creates and acquires, and the
  // heartbeat last (it reports the holdings the tick ended with).
  std::vector<LeaseOp> operations;
  int share = 0;  // our fair share
  bool operator==(const LeasePlan&) const = default;
};

LeasePlan plan_lease_operations(const LeasePlanInput& input);

// The fair share of `replica` among `live` (sorted), for `clusters` clusters; 0 when it is not
// in `live`.
int fair_share(std::size_t clusters, const std::vector<std::string>& live,
               const std::string& replica);

}  // namespace frankenetes::coordination
