#pragma once
// Tolerant field access for ARM JSON, shared by the codecs' .cc files only (this header pulls
// in nlohmann::json; public headers stay JSON-free). ARM adds fields and leaves others out
// freely, so a missing or wrongly typed optional field reads as "absent", never as a throw.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/json_fields.h"

namespace frankenetes::azure::json_fields {

using nlohmann::json;

// Parsing without exceptions and member lookup are core's (core/json_fields.h); this header
// adds the "absent or wrong type is one nullopt" readers the container-group codec uses.
using core::json_fields::member;
using core::json_fields::parse;

inline const json* object(const json& obj, std::string_view key) {
  const json* m = member(obj, key);
  return m != nullptr && m->is_object() ? m : nullptr;
}

inline const json* array(const json& obj, std::string_view key) {
  const json* m = member(obj, key);
  return m != nullptr && m->is_array() ? m : nullptr;
}

inline std::optional<std::string> optional_string(const json& obj, std::string_view key) {
  const json* m = member(obj, key);
  if (m == nullptr || !m->is_string()) return std::nullopt;
  return m->get<std::string>();
}

inline std::string string_or_empty(const json& obj, std::string_view key) {
  return optional_string(obj, key).value_or(std::string());
}

inline std::optional<int> optional_int(const json& obj, std::string_view key) {
  const json* m = member(obj, key);
  if (m == nullptr || !m->is_number_integer()) return std::nullopt;
  const auto v = m->get<long long>();
  if (v < -2147483647LL || v > 2147483647LL) return std::nullopt;
  return static_cast<int>(v);
}

}  // namespace frankenetes::azure::json_fields
