#pragma once
// What the daemon does with a configuration file besides building the object graph from it:
// loading it (with the container group specs it names), applying the command line's
// overrides, configuring the log sink from it, and logging the probe TLS settings an
// operator should hear about at every load. Used by the Controller and the Process.

#include <cstddef>
#include <optional>
#include <string>

#include "config/config.h"
#include "config/enums.h"
#include "daemon/cli.h"
#include "log/event.h"

namespace frankenetes::daemon {

// The configuration file and the container group specs it names, read and validated here so
// that a bad spec is a configuration error before anything is deleted.
config::LoadResult load_config(const std::string& path);

// Command-line flags win over the file, at start and on every reload. (--log-level is applied
// by configure_logging, so that it does not make two different files compare equal.)
config::Config with_overrides(config::Config config, const CliOptions& options);

log::Level to_log_level(config::LogLevel level);
// The log sink as log.* says, at `level_override` when --log-level gave one.
void configure_logging(const config::LogConfig& log,
                       std::optional<config::LogLevel> level_override);

// probe.tls.insecure / probe.tls.unused, one per member whose probe deserves it.
void log_probe_tls_warnings(const config::Config& config);

std::size_t member_count(const config::Config& config);

}  // namespace frankenetes::daemon
