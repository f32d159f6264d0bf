#include "coordination/lease_plan.h"

#include <algorithm>
#include <set>

#include "coordination/replica_identity.h"

namespace frankenetes::coordination {
namespace {

// The order in which `self` reaches for clusters. Only spreads replicas over different
// clusters; which one wins a contested lease is the service's call.
std::uint64_t preference(const std::string& self, const std::string& cluster) {
  return stable_hash(self + '\0' + cluster);
}

void sort_by_preference(std::vector<std::string>& clusters, const std::string& self) {
  std::sort(clusters.begin(), clusters.end(), [&](const auto& a, const auto& b) {
    return std::pair(preference(self, a), a) < std::pair(preference(self, b), b);
  });
}

// Some live replica holds less than its share and will take what we release.
bool someone_below_share(const LeasePlanInput& input, std::size_t clusters) {
  for (const auto& [replica, held] : input.reported_holdings) {
    if (held < fair_share(clusters, input.live_replicas, replica)) return true;
  }
  return false;
}

}  // namespace

const char* to_string(LeaseOpKind kind) {
  switch (kind) {
    case LeaseOpKind::kRenew:
      return "renew";
    case LeaseOpKind::kRelease:
      return "release";
    case LeaseOpKind::kCreate:
      return "create";
    case LeaseOpKind::kAcquire:
      return "acquire";
    case LeaseOpKind::kHeartbeat:
      return "heartbeat";
  }
  return "unknown";
}

int fair_share(std::size_t clusters, const std::vector<std::string>& live,
               const std::string& replica) {
  const auto it = std::lower_bound(live.begin(), live.end(), replica);
  if (it == live.end() || *it != replica) return 0;
  const auto rank = static_cast<std::size_t>(it - live.begin());
  const auto base = clusters / live.size();
  return static_cast<int>(base + (rank < clusters % live.size() ? 1 : 0));
}

LeasePlan plan_lease_operations(const LeasePlanInput& input) {
  const auto& table = *input.table;
  const std::set<std::string> configured(input.clusters.begin(), input.clusters.end());
  LeasePlan plan;
  plan.share = fair_share(configured.size(), input.live_replicas, input.self);

  std::vector<std::string> held;      // configured and ours
  std::vector<std::string> departed;  // ours, no longer configured
  for (const auto& cluster : table.held()) {
    (configured.contains(cluster) ? held : departed).push_back(cluster);
  }
  sort_by_preference(held, input.self);

  std::optional<std::string> excess;
  const bool paced = input.last_release && input.now - *input.last_release < input.renew_every;
  if (static_cast<int>(held.size()) > plan.share && !paced &&
      someone_below_share(input, configured.size())) {
    excess = held.back();  // the one we care least about
  }
  for (const auto& cluster : held) {
    if (cluster != excess) plan.operations.push_back({LeaseOpKind::kRenew, cluster});
  }
  for (const auto& cluster : departed) plan.operations.push_back({LeaseOpKind::kRelease, cluster});
  if (excess) plan.operations.push_back({LeaseOpKind::kRelease, *excess});

  // Candidates: clusters an acquire could get, in-doubt acquires first (they may be ours).
  std::vector<std::string> in_doubt;
  std::vector<std::string> free;
  for (const auto& cluster : configured) {
    const auto* lease = table.find(cluster);
    if (lease == nullptr || lease->holding == LeaseHolding::kHeldByUs) continue;
    if (lease->acquire_in_doubt) {
      in_doubt.push_back(cluster);
    } else if (lease->holding == LeaseHolding::kFree || lease->holding == LeaseHolding::kMissing) {
      free.push_back(cluster);
    }
  }
  sort_by_preference(in_doubt, input.self);
  sort_by_preference(free, input.self);
  std::vector<std::string> candidates = std::move(in_doubt);
  candidates.insert(candidates.end(), free.begin(), free.end());

  auto holding = static_cast<int>(held.size()) - (excess ? 1 : 0);
  for (const auto& cluster : candidates) {
    const auto* lease = table.find(cluster);
    const bool orphan = lease->free_since && input.now - *lease->free_since >= input.renew_every;
    const int limit = plan.share + (orphan || lease->acquire_in_doubt ? 1 : 0);
    if (input.warming_up || excess || holding >= limit) continue;
    if (lease->holding == LeaseHolding::kMissing) {
      plan.operations.push_back({LeaseOpKind::kCreate, cluster});
    }
    plan.operations.push_back({LeaseOpKind::kAcquire, cluster});
    ++holding;
  }
  plan.operations.push_back({LeaseOpKind::kHeartbeat, ""});
  return plan;
}

}  // namespace frankenetes::coordination
