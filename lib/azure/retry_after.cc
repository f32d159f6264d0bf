#include "azure/retry_after.h"

#include "azure/timestamps.h"

namespace frankenetes::azure {

std::optional<core::Duration> parse_retry_after(std::string_view value, core::SystemTime now) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (value.front() >= '0' && value.front() <= '9') {
    long long seconds = 0;
    for (char c : value) {
      if (c < '0' || c > '9') return std::nullopt;
      seconds = seconds * 10 + (c - '0');
      // A day is far beyond anything ARM asks for; cap instead of overflowing.
      if (seconds > 86400) seconds = 86400;
    }
    return std::chrono::seconds(seconds);
  }
  const auto date = parse_http_date(value);
  if (!date) return std::nullopt;
  if (*date <= now) return core::Duration(0);
  // Round up: waiting a little too long is safe, a little too short is another 429.
  return std::chrono::ceil<core::Duration>(*date - now);
}

std::optional<core::Duration> retry_after(const http::Headers& headers, core::SystemTime now) {
  const auto it = headers.find("Retry-After");
  if (it == headers.end()) return std::nullopt;
  return parse_retry_after(it->second, now);
}

}  // namespace frankenetes::azure
