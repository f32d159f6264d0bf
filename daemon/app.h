#pragma once
// App: the composition root of frankenetesd (after ISC Kea's d_controller): it owns being a
// daemon — config load and SIGHUP reload, signals, sd_notify, the admin HTTP server — and
// wires the components together. It holds no product logic; that lives in lib/.

#include <memory>

#include "daemon/cli.h"

namespace frankenetes::daemon {

class App {
 public:
  explicit App(CliOptions options);
  ~App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  // Runs until SIGTERM/SIGINT. Returns the process exit code: 0 after a clean stop, 1 when
  // the daemon could not start (e.g. the listen address is taken), 2 for an invalid config.
  int run();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// --check-config: prints problems (stderr) or a one-line summary (stdout); returns 0 or 2.
int check_config(const CliOptions& options);

}  // namespace frankenetes::daemon
