#include "daemon/configuration.h"

#include "azure/group_spec.h"
#include "probe/probe_clients.h"

namespace frankenetes::daemon {

config::LoadResult load_config(const std::string& path) {
  auto loaded = config::load_config_file(path, config::process_environment());
  if (!loaded.config) return loaded;
  auto problems = azure::load_group_specs(*loaded.config);
  if (problems.empty()) return loaded;
  return config::LoadResult{std::nullopt, std::move(problems)};
}

config::Config with_overrides(config::Config config, const CliOptions& options) {
  if (options.dry_run) config.policy.dry_run = true;
  return config;
}

log::Level to_log_level(config::LogLevel level) {
  switch (level) {
    case config::LogLevel::kTrace: return log::Level::kTrace;
    case config::LogLevel::kDebug: return log::Level::kDebug;
    case config::LogLevel::kInfo: return log::Level::kInfo;
    case config::LogLevel::kWarn: return log::Level::kWarn;
    case config::LogLevel::kError: return log::Level::kError;
    case config::LogLevel::kCritical: return log::Level::kCritical;
    case config::LogLevel::kOff: return log::Level::kOff;
  }
  return log::Level::kInfo;
}

void configure_logging(const config::LogConfig& log,
                       std::optional<config::LogLevel> level_override) {
  log::configure(to_log_level(level_override.value_or(log.level)),
                 log.format == config::LogFormat::kJson ? log::Format::kJson : log::Format::kText);
}

// At every load: an operator who turned verification off, or set TLS options on an http://
// probe, hears about it each time the configuration is read.
void log_probe_tls_warnings(const config::Config& config) {
  for (const auto& w : probe::probe_tls_warnings(config)) {
    if (w.kind == probe::ProbeTlsWarning::Kind::kInsecure && w.ignored_ca_file.empty()) {
      log::warn("probe.tls.insecure", {{"cluster", w.cluster},
                                       {"member", w.member},
                                       {"url", w.url},
                                       {"detail", "certificates are not verified"}});
    } else if (w.kind == probe::ProbeTlsWarning::Kind::kInsecure) {
      log::warn("probe.tls.insecure", {{"cluster", w.cluster},
                                       {"member", w.member},
                                       {"url", w.url},
                                       {"detail", "certificates are not verified"},
                                       {"ca_file_ignored", w.ignored_ca_file}});
    } else {
      log::warn("probe.tls.unused", {{"cluster", w.cluster},
                                     {"member", w.member},
                                     {"key", w.key},
                                     {"url", w.url},
                                     {"detail", "no effect on an http:// probe"}});
    }
  }
}

std::size_t member_count(const config::Config& config) {
  std::size_t n = 0;
  for (const auto& c : config.clusters) n += c.members.size();
  return n;
}

}  // namespace frankenetes::daemon
