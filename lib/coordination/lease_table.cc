#include "coordination/lease_table.h"

#include <algorithm>

namespace frankenetes::coordination {

const char* to_string(LeaseHolding holding) {
  switch (holding) {
    case LeaseHolding::kUnknown:
      return "unknown";
    case LeaseHolding::kFree:
      return "free";
    case LeaseHolding::kMissing:
      return "missing";
    case LeaseHolding::kHeldByUs:
      return "held_by_us";
    case LeaseHolding::kHeldByOthers:
      return "held_by_others";
  }
  return "unknown";
}

void LeaseTable::observe(const std::string& cluster, LeaseSighting sighting, MonotonicTime now) {
  auto& lease = at(cluster);
  if (lease.holding == LeaseHolding::kHeldByUs) return;
  // An acquire in doubt looks "leased" in a listing whether it was ours or not: keep the doubt
  // (and the retry it brings) until the retried acquire answers.
  if (lease.acquire_in_doubt && sighting == LeaseSighting::kLeased) return;
  switch (sighting) {
    case LeaseSighting::kFree:
      if (lease.holding != LeaseHolding::kFree || !lease.free_since) lease.free_since = now;
      lease.holding = LeaseHolding::kFree;
      return;
    case LeaseSighting::kLeased:
      lease.holding = LeaseHolding::kHeldByOthers;
      break;
    case LeaseSighting::kMissing:
      lease.holding = LeaseHolding::kMissing;
      break;
    case LeaseSighting::kUnknown:
      lease.holding = LeaseHolding::kUnknown;
      break;
  }
  lease.free_since.reset();
}

void LeaseTable::acquired(const std::string& cluster, MonotonicTime sent) {
  auto& lease = at(cluster);
  lease = ClusterLease{.holding = LeaseHolding::kHeldByUs, .last_success = sent};
}

void LeaseTable::renewed(const std::string& cluster, MonotonicTime sent) {
  auto& lease = at(cluster);
  if (lease.holding != LeaseHolding::kHeldByUs) return;  // released or lost meanwhile
  // Never move the deadline backwards: a late answer to an older renew must not shorten it.
  lease.last_success = lease.last_success ? std::max(*lease.last_success, sent) : sent;
}

void LeaseTable::lost(const std::string& cluster) {
  at(cluster) = ClusterLease{.holding = LeaseHolding::kHeldByOthers};
}

void LeaseTable::acquire_unknown(const std::string& cluster) {
  auto& lease = at(cluster);
  if (lease.holding == LeaseHolding::kHeldByUs) return;
  lease = ClusterLease{.holding = LeaseHolding::kUnknown, .acquire_in_doubt = true};
}

void LeaseTable::released(const std::string& cluster) {
  at(cluster) = ClusterLease{.holding = LeaseHolding::kUnknown};
}

void LeaseTable::created(const std::string& cluster, MonotonicTime now) {
  auto& lease = at(cluster);
  if (lease.holding != LeaseHolding::kMissing && lease.holding != LeaseHolding::kUnknown) return;
  lease = ClusterLease{.holding = LeaseHolding::kFree, .free_since = now};
}

std::optional<MonotonicTime> LeaseTable::act_deadline(const std::string& cluster) const {
  const auto* lease = find(cluster);
  if (lease == nullptr || lease->holding != LeaseHolding::kHeldByUs || !lease->last_success) {
    return std::nullopt;
  }
  return *lease->last_success + lease_duration_ - fencing_margin_;
}

bool LeaseTable::may_act(const std::string& cluster, MonotonicTime now) const {
  const auto deadline = act_deadline(cluster);
  return deadline && now < *deadline;
}

bool LeaseTable::held_by_us(const std::string& cluster) const {
  const auto* lease = find(cluster);
  return lease != nullptr && lease->holding == LeaseHolding::kHeldByUs;
}

std::vector<std::string> LeaseTable::held() const {
  std::vector<std::string> out;
  for (const auto& [cluster, lease] : leases_) {
    if (lease.holding == LeaseHolding::kHeldByUs) out.push_back(cluster);
  }
  return out;
}

const ClusterLease* LeaseTable::find(const std::string& cluster) const {
  const auto it = leases_.find(cluster);
  return it == leases_.end() ? nullptr : &it->second;
}

}  // namespace frankenetes::coordination
