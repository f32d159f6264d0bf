#include "config/env.h"

#include <cctype>
#include <cstdlib>

namespace frankenetes::config {
namespace {

bool is_env_name(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (const char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

core::Error invalid(std::string message) {
  return core::make_error(core::ErrorKind::kInvalidConfig, std::move(message));
}

}  // namespace

EnvLookup process_environment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

core::Result<std::string> expand_env_references(std::string_view text, const EnvLookup& env) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text.substr(i, 3) == "$${") {
      out += "${";
      i += 3;
      continue;
    }
    if (text.substr(i, 2) != "${") {
      out += text[i++];
      continue;
    }
    const auto close = text.find('}', i + 2);
    const auto name =
        close == std::string_view::npos ? std::string_view() : text.substr(i + 2, close - i - 2);
    if (close == std::string_view::npos || !is_env_name(name)) {
      return invalid(
          "invalid environment variable reference: use ${NAME} with letters, digits "
          "and underscores (write $${ for a literal ${)");
    }
    const auto value = env(name);
    if (!value) return invalid("environment variable \"" + std::string(name) + "\" is not set");
    out += *value;
    i = close + 1;
  }
  return out;
}

std::optional<std::string> env_reference_name(std::string_view text) {
  if (text.size() < 4 || text.substr(0, 2) != "${" || text.back() != '}') return std::nullopt;
  const auto name = text.substr(2, text.size() - 3);
  if (!is_env_name(name)) return std::nullopt;
  return std::string(name);
}

}  // namespace frankenetes::config
