#pragma once
// Environment variable references in configuration values. Any string value may contain
// "${NAME}" (NAME: letters, digits, underscores, not starting with a digit), replaced by the
// variable's value when the file is loaded; "$${" stands for a literal "${". Secrets accept
// only a value that is exactly one reference (MapReader::read_secret in yaml_reader.h).
// Lookups go through EnvLookup so that tests inject a fake environment.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace frankenetes::config {

// The value of environment variable `name`, or nullopt when it is not set.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

// The real environment (std::getenv).
EnvLookup process_environment();

// `text` with every ${NAME} replaced. Errors (kInvalidConfig) name the variable, never a value:
// an unset variable or a malformed reference.
core::Result<std::string> expand_env_references(std::string_view text, const EnvLookup& env);

// NAME when `text` is exactly "${NAME}", else nullopt.
std::optional<std::string> env_reference_name(std::string_view text);

}  // namespace frankenetes::config
