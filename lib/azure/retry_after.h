#pragma once
// Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. ARM sends seconds on 429
// and sometimes on LRO polls. Pure: "now" is an argument.

#include <optional>
#include <string_view>

#include "core/time_source.h"
#include "http/message.h"

namespace frankenetes::azure {

// The delay the header asks for: seconds as given, a date minus `now` (0 when the date is
// past). nullopt for an absent, empty or unparseable header, so callers fall back to their
// own back-off instead of retrying immediately.
std::optional<core::Duration> parse_retry_after(std::string_view value, core::SystemTime now);
std::optional<core::Duration> retry_after(const http::Headers& headers, core::SystemTime now);

}  // namespace frankenetes::azure
