#pragma once
// Small string helpers shared across libraries. Pure.

#include <cstddef>
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

}  // namespace frankenetes::core
