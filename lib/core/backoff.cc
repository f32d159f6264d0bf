#include "core/backoff.h"

#include <algorithm>
#include <cmath>

namespace frankenetes::core {

Duration backoff_delay(const BackoffPolicy& policy, std::uint32_t attempt) {
  const double initial_ms = static_cast<double>(policy.initial.count());
  const double max_ms = static_cast<double>(policy.max.count());
  // pow() of a large attempt overflows to +inf, which min() then caps: no integer overflow.
  const double raw = initial_ms * std::pow(policy.multiplier, static_cast<double>(attempt));
  return Duration(static_cast<Duration::rep>(std::min(raw, max_ms)));
}

Duration backoff_delay_full_jitter(const BackoffPolicy& policy, std::uint32_t attempt,
                                   double unit_random) {
  const double clamped = std::clamp(unit_random, 0.0, 1.0);
  const auto full = backoff_delay(policy, attempt);
  return Duration(static_cast<Duration::rep>(static_cast<double>(full.count()) * clamped));
}

}  // namespace frankenetes::core
