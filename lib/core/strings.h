#pragma once
// Small string helpers shared across libraries. Pure.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace frankenetes::core {

// Levenshtein distance, for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word` if it is close enough to be a plausible typo, else "".
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

bool starts_with(std::string_view s, std::string_view prefix);
std::vector<std::string> split(std::string_view s, char sep);

// ASCII only, on purpose: the names compared here (DNS names, ARM states and ids, header
// values) are ASCII by protocol, and std::tolower's result depends on the process locale.
std::string to_lower(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
bool icontains(std::string_view haystack, std::string_view needle);

// `s` without leading and trailing characters from `chars` (by default the C locale's
// whitespace: space, \t, \n, \v, \f, \r).
inline constexpr std::string_view kWhitespace = " \t\n\v\f\r";
std::string_view trim(std::string_view s, std::string_view chars = kWhitespace);
// `s` without trailing characters from `chars`: trim_end("https://host//", "/") is
// "https://host", the base a URL path is appended to.
std::string_view trim_end(std::string_view s, std::string_view chars = kWhitespace);

// At most `limit` bytes of text a peer sent, for one log line or error message: control
// characters become spaces (the line stays one line) and bytes outside ASCII become '?' (a cut
// never leaves invalid UTF-8 for JSON logs); "..." marks a cut.
std::string printable_excerpt(std::string_view text, std::size_t limit);

// A decimal number that fits 64 bits: digits only (no sign, space or prefix), nullopt otherwise.
// For sizes and counts peers send as text (Content-Length, XML elements).
std::optional<std::uint64_t> parse_uint64(std::string_view s);

// A strict dotted quad: four decimal octets 0..255 without leading zeros (which some parsers
// read as octal), nothing before or after. The same answer as inet_pton(AF_INET, …).
bool is_ipv4(std::string_view s);

}  // namespace frankenetes::core
