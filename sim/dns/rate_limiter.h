#pragma once
// RequestRateLimiter: Cloudflare's per-token API limit (1200 requests per 5 minutes,
// azure-api.md §5). A token that has used its quota within the sliding window is blocked for
// one whole window ("going over blocks all calls for five minutes"); during the block every
// request is refused with the time left, and blocked requests do not extend it. Pure: the
// caller passes `now`.

#include <cstdint>
#include <deque>
#include <map>
#include <string>

#include "core/time_source.h"

namespace frankenetes::sim::dns {

class RequestRateLimiter {
 public:
  struct Decision {
    bool allowed = true;
    std::uint32_t remaining = 0;  // requests left in the current window after this one
    core::Duration reset_in{0};   // until the oldest counted request leaves the window
    core::Duration retry_after{0};  // when refused: until the block ends
  };

  RequestRateLimiter(std::uint32_t limit, core::Duration window);

  Decision admit(const std::string& key, core::MonotonicTime now);
  std::uint32_t limit() const { return limit_; }
  core::Duration window() const { return window_; }

 private:
  struct State {
    std::deque<core::MonotonicTime> requests;
    core::MonotonicTime blocked_until{};
  };
  std::uint32_t limit_;
  core::Duration window_;
  std::map<std::string, State> states_;
};

}  // namespace frankenetes::sim::dns
