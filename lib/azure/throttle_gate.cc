#include "azure/throttle_gate.h"

#include <algorithm>

#include "azure/arm_paths.h"
#include "azure/retry_after.h"

namespace frankenetes::azure {

std::string ThrottleGate::key_for_url(std::string_view url) {
  auto subscription = subscription_of_url(url);
  return subscription.empty() ? url_origin(url) : "subscription:" + subscription;
}

void ThrottleGate::close_for(const std::string& key, core::Duration retry_after) {
  // Bounded here too, whatever the caller parsed: a gate must reopen (throttle_gate.h).
  if (retry_after <= core::Duration(0)) return;
  retry_after = std::min<core::Duration>(retry_after, kMaxRetryAfter);
  const auto until = time_.monotonic_time() + retry_after;
  std::lock_guard lock(mutex_);
  auto& current = closed_until_[key];
  if (current < until) current = until;
}

std::optional<core::Duration> ThrottleGate::remaining(const std::string& key) const {
  const auto now = time_.monotonic_time();
  std::lock_guard lock(mutex_);
  const auto it = closed_until_.find(key);
  if (it == closed_until_.end() || it->second <= now) return std::nullopt;
  return std::chrono::ceil<core::Duration>(it->second - now);
}

}  // namespace frankenetes::azure
