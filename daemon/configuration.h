#pragma once
// What the daemon does with a configuration file besides building the object graph from it:
// loading it (with the container group specs it names), applying the command line's
// overrides, configuring the log sink from it, and logging the probe TLS settings and the
// secret files readable by others that an operator should hear about at every load. Used by the Controller and the Process.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

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

// A secret file (config::secret_files) that its group or others may read.
struct ReadableSecretFile {
  std::string key;
  std::string path;
  unsigned mode = 0;  // the permission bits, 0644
};
// The secret files whose mode lets group or others read or write them. A file that cannot be
// stat()ed is not listed: reading it fails with its own, clearer error.
std::vector<ReadableSecretFile> readable_secret_files(const config::Config& config);
// "0644": a mode as chmod takes it.
std::string octal_mode(unsigned mode);
// config.secret_file.readable, one per such file, at every load. A warning, not an error:
// a file a daemon reads is the operator's to guard, and refusing to start would break
// working setups over something that is not yet a leak.
void log_secret_file_warnings(const config::Config& config);

std::size_t member_count(const config::Config& config);

}  // namespace frankenetes::daemon
