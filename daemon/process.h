#pragma once
// Process: what frankenetesd does, after ISC Kea's DProcessBase. It owns the object graph —
// the ARM stack, the prober and its clients, the state store, the executors, the reconciler
// and its threads, DNS re-pointing, the admin HTTP server — and the running configuration.
// The Controller (controller.h) owns being a daemon: it reads the file, calls these methods
// from its event loop, and turns their results into logs, sd_notify and exit codes.
//
//   init(config)       builds the graph for the first configuration.
//   configure(config)  a reload: builds what the new configuration needs (the probes' clients,
//                      whose CA files are read again) and swaps it in only when that worked;
//                      problems leave the running graph as it was. azure.*, server.listen
//                      and server.tls are read by init() only (a change is logged as
//                      restart_required); the admin token is read again.
//   start()            serves /livez /readyz /metrics /status / (and the admin API when
//                      server.adminTokenFile is set) and starts the watch loop.
//   stop(), join()     asks everything to stop at once; waits for the threads.
//   run_once()         --once: one synchronous pass instead of start().
//
// Everything that reaches the world is injected (ProcessDeps): clients come from
// HttpClients, DNS answers from a RecordQuerier, time from a TimeSource, and the scheduler may
// be a test's ManualScheduler, so tests/daemon/process_test.cc drives the whole graph with
// fakes. Not thread-safe: call it from one thread (the controller's event loop), except where
// a method says otherwise.

#include <boost/asio/io_context.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/env.h"
#include "config/problem.h"
#include "config/types.h"
#include "core/error.h"
#include "core/result.h"
#include "core/time_source.h"
#include "daemon/admin_server.h"
#include "daemon/http_clients.h"
#include "dns/verifier.h"
#include "reconcile/reconciler.h"
#include "reconcile/scheduler.h"
#include "status/health.h"
#include "status/metrics.h"

namespace frankenetes::daemon {

struct ProcessGraph;

// SIGTERM must end the process within 5 s (systemd's default stop timeout is longer, but
// operators and container runtimes expect promptness): in-flight work and HTTP responses get
// until this deadline, then the daemon leaves regardless.
inline constexpr auto kShutdownDeadline = std::chrono::milliseconds(4000);

struct ProcessDeps {
  boost::asio::io_context& io;  // the admin server's loop (the controller runs it)
  status::Metrics& metrics;  // every recorder of the graph (status/recorders.h), and /metrics
  core::TimeSource& time;
  const HttpClients& http_clients;
  dns::RecordQuerier& dns_querier;
  config::EnvLookup environment;              // AZURE_* for the credential
  std::string config_path;                    // names the file in problems and logs
  std::optional<config::LogLevel> log_level;  // --log-level: wins over log.level
  bool once = false;                          // --once: run_once() instead of start()
  // Set: every task runs on this scheduler and all work inline on the thread that drives it
  // (tests). Null: a ThreadScheduler and worker pools of the process's own.
  reconcile::Scheduler* scheduler = nullptr;
};

// What init() or configure() made of a configuration.
struct ConfigureResult {
  // The configuration names something unusable (a probe.caFile): refused, nothing changed.
  // Each names the file and key path, like the parser's problems.
  std::vector<config::ConfigProblem> problems;
  // init() only: the graph could not be built (ARM client, credential, state directory);
  // kInvalidConfig when the configuration is to blame.
  std::optional<core::Error> error;
  bool changed = false;  // configure() only: it differed from the running one and applies now

  bool ok() const { return problems.empty() && !error; }

  static ConfigureResult refused(std::vector<config::ConfigProblem> problems) {
    ConfigureResult result;
    result.problems = std::move(problems);
    return result;
  }
  static ConfigureResult failed(core::Error error) {
    ConfigureResult result;
    result.error = std::move(error);
    return result;
  }
  static ConfigureResult taken(bool changed) {
    ConfigureResult result;
    result.changed = changed;
    return result;
  }
};

class Process {
 public:
  explicit Process(ProcessDeps deps);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  ConfigureResult init(std::shared_ptr<const config::Config> config);
  // After a successful init().
  ConfigureResult configure(std::shared_ptr<const config::Config> config);

  // Binds server.listen (an error is logged as http.server.failed) and starts the loop.
  core::Status start();
  // --once: one observe-probe-plan-act pass on the caller's thread, then join(); true when
  // the observation succeeded.
  bool run_once();

  // After every completed pass, on the scheduler thread (the controller's sd_notify).
  void on_pass(std::function<void(const reconcile::ReconcilerSummary&)> callback);
  // Asks everything to stop at once (readiness fails from now on); on the io thread. In-flight
  // ARM work ends after the request already on the wire.
  void stop();
  // Waits for the threads until `deadline`; false when a blocking call outlived it, whose
  // thread still uses the graph: the caller must then leave without destroying it.
  bool join(std::chrono::steady_clock::time_point deadline);

  const std::shared_ptr<const config::Config>& config() const { return config_; }
  // "host:port" the admin server is bound to (after start()).
  const std::string& listen_address() const { return listen_address_; }
  status::CheckResult liveness() const;          // any thread
  reconcile::ReconcilerSummary summary() const;  // any thread

 private:
  std::optional<core::Error> build(std::shared_ptr<const probe::ProbeClients> probe_clients);
  void request_stop();

  ProcessDeps deps_;
  std::shared_ptr<const config::Config> config_;
  std::unique_ptr<AdminServer> server_;
  AdminCredentials credentials_;  // the admin token (reloads) and TLS files (start)
  std::unique_ptr<ProcessGraph> graph_;
  std::string listen_address_;
  std::atomic<bool> stopping_{false};
};

}  // namespace frankenetes::daemon
