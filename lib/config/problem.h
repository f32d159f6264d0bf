#pragma once
// ConfigProblem: one thing wrong with a configuration file, located precisely enough for an
// operator to fix it without guessing. parse_config() (config/config.h) returns all of them.

#include <string>

namespace frankenetes::config {

struct ConfigProblem {
  std::string file;
  int line = 0;          // 1-based; 0 when the problem concerns the whole file (e.g. unreadable)
  int column = 0;        // 1-based; 0 with line 0
  std::string key_path;  // "clusters[0].members[1].probe.period"; empty at the top level
  std::string message;

  // "file:line:col: key.path: message"; the key path is left out when empty, and line and
  // column when they are 0.
  std::string to_string() const;
  bool operator==(const ConfigProblem&) const = default;
};

}  // namespace frankenetes::config
