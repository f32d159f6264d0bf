#pragma once
// The config library's entry points: YAML text or file in, a validated typed Config out, or
// every problem found with file:line:col and key path. Pure apart from
// load_config_file() reading the one file and process_environment() reading the environment;
// it never opens the files the configuration names (those are read by their users, so that
// rotation works and example paths need not exist).
//
// Used by daemon/ at start-up and on SIGHUP: a reload swaps in the new Config only when
// ok(), and `new == old` tells whether anything changed.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/env.h"
#include "config/problem.h"
#include "config/types.h"

namespace frankenetes::config {

struct LoadResult {
  std::optional<Config> config;         // set exactly when problems is empty
  std::vector<ConfigProblem> problems;  // every problem found, ordered by line and column

  bool ok() const { return config.has_value(); }
};

// Parses and validates `yaml_text`. `file_name` appears in problems, and relative paths in the
// configuration resolve against its directory. `${NAME}` references are looked up in `env`.
LoadResult parse_config(std::string_view yaml_text, const std::string& file_name,
                        const EnvLookup& env);

// Reads `path` and parses it; an unreadable or oversized file is one problem at line 0.
LoadResult load_config_file(const std::string& path, const EnvLookup& env);

}  // namespace frankenetes::config
