#include "daemon/cli.h"

#include "build_info.h"

namespace frankenetes::daemon {
namespace {

// "trace<sep>debug<sep>…<sep>off", in the order of the table.
std::string log_level_names(std::string_view separator) {
  std::string names;
  for (const auto& entry : config::kLogLevelNames) {
    if (!names.empty()) names += separator;
    names += entry.name;
  }
  return names;
}

}  // namespace

CliParse parse_cli(const std::vector<std::string>& args) {
  CliParse out;
  auto& o = out.options;
  std::size_t first = 0;
  if (!args.empty() && args[0] == "etcd") {
    if (args.size() < 2 || args[1] != "restore") {
      out.error = "unknown command \"etcd" + (args.size() < 2 ? std::string() : " " + args[1]) +
                  "\" (expected: etcd restore)";
      return out;
    }
    o.etcd_restore = EtcdRestoreOptions{};
    first = 2;
  }
  for (std::size_t i = first; i < args.size(); ++i) {
    std::string arg = args[i];
    std::optional<std::string> inline_value;
    if (const auto eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      inline_value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    }
    auto value = [&](const char* name) -> std::optional<std::string> {
      if (inline_value) return inline_value;
      if (i + 1 < args.size()) return args[++i];
      out.error = std::string("option ") + name + " needs a value";
      return std::nullopt;
    };
    auto flag = [&](bool& target) {
      if (inline_value) {
        out.error = "option " + arg + " takes no value";
        return;
      }
      target = true;
    };
    if (arg == "--config" || arg == "-c") {
      if (auto v = value("--config")) o.config_path = *v;
    } else if (arg == "--check-config") {
      flag(o.check_config);
    } else if (arg == "--version") {
      flag(o.show_version);
    } else if (arg == "--help" || arg == "-h") {
      flag(o.show_help);
    } else if (arg == "--dry-run") {
      flag(o.dry_run);
    } else if (arg == "--once") {
      flag(o.once);
    } else if (arg == "--log-level") {
      if (auto v = value("--log-level")) {
        if (!find_log_level(*v)) {
          out.error = "invalid --log-level \"" + *v + "\" (expected one of: " +
                      log_level_names(", ") + ")";
        } else {
          o.log_level = *v;
        }
      }
    } else if (o.etcd_restore && arg == "--cluster") {
      if (auto v = value("--cluster")) o.etcd_restore->cluster = *v;
    } else if (o.etcd_restore && arg == "--member") {
      if (auto v = value("--member")) o.etcd_restore->member = *v;
    } else if (o.etcd_restore && arg == "--snapshot") {
      if (auto v = value("--snapshot")) o.etcd_restore->snapshot = *v;
    } else if (o.etcd_restore && arg == "--yes") {
      flag(o.etcd_restore->yes);
    } else {
      out.error = "unknown argument \"" + args[i] + "\"";
    }
    if (!out.error.empty()) return out;
  }
  if (o.etcd_restore) {
    if (o.etcd_restore->cluster.empty() || o.etcd_restore->member.empty()) {
      out.error = "etcd restore needs --cluster and --member";
    } else if (o.check_config || o.once) {
      out.error = "etcd restore takes no --check-config or --once";
    }
  }
  return out;
}

std::optional<config::LogLevel> find_log_level(std::string_view name) {
  for (const auto& entry : config::kLogLevelNames) {
    if (entry.name == name) return entry.value;
  }
  return std::nullopt;
}

std::string usage_text() {
  return std::string(
             "Usage: frankenetesd [options]\n"
             "\n"
             "Watches a Kubernetes control plane running as Azure Container Instances, heals\n"
             "crash-looping or stopped members and keeps their DNS records on their current IPs.\n"
             "\n"
             "Options:\n"
             "  -c, --config PATH     configuration file (default ") +
         kDefaultConfigPath +
         ")\n"
         "      --check-config    validate the configuration, print every problem as\n"
         "                        file:line:col: key.path: message; exit 0 if valid, 2 if not\n"
         "      --log-level LEVEL override log.level: " +
         log_level_names("|") +
         "\n"
         "      --dry-run         plan and log actions but never change anything in Azure or DNS\n"
         "      --once            run one observe-plan-act pass and exit\n"
         "      --version         print version, git commit and build type\n"
         "  -h, --help            print this help\n"
         "\n"
         "Commands:\n"
         "  etcd restore --cluster C --member M [--snapshot NAME] [--yes] [--dry-run]\n"
         "                        put a verified snapshot back into etcd member C/M (stop\n"
         "                        frankenetesd first); --yes when the group is Running\n"
         "\n"
         "Signals: SIGTERM/SIGINT stop gracefully; SIGHUP reloads the configuration (kept only\n"
         "if it validates).\n";
}

std::string version_text() {
  return std::string("frankenetesd ") + build::kVersion + " (commit " + build::kGitCommit +
         ", build " + build::kBuildType + ")";
}

}  // namespace frankenetes::daemon
