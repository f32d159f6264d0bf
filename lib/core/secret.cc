#include "core/secret.h"

#include <string_view>

namespace frankenetes::core {

std::string redact(std::string text, const std::vector<const Secret*>& secrets) {
  constexpr std::string_view kRedacted = "<redacted>";
  for (const auto* secret : secrets) {
    if (secret == nullptr || secret->empty()) continue;
    const auto& value = secret->reveal();
    // Search on after the marker: a secret that occurs in "<redacted>" must not loop forever.
    for (auto at = text.find(value); at != std::string::npos;
         at = text.find(value, at + kRedacted.size())) {
      text.replace(at, value.size(), kRedacted);
    }
  }
  return text;
}

}  // namespace frankenetes::core
