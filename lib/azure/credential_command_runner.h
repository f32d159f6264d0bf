#pragma once
// CommandRunner: the seam through which AzureCliCredential runs `az`, so tests substitute a
// fake that answers from a script. ProcessCommandRunner is the real one: it runs a program
// found on PATH (no shell), with stdin from /dev/null and a minimal environment (never the
// daemon's own, which may carry AZURE_CLIENT_SECRET or other credentials), captures stdout and
// stderr up to a size limit, and kills the process when the timeout passes.

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/time_source.h"

namespace frankenetes::azure {

struct CommandOutput {
  int exit_code = 0;  // 128 + signal number when the process was killed by a signal
  std::string stdout_text;
  std::string stderr_text;
};

class CommandRunner {
 public:
  virtual ~CommandRunner() = default;
  // Runs argv[0] (looked up on PATH) with the given arguments. Errors: kInvalidConfig when
  // the program cannot be started (not installed), kTransient when it did not finish within
  // `timeout` (it is killed), kTerminal when its output exceeds the limit. A non-zero exit
  // code is not an Error: it is an output the caller interprets.
  virtual core::Result<CommandOutput> run(const std::vector<std::string>& argv,
                                          std::chrono::milliseconds timeout) = 0;
};

// The environment a credential command gets: from `environment` (NAME=value entries, null
// terminated, as `environ`), only the variables the Azure CLI needs, in their original order.
std::vector<std::string> minimal_command_environment(const char* const* environment);

inline constexpr std::size_t kMaxCommandOutput = std::size_t{1024} * 1024;

class ProcessCommandRunner final : public CommandRunner {
 public:
  core::Result<CommandOutput> run(const std::vector<std::string>& argv,
                                  std::chrono::milliseconds timeout) override;

 private:
  // poll() and the child's exit run on the real clock, so the deadline does too.
  const core::RealTimeSource time_{};
};

}  // namespace frankenetes::azure
