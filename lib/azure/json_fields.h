#pragma once
// Tolerant field access for ARM JSON, shared by the codecs' .cc files only (this header pulls
// in nlohmann::json; public headers stay JSON-free). ARM adds fields and leaves others out
// freely, so a missing or wrongly typed optional field reads as "absent", never as a throw.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace frankenetes::azure::json_fields {

using nlohmann::json;

// Parses without exceptions; nullopt plus `error` for malformed input.
inline std::optional<json> parse(std::string_view text, std::string& error) {
  json doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    error = text.empty() ? "empty body" : "not valid JSON";
    return std::nullopt;
  }
  return doc;
}

// The member `key` of `obj` if `obj` is an object and the member has the wanted type.
inline const json* member(const json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  const auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

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
