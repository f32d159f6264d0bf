#pragma once
// ThrottleGate: after ARM answers 429 with Retry-After N for a subscription, no request of any
// kind for that subscription goes out before now+N (reference/azure-api.md §2.2: a request
// sent earlier is rejected again and prolongs the throttling). Shared by every
// RetryingTransport of the process; keyed by the subscription in the request URL (or the
// host for URLs without one). Thread-safe.
//
// Choice: callers that meet a closed gate are NOT put to sleep here; RetryingTransport answers
// them at once with a transient Error "throttled: retry after Ns". Blocking worker threads for
// an unbounded time would stall shutdown and the rest of the loop; a transient error makes
// the observation "unknown" (no action) and the caller's own cadence tries again later. Only
// the request that received the 429 waits (in RetryingTransport), if its wait is short enough.

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/time_source.h"

namespace frankenetes::azure {

class ThrottleGate {
 public:
  explicit ThrottleGate(core::TimeSource& time) : time_(time) {}

  // The key requests of `url` are gated by: the subscription id, else the URL's origin.
  static std::string key_for_url(std::string_view url);

  // Closes the gate for `key` until now + `retry_after` (never shortens an existing closure).
  // The closure is capped at kMaxRetryAfter (retry_after.h); zero or negative does nothing.
  void close_for(const std::string& key, core::Duration retry_after);
  // How long the gate for `key` stays closed; nullopt when it is open.
  std::optional<core::Duration> remaining(const std::string& key) const;

 private:
  core::TimeSource& time_;
  mutable std::mutex mutex_;
  std::map<std::string, core::MonotonicTime> closed_until_;
};

}  // namespace frankenetes::azure
