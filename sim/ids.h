#pragma once
// Identifiers and timestamps as Azure prints them: GUIDs for request/operation ids,
// ISO-8601 UTC timestamps (seconds for resource events, 7 fractional digits for async
// operation status), base64url for opaque tokens. Pure; randomness comes from a caller-owned
// engine so tests are deterministic.

#include <cstdint>
#include <random>
#include <string>
#include <string_view>

#include "core/time_source.h"

namespace frankenetes::sim {

using Random = std::mt19937_64;

// "3f2504e0-4f89-41d3-9a0c-0305e82c3301" (version 4 layout).
std::string make_guid(Random& random);
// Hex string of `bytes` random bytes.
std::string random_hex(Random& random, std::size_t bytes);

// "2026-01-01T00:00:00Z"
std::string format_time_seconds(core::SystemTime t);
// "2026-01-01T00:00:00.0000000Z" (async-operation status bodies use 7 digits)
std::string format_time_7(core::SystemTime t);
// "20260101T000000Z" (x-ms-routing-request-id)
std::string format_time_compact(core::SystemTime t);
// Seconds since the epoch.
std::int64_t epoch_seconds(core::SystemTime t);

std::string base64url_encode(std::string_view in);
// Empty optional-like result signalled by `ok` = false on malformed input.
std::string base64url_decode(std::string_view in, bool* ok);

}  // namespace frankenetes::sim
