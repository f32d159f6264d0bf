#include "http/throttle_gate.h"

#include <algorithm>
#include <utility>

#include "http/retry_after.h"
#include "http/url.h"

namespace frankenetes::http {

ThrottleGate::ThrottleGate(core::TimeSource& time, ThrottleKey key)
    : time_(time), key_(key ? std::move(key) : ThrottleKey(url_origin)) {}

std::string ThrottleGate::key_for(std::string_view url) const { return key_(url); }

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

}  // namespace frankenetes::http
