#pragma once
// JSON helpers for the credentials' .cc files only (this header pulls in nlohmann::json;
// public headers stay JSON-free, as in json_fields.h).

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace frankenetes::azure {

// An integer written as a JSON number or as a string of decimal digits ("3599"): Entra v2.0
// sends numbers, IMDS and App Service send strings (reference §3.3). nullopt otherwise.
inline std::optional<std::int64_t> json_integer(const nlohmann::json& value) {
  if (value.is_number_integer()) return value.get<std::int64_t>();
  if (value.is_number_float()) {
    const auto d = value.get<double>();
    if (!(d >= 0 && d < 1e15)) return std::nullopt;  // also rejects NaN
    return static_cast<std::int64_t>(d);
  }
  if (!value.is_string()) return std::nullopt;
  const auto& text = value.get_ref<const std::string&>();
  if (text.empty() || text.size() > 15) return std::nullopt;
  std::int64_t out = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    out = out * 10 + (c - '0');
  }
  return out;
}

}  // namespace frankenetes::azure
