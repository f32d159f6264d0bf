#pragma once
// Timestamp parsing for the two formats peers put on the wire: ISO-8601 / RFC 3339 in JSON
// bodies (ARM: "2017-08-08T00:09:10Z", "2019-03-11T07:31:31.6532123Z", "...+00:00") and the
// HTTP date of a Retry-After header (RFC 9110 §5.6.7 IMF-fixdate, http/retry_after.h); and the
// ISO 8601 basic format that names etcd snapshot blobs (etcd/snapshot_catalog.h). Pure; no
// locale, no timegm.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/time_source.h"

namespace frankenetes::core {

// nullopt for anything that is not a valid date-time. Fractional seconds of any length are
// accepted (ACI sends 7 digits); digits beyond nanoseconds are dropped. A missing zone
// designator is read as UTC, which is what ARM means when it omits one.
std::optional<core::SystemTime> parse_iso8601(std::string_view s);

// "Sun, 06 Nov 1994 08:49:37 GMT" -> time point; nullopt otherwise (the obsolete RFC 850 and
// asctime forms are not accepted: ARM does not send them).
std::optional<core::SystemTime> parse_http_date(std::string_view s);

// The same date as seconds since the epoch. Every date the format can hold (years 0000 to
// 9999) fits, so callers that only compare or subtract (Retry-After) can handle dates that
// core::SystemTime cannot represent; parse_http_date() and parse_iso8601() answer nullopt for
// those (SystemTime counts nanoseconds in 64 bits: about years 1678 to 2261).
std::optional<std::int64_t> parse_http_date_seconds(std::string_view s);

// The IMF-fixdate of `t` in UTC, truncated to the second: "Sun, 06 Nov 1994 08:49:37 GMT"
// (Azure Storage's x-ms-date header, which must be within 15 minutes of the service's clock).
std::string format_http_date(core::SystemTime t);

// RFC 3339 in UTC, truncated to the second: "2026-12-02T13:45:00Z" (what the status page and
// /status show; parse_iso8601() reads it back).
std::string format_iso8601(core::SystemTime t);

// ISO 8601 basic format in UTC, truncated to the second: "20261202T134500Z". Fixed width, so
// such strings sort as the times do, and without colons, so they fit blob names and file names.
std::string format_iso8601_basic(core::SystemTime t);

// Exactly the form format_iso8601_basic() writes (16 characters, 'T', 'Z'); nullopt otherwise,
// including for invalid dates and leap seconds, so that parse and format round-trip.
std::optional<core::SystemTime> parse_iso8601_basic(std::string_view s);

}  // namespace frankenetes::core
