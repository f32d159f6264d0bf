#include "core/duration.h"

#include <cctype>
#include <limits>

namespace frankenetes::core {

std::optional<Duration> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  long long total_ms = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
    long long number = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      if (number > std::numeric_limits<long long>::max() / 10 / 3'600'000) return std::nullopt;
      number = number * 10 + (text[i] - '0');
      ++i;
    }
    std::size_t unit_start = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    const auto unit = text.substr(unit_start, i - unit_start);
    long long factor = 0;
    if (unit == "ms") factor = 1;
    else if (unit == "s") factor = 1000;
    else if (unit == "m") factor = 60'000;
    else if (unit == "h") factor = 3'600'000;
    else return std::nullopt;
    // Each number fits alone (checked above), but a long run of them may not: "9999999h9999999h…"
    // is no duration, not a wrapped-around one.
    if (number * factor > std::numeric_limits<long long>::max() - total_ms) return std::nullopt;
    total_ms += number * factor;
  }
  return Duration(total_ms);
}

std::string format_duration(Duration d) {
  long long ms = d.count();
  if (ms == 0) return "0s";
  std::string out;
  if (ms < 0) {
    out = "-";
    ms = -ms;
  }
  const long long h = ms / 3'600'000;
  ms %= 3'600'000;
  const long long m = ms / 60'000;
  ms %= 60'000;
  const long long s = ms / 1000;
  ms %= 1000;
  if (h) out += std::to_string(h) + "h";
  if (m) out += std::to_string(m) + "m";
  if (s) out += std::to_string(s) + "s";
  if (ms) out += std::to_string(ms) + "ms";
  return out;
}

}  // namespace frankenetes::core
