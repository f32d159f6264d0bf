#pragma once
// Command-line options of frankenetesd. Parsing is pure and tested; main.cc acts on the
// result. Usage errors exit 2, like --check-config on an invalid file.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/enums.h"

namespace frankenetes::daemon {

inline constexpr const char* kDefaultConfigPath = "/etc/frankenetes/frankenetesd.yaml";

// `frankenetesd etcd restore …` (daemon/etcd_restore.h).
struct EtcdRestoreOptions {
  std::string cluster;
  std::string member;
  std::optional<std::string> snapshot;  // a blob name; default: the member's newest
  bool yes = false;                     // go ahead although the group is Running
};

struct CliOptions {
  std::string config_path = kDefaultConfigPath;
  bool check_config = false;  // validate, print every problem, exit 0 (valid) or 2 (invalid)
  bool show_version = false;
  bool show_help = false;
  bool dry_run = false;                  // forces policy.dryRun on, whatever the file says
  bool once = false;                     // one observe-plan-act pass, then exit
  std::optional<std::string> log_level;  // overrides log.level
  std::optional<EtcdRestoreOptions> etcd_restore;  // the `etcd restore` command
};

struct CliParse {
  CliOptions options;
  std::string error;  // non-empty: print it with the usage and exit 2
};

CliParse parse_cli(const std::vector<std::string>& args);  // args exclude argv[0]
// The level a --log-level value names, spelled as log.level is (config::kLogLevelNames, the
// one table of level names); nullopt for anything else.
std::optional<config::LogLevel> find_log_level(std::string_view name);
std::string usage_text();
std::string version_text();  // "frankenetesd 0.1.0 (commit abc, build Debug)"

}  // namespace frankenetes::daemon
