#include "http/retry_after.h"

#include <cstdint>
#include <string>

#include "core/strings.h"
#include "core/timestamps.h"
#include "log/event.h"

namespace frankenetes::http {
namespace {

constexpr std::int64_t kMaxRetryAfterMs =
    std::chrono::duration_cast<std::chrono::milliseconds>(kMaxRetryAfter).count();

RetryAfter capped(std::int64_t wait_ms) {
  if (wait_ms <= 0) return RetryAfter{core::Duration(0), false};
  if (wait_ms > kMaxRetryAfterMs) return RetryAfter{core::Duration(kMaxRetryAfterMs), true};
  return RetryAfter{core::Duration(wait_ms), false};
}

}  // namespace

std::optional<RetryAfter> read_retry_after(std::string_view value, core::SystemTime now) {
  value = core::trim(value, " \t");  // optional whitespace around a field value (RFC 9110 §5.5)
  if (value.empty()) return std::nullopt;
  if (value.front() >= '0' && value.front() <= '9') {
    std::int64_t seconds = 0;
    for (char c : value) {
      if (c < '0' || c > '9') return std::nullopt;
      // Saturate instead of overflowing on absurdly long digit strings.
      if (seconds <= kMaxRetryAfterMs) seconds = seconds * 10 + (c - '0');
    }
    return capped(seconds > kMaxRetryAfterMs ? kMaxRetryAfterMs + 1 : seconds * 1000);
  }
  // Compared in whole milliseconds since the epoch: any date the format can hold (up to the
  // year 9999) fits, and date - floor(now) is the delay rounded up (waiting a little too
  // long is safe, a little too short is another 429).
  const auto date = core::parse_http_date_seconds(value);
  if (!date) return std::nullopt;
  const auto now_ms = std::chrono::floor<std::chrono::milliseconds>(now.time_since_epoch()).count();
  return capped(*date * 1000 - now_ms);
}

std::optional<core::Duration> parse_retry_after(std::string_view value, core::SystemTime now) {
  const auto parsed = read_retry_after(value, now);
  if (!parsed) return std::nullopt;
  return parsed->wait;
}

std::optional<core::Duration> retry_after(const Headers& headers, core::SystemTime now) {
  const auto it = headers.find("Retry-After");
  if (it == headers.end()) return std::nullopt;
  const auto parsed = read_retry_after(it->second, now);
  if (!parsed) return std::nullopt;
  if (parsed->clamped) {
    // The raw header is peer data: bounded before it enters a log line.
    log::warn("http.retry_after.clamped",
              {{"value", it->second.substr(0, 64)},
               {"used_s", static_cast<long long>(kMaxRetryAfter.count())}});
  }
  return parsed->wait;
}

}  // namespace frankenetes::http
