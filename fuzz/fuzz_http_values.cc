// Header and value syntax from peers: Retry-After (http/retry_after), the timestamps of JSON
// bodies and headers (core/timestamps: ISO 8601 / RFC 3339, IMF-fixdate, the basic form of
// snapshot names), durations (core/duration), base64 (core/base64) and URLs (http/url: ARM's
// nextLink and LRO locations). Besides "no crash", the round trips the headers promise are
// checked: what a parser accepts, its formatter writes and the parser reads back the same.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/base64.h"
#include "core/duration.h"
#include "core/timestamps.h"
#include "fuzz_support.h"
#include "http/retry_after.h"
#include "http/url.h"
#include "log/event.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Events such as http.retry_after.clamped would print once per input; the code paths that
  // build them still run up to the level check.
  frankenetes::log::configure(frankenetes::log::Level::kOff, frankenetes::log::Format::kText);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace frankenetes;
  const std::string_view text = fuzz::as_text(data, size);
  const core::SystemTime now = fuzz::FixedTime{}.system_time();

  if (auto wait = http::read_retry_after(text, now)) {
    if (wait->wait.count() < 0 || wait->wait > http::kMaxRetryAfter) std::abort();
  }
  if (auto wait = http::parse_retry_after(text, now)) {
    if (wait->count() < 0 || *wait > http::kMaxRetryAfter) std::abort();
  }
  http::Headers headers;
  headers.emplace("Retry-After", std::string(text));
  (void)http::retry_after(headers, now);

  if (auto t = core::parse_iso8601(text)) {
    const auto again = core::parse_iso8601(core::format_iso8601(*t));
    if (!again || *again != std::chrono::floor<std::chrono::seconds>(*t)) std::abort();
  }
  if (auto t = core::parse_http_date(text)) {
    if (core::parse_http_date(core::format_http_date(*t)) != *t) std::abort();
    if (!core::parse_http_date_seconds(text)) std::abort();
  }
  (void)core::parse_http_date_seconds(text);
  if (auto t = core::parse_iso8601_basic(text)) {
    if (core::format_iso8601_basic(*t) != text) std::abort();
  }

  if (auto d = core::parse_duration(text)) (void)core::format_duration(*d);
  if (auto bytes = core::base64_decode(text)) {
    if (core::base64_decode(core::base64_encode(*bytes)) != *bytes) std::abort();
  }
  (void)http::parse_url(text);
  (void)http::url_origin(text);
  return 0;
}
