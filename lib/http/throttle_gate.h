#pragma once
// ThrottleGate: after a service answers 429 with Retry-After N, no request of any kind under
// the same key goes out before now+N (a request sent earlier is rejected again and, on ARM,
// prolongs the throttling: "Azure Resource Manager request limits and throttling"). Shared by
// every RetryingTransport that talks to that service. The key says what the service throttles
// by: the URL's origin by default; ARM throttles per subscription (azure::arm_throttle_key).
// Thread-safe.
//
// Choice: callers that meet a closed gate are NOT put to sleep here; RetryingTransport answers
// them at once with a transient Error "throttled: retry after Ns". Blocking worker threads for
// an unbounded time would stall shutdown and the rest of the loop; a transient error makes
// the observation "unknown" (no action) and the caller's own cadence tries again later. Only
// the request that received the 429 waits (in RetryingTransport), if its wait is short enough.

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/time_source.h"

namespace frankenetes::http {

// The gate key of a request URL.
using ThrottleKey = std::function<std::string(std::string_view url)>;

class ThrottleGate {
 public:
  explicit ThrottleGate(core::TimeSource& time, ThrottleKey key = {});

  // The key requests to `url` are gated by.
  std::string key_for(std::string_view url) const;

  // Closes the gate for `key` until now + `retry_after` (never shortens an existing closure).
  // The closure is capped at kMaxRetryAfter (retry_after.h); zero or negative does nothing.
  void close_for(const std::string& key, core::Duration retry_after);
  // How long the gate for `key` stays closed; nullopt when it is open.
  std::optional<core::Duration> remaining(const std::string& key) const;

 private:
  core::TimeSource& time_;
  const ThrottleKey key_;
  mutable std::mutex mutex_;
  std::map<std::string, core::MonotonicTime> closed_until_;
};

}  // namespace frankenetes::http
