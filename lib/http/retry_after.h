#pragma once
// Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. ARM sends seconds on 429
// and sometimes on LRO polls; Cloudflare sends seconds on 429. Parsing is pure ("now" is an
// argument); retry_after() also logs when it had to cap the value.
//
// The wait is capped at kMaxRetryAfter. Nothing we call throttles for longer (ARM refills its
// buckets within seconds, Cloudflare blocks for 5 minutes), and a larger value is a broken or
// hostile peer: "Retry-After: 99999999999" or a date in the year 9999 must not close a
// ThrottleGate for good or overflow a time point. The capped wait still goes through the
// callers' own limits (RetryingTransport's max_wait, the LRO deadline).

#include <chrono>
#include <optional>
#include <string_view>

#include "core/time_source.h"
#include "http/message.h"

namespace frankenetes::http {

inline constexpr std::chrono::seconds kMaxRetryAfter{std::chrono::minutes(5)};

struct RetryAfter {
  core::Duration wait{0};  // at most kMaxRetryAfter
  bool clamped = false;    // the header asked for more than kMaxRetryAfter
};

// The delay the header value asks for: seconds as given, a date minus `now` (0 when the date
// is past), both capped at kMaxRetryAfter. nullopt for an empty or unparseable value
// (negative numbers, "7s", garbage), so callers fall back to their own back-off instead of
// retrying immediately.
std::optional<RetryAfter> read_retry_after(std::string_view value, core::SystemTime now);
std::optional<core::Duration> parse_retry_after(std::string_view value, core::SystemTime now);

// The Retry-After header of a response (nullopt when absent or unparseable); logs
// `http.retry_after.clamped` when the value was capped.
std::optional<core::Duration> retry_after(const Headers& headers, core::SystemTime now);

}  // namespace frankenetes::http
