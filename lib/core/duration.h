#pragma once
// Parsing and printing of durations as operators write them in config: "500ms", "10s", "5m",
// "1h", "1m30s". Pure.

#include <optional>
#include <string>
#include <string_view>

#include "core/time_source.h"

namespace frankenetes::core {

// nullopt when the text is not a valid duration (empty, no unit, unknown unit, negative).
std::optional<Duration> parse_duration(std::string_view text);

// The shortest exact spelling: 90000ms -> "1m30s", 500ms -> "500ms", 0 -> "0s".
std::string format_duration(Duration d);

}  // namespace frankenetes::core
