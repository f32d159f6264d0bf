#include "daemon/controller.h"

#include <boost/asio/post.hpp>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <stop_token>

#include "build_info.h"
#include "core/thread_name.h"
#include "daemon/admin_server.h"
#include "daemon/configuration.h"
#include "daemon/coordination_stack.h"
#include "log/event.h"

namespace frankenetes::daemon {
namespace {

// READY=1 waits for the first observation pass at most this long.
constexpr auto kReadyWait = std::chrono::seconds(5);

std::string plural(std::size_t n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

void print_problems(const std::vector<config::ConfigProblem>& problems) {
  for (const auto& p : problems) std::fprintf(stderr, "%s\n", p.to_string().c_str());
}

}  // namespace

Controller::Controller(CliOptions options)
    : options_(std::move(options)),
      metrics_({build::kVersion, build::kGitCommit, build::kBuildType}),
      signals_(io_, SIGTERM, SIGINT, SIGHUP),
      watchdog_timer_(io_),
      ready_timer_(io_) {}

Controller::~Controller() = default;

int Controller::run() {
  if (const int failed = start(); failed != 0) return failed;
  if (options_.once) return process_->run_once() ? 0 : 1;
  wait_for_signals();
  // READY=1 once the first observation has been attempted (or after kReadyWait, so a slow
  // ARM does not hold up the service manager); STATUS follows every pass after that.
  process_->on_pass([this](const reconcile::ReconcilerSummary& summary) {
    boost::asio::post(io_, [this, summary] { observation_pass_done(summary); });
  });
  if (auto started = process_->start(); !started.ok()) {
    std::fprintf(stderr, "frankenetesd: %s\n", started.error().message.c_str());
    return 1;
  }
  start_watchdog();
  ready_timer_.expires_after(kReadyWait);
  ready_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec && !stopping_ && !ready_sent_) {
      ready_sent_ = true;
      notifier_.ready(status_line() + "; first observation still running");
    }
  });
  io_.run();
  const bool clean = process_->join(stop_deadline_);
  if (shutdown_guard_.joinable()) {
    shutdown_guard_.request_stop();
    shutdown_guard_.join();
  }
  log::info("daemon.stopped", {{"exit_code", exit_code_}});
  if (!clean) {
    // A blocking ARM or probe request outlived the shutdown deadline. Its thread still uses
    // the object graph, so nothing may be destroyed under it: leave without destructors.
    log::warn("daemon.shutdown.abandoned_requests", {{"action", "exiting without cleanup"}});
    std::fflush(nullptr);
    std::_Exit(exit_code_);
  }
  return exit_code_;
}

// Loads the file and builds the Process; 0, or the exit code of the failure.
int Controller::start() {
  log::configure(log::Level::kInfo, log::Format::kText);
  auto loaded = load_config(options_.config_path);
  if (!loaded.config) {
    print_problems(loaded.problems);
    log::error("config.invalid",
               {{"file", options_.config_path},
                {"problems", static_cast<unsigned long>(loaded.problems.size())}});
    return 2;
  }
  // coordination: every request names the replica (before any client is made).
  http_clients_.set_replica_id(replica_id_of(*loaded.config));
  process_ = std::make_unique<Process>(ProcessDeps{
      .io = io_,
      .metrics = metrics_,
      .time = time_,
      .http_clients = http_clients_,
      .dns_querier = dns_querier_,
      .environment = config::process_environment(),
      .config_path = options_.config_path,
      .log_level = options_.log_level ? find_log_level(*options_.log_level) : std::nullopt,
      .once = options_.once,
  });
  const auto result = process_->init(
      std::make_shared<const config::Config>(with_overrides(std::move(*loaded.config), options_)));
  if (!result.problems.empty()) {
    print_problems(result.problems);
    log::error("config.invalid",
               {{"file", options_.config_path},
                {"problems", static_cast<unsigned long>(result.problems.size())}});
    return 2;
  }
  if (result.error) {
    log::error("daemon.setup.failed", {{"error", result.error->describe()}});
    std::fprintf(stderr, "frankenetesd: %s\n", result.error->describe().c_str());
    return result.error->kind == core::ErrorKind::kInvalidConfig ? 2 : 1;
  }
  metrics_.record_config_loaded(
      std::chrono::duration<double>(time_.system_time().time_since_epoch()).count());
  return 0;
}

void Controller::observation_pass_done(const reconcile::ReconcilerSummary& summary) {
  if (stopping_) return;
  last_summary_ = summary;
  memory_releaser_.maybe_release(std::chrono::steady_clock::now());
  if (!ready_sent_) {
    ready_sent_ = true;
    ready_timer_.cancel();
    notifier_.ready(status_line());
  } else {
    notifier_.status(status_line());
  }
}

std::string Controller::status_line() const {
  const auto& config = *process_->config();
  std::string line = "serving on " + process_->listen_address() + "; observing " +
                     plural(member_count(config), "member");
  if (last_summary_.observed) {
    line += last_summary_.last_pass_ok ? "; last pass ok" : "; last pass failed";
  }
  if (config.policy.dry_run) line += " (dry run)";
  return line;
}

void Controller::wait_for_signals() {
  signals_.async_wait([this](const boost::system::error_code& ec, int signo) {
    if (ec) return;  // cancelled during shutdown
    if (signo == SIGHUP) {
      reload();
      wait_for_signals();
      return;
    }
    log::info("daemon.stopping", {{"signal", signo == SIGTERM ? "SIGTERM" : "SIGINT"}});
    shutdown();
  });
}

// Kea's rule: parse into a fresh config and swap only if it validates. A broken file never
// touches the running daemon; neither does one the process cannot take (a probe CA file).
void Controller::reload() {
  notifier_.reloading();
  auto loaded = load_config(options_.config_path);
  if (!loaded.config) return reload_failed(loaded.problems);
  const auto result = process_->configure(
      std::make_shared<const config::Config>(with_overrides(std::move(*loaded.config), options_)));
  if (!result.ok()) return reload_failed(result.problems);
  metrics_.record_config_reload(
      true, std::chrono::duration<double>(time_.system_time().time_since_epoch()).count());
  if (!result.changed) {
    log::info("config.reload.unchanged", {{"file", options_.config_path}});
    notifier_.ready(status_line());
    return;
  }
  const auto& config = *process_->config();
  log::info("config.reload.applied",
            {{"file", options_.config_path},
             {"clusters", static_cast<unsigned long>(config.clusters.size())},
             {"members", static_cast<unsigned long>(member_count(config))},
             {"dry_run", config.policy.dry_run}});
  notifier_.ready(status_line());
}

void Controller::reload_failed(const std::vector<config::ConfigProblem>& problems) {
  metrics_.record_config_reload(
      false, std::chrono::duration<double>(time_.system_time().time_since_epoch()).count());
  log::error("config.reload.failed", {{"file", options_.config_path},
                                      {"problems", static_cast<unsigned long>(problems.size())},
                                      {"action", "keeping the running configuration"}});
  for (const auto& p : problems) log::error("config.problem", {{"problem", p.to_string()}});
  notifier_.ready(status_line() + "; last reload FAILED");
}

void Controller::start_watchdog() {
  const auto interval = notifier_.watchdog_interval();
  if (!interval) return;
  log::info("systemd.watchdog.enabled",
            {{"interval_ms", static_cast<long long>(interval->count() / 1000)}});
  schedule_watchdog(*interval);
}

void Controller::schedule_watchdog(std::chrono::microseconds interval) {
  // Only a live loop pets the watchdog: a wedged reconciler gets the daemon restarted.
  if (const auto live = process_->liveness(); live.ok) {
    notifier_.watchdog();
  } else {
    log::warn("systemd.watchdog.withheld", {{"reason", live.reason}});
  }
  watchdog_timer_.expires_after(interval);
  watchdog_timer_.async_wait([this, interval](const boost::system::error_code& ec) {
    if (!ec && !stopping_) schedule_watchdog(interval);
  });
}

void Controller::shutdown() {
  if (stopping_) return;
  stopping_ = true;
  stop_deadline_ = std::chrono::steady_clock::now() + kShutdownDeadline;
  notifier_.stopping();
  process_->stop();
  signals_.cancel();
  watchdog_timer_.cancel();
  ready_timer_.cancel();
  // The server lets in-flight responses finish and then io_.run() returns by itself. If
  // something hangs, a guard thread stops the loop at the deadline (io_context::stop is
  // thread-safe); it is released as soon as run() returns.
  shutdown_guard_ = std::jthread([this](std::stop_token stop) {
    core::name_this_thread("shutdown-guard");
    std::mutex m;
    std::unique_lock lock(m);
    std::condition_variable_any cv;
    if (!cv.wait_for(lock, stop, kShutdownDeadline, [] { return false; }) &&
        !stop.stop_requested()) {
      log::warn("daemon.shutdown.forced",
                {{"deadline_ms", static_cast<long long>(kShutdownDeadline.count())}});
      io_.stop();
    }
  });
}

int check_config(const CliOptions& options) {
  auto loaded = load_config(options.config_path);
  if (loaded.config) {
    // The probe CA files, the admin token and the TLS files too: a file the daemon could not
    // use fails here, not at start.
    auto probe_clients = HttpClients().probe_clients(*loaded.config, options.config_path);
    auto admin = load_admin_credentials(loaded.config->server, options.config_path,
                                        /*read_tls=*/true);
    if (!probe_clients.ok() || !admin.problems.empty()) {
      loaded.problems = std::move(probe_clients.problems);
      loaded.problems.insert(loaded.problems.end(), admin.problems.begin(), admin.problems.end());
      loaded.config.reset();
    }
  }
  if (!loaded.config) {
    print_problems(loaded.problems);
    std::fprintf(stderr, "%s: %zu problem%s\n", options.config_path.c_str(), loaded.problems.size(),
                 loaded.problems.size() == 1 ? "" : "s");
    return 2;
  }
  for (const auto& file : readable_secret_files(*loaded.config)) {
    std::fprintf(stderr, "%s: warning: %s %s is readable or writable by group/others (mode %s); "
                 "chmod 600 it\n",
                 options.config_path.c_str(), file.key.c_str(), file.path.c_str(),
                 octal_mode(file.mode).c_str());
  }
  std::printf("%s: OK (%zu cluster%s, %zu members)\n", options.config_path.c_str(),
              loaded.config->clusters.size(), loaded.config->clusters.size() == 1 ? "" : "s",
              member_count(*loaded.config));
  return 0;
}

}  // namespace frankenetes::daemon
