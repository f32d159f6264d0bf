#pragma once
// Helpers shared by the config tests: parse inline YAML with a fake environment and look at
// the problems as the one-line strings operators see.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace frankenetes::config::testing {

inline constexpr const char* kTestFile = "test.yaml";

// An environment holding exactly `vars`.
inline EnvLookup fake_env(std::map<std::string, std::string> vars = {}) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    const auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

// Tests write YAML as raw strings starting on the line after R"(; drop that first newline so
// that line numbers in expectations match the text as it reads.
inline std::string_view yaml_text(std::string_view text) {
  if (!text.empty() && text.front() == '\n') text.remove_prefix(1);
  return text;
}

inline LoadResult parse(std::string_view yaml, std::map<std::string, std::string> env = {}) {
  return parse_config(yaml_text(yaml), kTestFile, fake_env(std::move(env)));
}

inline std::vector<std::string> problem_lines(const LoadResult& result) {
  std::vector<std::string> lines;
  for (const auto& problem : result.problems) lines.push_back(problem.to_string());
  return lines;
}

// The smallest valid configuration; tests append sections or start from a copy of it.
inline constexpr std::string_view kMinimalConfig = R"(
azure:
  subscriptionId: 00000000-0000-0000-0000-000000000001
clusters:
  - name: prod
    resourceGroup: rg
    members:
      - name: etcd
        role: etcd
        containerGroup: etcd
)";

}  // namespace frankenetes::config::testing
