#pragma once
// Backoff: exponential back-off with an upper bound and full jitter (AWS architecture blog
// "Exponential Backoff And Jitter"). Pure: the caller supplies the random draw so tests are
// deterministic. Used by the HTTP client's retries, the remediation ladder and DNS providers.

#include <chrono>
#include <cstdint>

#include "core/time_source.h"

namespace frankenetes::core {

struct BackoffPolicy {
  Duration initial{std::chrono::seconds(10)};
  Duration max{std::chrono::minutes(5)};
  double multiplier = 2.0;
};

// Delay before attempt number `attempt` (0-based: attempt 0 waits `initial`), without jitter.
Duration backoff_delay(const BackoffPolicy& policy, std::uint32_t attempt);

// Full jitter: a delay uniformly spread over [0, backoff_delay]; `unit_random` in [0, 1).
Duration backoff_delay_full_jitter(const BackoffPolicy& policy, std::uint32_t attempt,
                                   double unit_random);

}  // namespace frankenetes::core
