#pragma once
// Tolerant reading of a peer's JSON: every lookup says whether the field was
// absent, null, of the wrong type, out of range, or present, and never throws. Callers decide
// what each case means; a field a decision depends on that is not present and well-typed is an
// error naming the field, never a default.
//
// Header-only, for the .cc files of libraries that link nlohmann_json themselves (fk_azure,
// fk_dns); fk_core does not link it, and public headers stay JSON-free. Shared by the DNS
// providers, the token parsers and the ARM status codecs. (lib/azure/json_fields.h is the
// older, narrower helper of the container-group codec: "absent or wrong type" as one nullopt.)
//
//   const auto ttl = json_fields::integer(record, "ttl", 1, 2147483647);
//   if (!ttl) return error("record " + id + ": " + ttl.describe("ttl"));
//   // -> record r1: "ttl" is a string, expected an integer

#include <cmath>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace frankenetes::core::json_fields {

using nlohmann::json;

enum class Presence { kPresent, kAbsent, kNull, kWrongType, kOutOfRange };

// "an object", "a string", "a number", "a boolean", "null", … for messages.
inline const char* type_name(const json& value) {
  switch (value.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::object:
      return "an object";
    case json::value_t::array:
      return "an array";
    case json::value_t::string:
      return "a string";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "an integer";
    case json::value_t::number_float:
      return "a number with a fraction";
    case json::value_t::binary:
      return "binary data";
    case json::value_t::discarded:
      return "invalid JSON";
  }
  return "an unknown JSON type";
}

// The outcome of one lookup: the value when present and well-typed, else why not.
template <typename T>
class Field {
 public:
  static Field present(T v) { return Field(Presence::kPresent, std::move(v), {}); }
  static Field missing(Presence why, std::string text) {
    return Field(why, std::nullopt, std::move(text));
  }

  bool ok() const { return presence_ == Presence::kPresent; }
  explicit operator bool() const { return ok(); }
  Presence presence() const { return presence_; }
  // Absent or null: the peer did not say. Wrong type / out of range: the peer said nonsense.
  bool absent() const { return presence_ == Presence::kAbsent || presence_ == Presence::kNull; }
  const T& value() const { return *value_; }  // only when ok()
  const T& operator*() const { return *value_; }
  const T* operator->() const { return &*value_; }
  const std::optional<T>& optional() const { return value_; }
  // "absent", "null", "a string, expected an integer", "-5, expected 1..86400".
  const std::string& problem() const { return problem_; }
  // `"name" is absent`, `"name" is a string, expected an integer`; for error messages.
  std::string describe(std::string_view name) const {
    return "\"" + std::string(name) + "\" is " + problem_;
  }

 private:
  Field(Presence p, std::optional<T> v, std::string text)
      : presence_(p), value_(std::move(v)), problem_(std::move(text)) {}

  Presence presence_;
  std::optional<T> value_;
  std::string problem_;
};

// Parses without exceptions; nullopt plus `error` for malformed input.
inline std::optional<json> parse(std::string_view text, std::string& error) {
  json doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    error = text.empty() ? "empty body" : "not valid JSON";
    return std::nullopt;
  }
  return doc;
}

// Serialises without throwing: invalid UTF-8 in a string (which json::dump() would throw on)
// is replaced by U+FFFD.
inline std::string dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

// The member `key` of `obj`; nullptr when `obj` is not an object or has no such member.
inline const json* member(const json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  const auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

namespace detail {

template <typename T>
std::optional<Field<T>> absent_or_null(const json& obj, std::string_view key, const json*& out) {
  if (!obj.is_object())
    return Field<T>::missing(Presence::kAbsent, "absent (not inside an object)");
  out = member(obj, key);
  if (out == nullptr) return Field<T>::missing(Presence::kAbsent, "absent");
  if (out->is_null()) return Field<T>::missing(Presence::kNull, "null");
  return std::nullopt;
}

template <typename T>
Field<T> wrong_type(const json& value, const char* expected) {
  return Field<T>::missing(Presence::kWrongType,
                           std::string(type_name(value)) + ", expected " + expected);
}

inline std::string range_text(std::int64_t min, std::int64_t max) {
  return std::to_string(min) + ".." + std::to_string(max);
}

// An integer held by `value` if it is a JSON integer (or a number with no fraction) that fits
// into int64; nullopt for anything else (including -0.5, 1e300, NaN).
inline std::optional<std::int64_t> exact_integer(const json& value, bool& too_large) {
  too_large = false;
  if (value.is_number_unsigned()) {
    const auto u = value.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      too_large = true;
      return std::nullopt;
    }
    return static_cast<std::int64_t>(u);
  }
  if (value.is_number_integer()) return value.get<std::int64_t>();
  if (value.is_number_float()) {
    const double d = value.get<double>();
    if (!std::isfinite(d) || std::trunc(d) != d) return std::nullopt;
    if (d < -9.2e18 || d > 9.2e18) {
      too_large = true;
      return std::nullopt;
    }
    return static_cast<std::int64_t>(d);
  }
  return std::nullopt;
}

// Decimal digits with an optional leading '-', at most 18 of them (so int64 cannot overflow).
inline std::optional<std::int64_t> decimal_string(const std::string& text, bool& too_large) {
  too_large = false;
  std::string_view digits = text;
  const bool negative = !digits.empty() && digits.front() == '-';
  if (negative) digits.remove_prefix(1);
  if (digits.empty()) return std::nullopt;
  std::int64_t out = 0;
  std::size_t count = 0;
  for (const char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    if (++count > 18) {
      too_large = true;
      return std::nullopt;
    }
    out = out * 10 + (c - '0');
  }
  return negative ? -out : out;
}

template <typename T>
Field<T> in_range(std::optional<std::int64_t> v, bool too_large, const json& value,
                  const char* expected, std::int64_t min, std::int64_t max) {
  if (too_large) {
    return Field<T>::missing(Presence::kOutOfRange, "too large, expected " + range_text(min, max));
  }
  if (!v) return wrong_type<T>(value, expected);
  if (*v < min || *v > max) {
    return Field<T>::missing(Presence::kOutOfRange,
                             std::to_string(*v) + ", expected " + range_text(min, max));
  }
  return Field<T>::present(*v);
}

}  // namespace detail

inline Field<std::string> string(const json& obj, std::string_view key) {
  const json* value = nullptr;
  if (auto missing = detail::absent_or_null<std::string>(obj, key, value)) return *missing;
  if (!value->is_string()) return detail::wrong_type<std::string>(*value, "a string");
  return Field<std::string>::present(value->get<std::string>());
}

inline Field<bool> boolean(const json& obj, std::string_view key) {
  const json* value = nullptr;
  if (auto missing = detail::absent_or_null<bool>(obj, key, value)) return *missing;
  if (!value->is_boolean()) return detail::wrong_type<bool>(*value, "a boolean");
  return Field<bool>::present(value->get<bool>());
}

// A JSON integer in [min, max]. A number with a fraction, a string ("60") or anything else
// is kWrongType; an integer outside the range is kOutOfRange.
inline Field<std::int64_t> integer(const json& obj, std::string_view key,
                                   std::int64_t min = std::numeric_limits<std::int64_t>::min(),
                                   std::int64_t max = std::numeric_limits<std::int64_t>::max()) {
  const json* value = nullptr;
  if (auto missing = detail::absent_or_null<std::int64_t>(obj, key, value)) return *missing;
  bool too_large = false;
  auto v = value->is_string() ? std::nullopt : detail::exact_integer(*value, too_large);
  return detail::in_range<std::int64_t>(v, too_large, *value, "an integer", min, max);
}

// An integer written as a JSON number or as a string of decimal digits ("3599"): OAuth token
// endpoints disagree (Entra v2.0 sends numbers, IMDS strings; reference §3.1, §3.3).
inline Field<std::int64_t> integer_or_decimal_string(
    const json& obj, std::string_view key,
    std::int64_t min = std::numeric_limits<std::int64_t>::min(),
    std::int64_t max = std::numeric_limits<std::int64_t>::max()) {
  const json* value = nullptr;
  if (auto missing = detail::absent_or_null<std::int64_t>(obj, key, value)) return *missing;
  bool too_large = false;
  const auto v = value->is_string()
                     ? detail::decimal_string(value->get_ref<const std::string&>(), too_large)
                     : detail::exact_integer(*value, too_large);
  return detail::in_range<std::int64_t>(v, too_large, *value, "an integer or a string of digits",
                                        min, max);
}

inline Field<const json*> object(const json& obj, std::string_view key) {
  const json* value = nullptr;
  if (auto missing = detail::absent_or_null<const json*>(obj, key, value)) return *missing;
  if (!value->is_object()) return detail::wrong_type<const json*>(*value, "an object");
  return Field<const json*>::present(value);
}

inline Field<const json*> array(const json& obj, std::string_view key) {
  const json* value = nullptr;
  if (auto missing = detail::absent_or_null<const json*>(obj, key, value)) return *missing;
  if (!value->is_array()) return detail::wrong_type<const json*>(*value, "an array");
  return Field<const json*>::present(value);
}

}  // namespace frankenetes::core::json_fields
