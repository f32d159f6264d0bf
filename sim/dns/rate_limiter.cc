#include "sim/dns/rate_limiter.h"

namespace frankenetes::sim::dns {

RequestRateLimiter::RequestRateLimiter(std::uint32_t limit, core::Duration window)
    : limit_(limit), window_(window) {}

RequestRateLimiter::Decision RequestRateLimiter::admit(const std::string& key,
                                                      core::MonotonicTime now) {
  State& state = states_[key];
  Decision decision;
  if (now < state.blocked_until) {
    decision.allowed = false;
    decision.retry_after =
        std::chrono::duration_cast<core::Duration>(state.blocked_until - now);
    decision.reset_in = decision.retry_after;
    return decision;
  }
  while (!state.requests.empty() && state.requests.front() + window_ <= now) {
    state.requests.pop_front();
  }
  if (state.requests.size() >= limit_) {
    state.blocked_until = now + window_;
    state.requests.clear();
    decision.allowed = false;
    decision.retry_after = window_;
    decision.reset_in = window_;
    return decision;
  }
  state.requests.push_back(now);
  decision.remaining = limit_ - static_cast<std::uint32_t>(state.requests.size());
  decision.reset_in =
      std::chrono::duration_cast<core::Duration>(state.requests.front() + window_ - now);
  return decision;
}

}  // namespace frankenetes::sim::dns
