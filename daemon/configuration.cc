#include "daemon/configuration.h"

#include <sys/stat.h>

#include <cstdio>

#include "azure/group_spec.h"
#include "config/secret_files.h"
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

std::vector<ReadableSecretFile> readable_secret_files(const config::Config& config) {
  std::vector<ReadableSecretFile> out;
  for (auto& file : config::secret_files(config)) {
    struct stat st {};
    if (::stat(file.path.c_str(), &st) != 0) continue;
    const unsigned mode = st.st_mode & 07777;
    if ((mode & (S_IRGRP | S_IWGRP | S_IROTH | S_IWOTH)) == 0) continue;
    out.push_back({std::move(file.key), std::move(file.path), mode});
  }
  return out;
}

std::string octal_mode(unsigned mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", mode & 07777);
  return text;
}

void log_secret_file_warnings(const config::Config& config) {
  for (const auto& file : readable_secret_files(config)) {
    log::warn("config.secret_file.readable",
              {{"key", file.key},
               {"file", file.path},
               {"mode", octal_mode(file.mode)},
               {"detail", std::string((file.mode & (S_IRGRP | S_IROTH)) != 0 ? "readable"
                                                                             : "writable") +
                              " by group/others; chmod 600 it"}});
  }
}

std::size_t member_count(const config::Config& config) {
  std::size_t n = 0;
  for (const auto& c : config.clusters) n += c.members.size();
  return n;
}

}  // namespace frankenetes::daemon
