#pragma once
// Controller: being a daemon, after ISC Kea's DControllerBase. It reads the configuration file
// and hands the result to the Process (process.h), then runs the event loop that owns the
// process's life: SIGTERM/SIGINT stop it within kShutdownDeadline, SIGHUP reloads (parse
// first, the process swaps only a configuration it could take), and sd_notify tells systemd
// READY, STATUS, RELOADING, STOPPING and, when asked, WATCHDOG. It builds nothing but the
// Process and decides nothing about containers or DNS.

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "core/time_source.h"
#include "daemon/cli.h"
#include "daemon/http_clients.h"
#include "daemon/memory.h"
#include "daemon/process.h"
#include "daemon/systemd_notifier.h"
#include "dns/verifier.h"
#include "reconcile/reconciler.h"
#include "status/metrics.h"

namespace frankenetes::daemon {

class Controller {
 public:
  explicit Controller(CliOptions options);
  ~Controller();
  Controller(const Controller&) = delete;
  Controller& operator=(const Controller&) = delete;

  // Runs until SIGTERM/SIGINT (or one pass with --once). Returns the process exit code: 0
  // after a clean stop, 1 when the daemon could not start (e.g. the listen address is taken)
  // or --once could not observe, 2 for an invalid configuration.
  int run();

 private:
  int start();
  void observation_pass_done(const reconcile::ReconcilerSummary& summary);
  std::string status_line() const;
  void wait_for_signals();
  void reload();
  void reload_failed(const std::vector<config::ConfigProblem>& problems);
  void start_watchdog();
  void schedule_watchdog(std::chrono::microseconds interval);
  void shutdown();

  const CliOptions options_;
  boost::asio::io_context io_;
  core::RealTimeSource time_;
  status::Metrics metrics_;
  SystemdNotifier notifier_;
  HttpClients http_clients_;  // the replica id joins its User-Agent in start()
  dns::LdnsRecordQuerier dns_querier_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer watchdog_timer_;
  boost::asio::steady_timer ready_timer_;
  std::unique_ptr<Process> process_;
  reconcile::ReconcilerSummary last_summary_;
  bool ready_sent_ = false;
  // After observation passes, at most every 10 s (daemon/memory.h).
  FreeMemoryReleaser memory_releaser_{std::chrono::seconds(10)};
  bool stopping_ = false;
  std::chrono::steady_clock::time_point stop_deadline_ = std::chrono::steady_clock::now();
  std::jthread shutdown_guard_;
  int exit_code_ = 0;
};

// --check-config: prints problems (stderr) or a one-line summary (stdout); returns 0 or 2.
int check_config(const CliOptions& options);

}  // namespace frankenetes::daemon
