#include "daemon/app.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stop_token>
#include <thread>
#include <csignal>
#include <cstdio>
#include <memory>

#include "build_info.h"
#include "config/config.h"
#include "daemon/systemd_notifier.h"
#include "http/server.h"
#include "log/event.h"
#include "status/admin_router.h"
#include "status/metrics.h"

namespace frankenetes::daemon {
namespace {

namespace asio = boost::asio;
using std::chrono::seconds;

// SIGTERM must end the process within 5 s (systemd's default stop timeout is longer, but
// operators and container runtimes expect promptness). In-flight HTTP responses get until
// this deadline, then the event loop is stopped regardless.
constexpr auto kShutdownDeadline = std::chrono::milliseconds(4000);

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

log::Level parse_log_level(const std::string& name) {
  const std::pair<const char*, log::Level> levels[] = {
      {"trace", log::Level::kTrace}, {"debug", log::Level::kDebug}, {"info", log::Level::kInfo},
      {"warn", log::Level::kWarn},   {"error", log::Level::kError}, {"critical", log::Level::kCritical},
      {"off", log::Level::kOff}};
  for (const auto& [n, l] : levels) {
    if (name == n) return l;
  }
  return log::Level::kInfo;
}

// Command-line flags win over the file, on start and on every reload.
config::Config with_overrides(config::Config cfg, const CliOptions& options) {
  if (options.dry_run) cfg.policy.dry_run = true;
  return cfg;
}

void configure_logging(const config::Config& cfg, const CliOptions& options) {
  const auto level = options.log_level ? parse_log_level(*options.log_level) : to_log_level(cfg.log.level);
  log::configure(level, cfg.log.format == config::LogFormat::kJson ? log::Format::kJson : log::Format::kText);
}

std::size_t member_count(const config::Config& cfg) {
  std::size_t n = 0;
  for (const auto& c : cfg.clusters) n += c.members.size();
  return n;
}

double unix_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

class App::Impl {
 public:
  explicit Impl(CliOptions options)
      : options_(std::move(options)),
        metrics_({build::kVersion, build::kGitCommit, build::kBuildType}),
        signals_(io_, SIGTERM, SIGINT, SIGHUP),
        watchdog_timer_(io_) {}

  int run() {
    log::configure(log::Level::kInfo, log::Format::kText);
    auto loaded = config::load_config_file(options_.config_path, config::process_environment());
    if (!loaded.config) {
      for (const auto& p : loaded.problems) std::fprintf(stderr, "%s\n", p.to_string().c_str());
      log::error("config.invalid", {{"file", options_.config_path},
                                    {"problems", static_cast<unsigned long>(loaded.problems.size())}});
      return 2;
    }
    config_ = std::make_shared<const config::Config>(with_overrides(*loaded.config, options_));
    configure_logging(*config_, options_);
    metrics_.config_last_reload_success_timestamp_seconds.Set(unix_seconds());

    if (!start_server()) return 1;
    wait_for_signals();
    start_watchdog();

    log::info("daemon.started", {{"version", build::kVersion},
                                 {"commit", build::kGitCommit},
                                 {"config", options_.config_path},
                                 {"clusters", static_cast<unsigned long>(config_->clusters.size())},
                                 {"members", static_cast<unsigned long>(member_count(*config_))},
                                 {"dry_run", config_->policy.dry_run}});
    notifier_.ready(status_line());
    io_.run();
    if (shutdown_guard_.joinable()) {
      shutdown_guard_.request_stop();
      shutdown_guard_.join();
    }
    log::info("daemon.stopped", {{"exit_code", exit_code_}});
    return exit_code_;
  }

 private:
  bool start_server() {
    status::AdminRouter::Endpoints endpoints{
        .liveness = {{"ping", [] { return status::CheckResult::pass(); }}},
        .readiness = {{"config", [this] {
                         return config_ ? status::CheckResult::pass()
                                        : status::CheckResult::fail("no configuration loaded");
                       }},
                      {"shutdown", [this] {
                         return stopping_ ? status::CheckResult::fail("the daemon is shutting down")
                                          : status::CheckResult::pass();
                       }}},
        .render_metrics = [this] { return metrics_.render(); },
        .metrics_content_type = status::Metrics::kContentType,
    };
    router_ = std::make_unique<status::AdminRouter>(std::move(endpoints));

    http::ServerOptions server_options;
    server_options.listen = config_->server.listen.to_string();
    server_options.max_connections = static_cast<std::size_t>(config_->server.max_connections);
    server_options.server_header = std::string("frankenetesd/") + build::kVersion;
    server_ = std::make_unique<http::HttpServer>(
        io_, server_options,
        http::make_sync_handler([this](const http::Request& r) { return router_->handle(r); }));
    if (auto started = server_->start(); !started.ok()) {
      log::error("http.server.failed", {{"listen", server_options.listen},
                                        {"error", started.error().message}});
      std::fprintf(stderr, "frankenetesd: %s\n", started.error().message.c_str());
      return false;
    }
    listen_address_ = config_->server.listen.host + ":" + std::to_string(server_->port());
    log::info("http.server.listening",
              {{"address", "http://" + listen_address_},
               {"endpoints", "/livez /readyz /metrics"}});
    return true;
  }

  std::string status_line() const {
    return "serving on " + listen_address_ + "; watching " +
           std::to_string(member_count(*config_)) + " members" +
           (config_->policy.dry_run ? " (dry run)" : "");
  }

  void wait_for_signals() {
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

  // Kea's rule: parse into a fresh config and swap only if it validates. A broken file
  // never touches the running daemon.
  void reload() {
    notifier_.reloading();
    auto loaded = config::load_config_file(options_.config_path, config::process_environment());
    if (!loaded.config) {
      metrics_.record_config_reload(false, unix_seconds());
      log::error("config.reload.failed", {{"file", options_.config_path},
                                          {"problems", static_cast<unsigned long>(loaded.problems.size())},
                                          {"action", "keeping the running configuration"}});
      for (const auto& p : loaded.problems) log::error("config.problem", {{"problem", p.to_string()}});
      notifier_.ready(status_line() + "; last reload FAILED");
      return;
    }
    auto next = std::make_shared<const config::Config>(with_overrides(*loaded.config, options_));
    metrics_.record_config_reload(true, unix_seconds());
    if (*next == *config_) {
      log::info("config.reload.unchanged", {{"file", options_.config_path}});
      notifier_.ready(status_line());
      return;
    }
    if (next->server.listen != config_->server.listen) {
      log::warn("config.reload.restart_required",
                {{"key", "server.listen"},
                 {"running", config_->server.listen.to_string()},
                 {"configured", next->server.listen.to_string()}});
    }
    config_ = std::move(next);
    configure_logging(*config_, options_);
    log::info("config.reload.applied", {{"file", options_.config_path},
                                        {"clusters", static_cast<unsigned long>(config_->clusters.size())},
                                        {"members", static_cast<unsigned long>(member_count(*config_))},
                                        {"dry_run", config_->policy.dry_run}});
    notifier_.ready(status_line());
  }

  void start_watchdog() {
    const auto interval = notifier_.watchdog_interval();
    if (!interval) return;
    log::info("systemd.watchdog.enabled", {{"interval_ms", static_cast<long long>(interval->count() / 1000)}});
    schedule_watchdog(*interval);
  }

  void schedule_watchdog(std::chrono::microseconds interval) {
    notifier_.watchdog();
    watchdog_timer_.expires_after(interval);
    watchdog_timer_.async_wait([this, interval](const boost::system::error_code& ec) {
      if (!ec && !stopping_) schedule_watchdog(interval);
    });
  }

  void shutdown() {
    if (stopping_) return;
    stopping_ = true;
    notifier_.stopping();
    signals_.cancel();
    watchdog_timer_.cancel();
    server_->stop();
    // The server lets in-flight responses finish and then io_.run() returns by itself. If
    // something hangs, a guard thread stops the loop at the deadline (io_context::stop is
    // thread-safe); it is released as soon as run() returns.
    shutdown_guard_ = std::jthread([this](std::stop_token stop) {
      std::mutex m;
      std::unique_lock lock(m);
      std::condition_variable_any cv;
      if (!cv.wait_for(lock, stop, kShutdownDeadline, [] { return false; }) && !stop.stop_requested()) {
        log::warn("daemon.shutdown.forced", {{"deadline_ms", static_cast<long long>(kShutdownDeadline.count())}});
        io_.stop();
      }
    });
  }

  CliOptions options_;
  asio::io_context io_;
  status::Metrics metrics_;
  SystemdNotifier notifier_;
  std::shared_ptr<const config::Config> config_;
  std::unique_ptr<status::AdminRouter> router_;
  std::unique_ptr<http::HttpServer> server_;
  asio::signal_set signals_;
  asio::steady_timer watchdog_timer_;
  std::jthread shutdown_guard_;
  std::string listen_address_;
  bool stopping_ = false;
  int exit_code_ = 0;
};

App::App(CliOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
App::~App() = default;
int App::run() { return impl_->run(); }

int check_config(const CliOptions& options) {
  const auto loaded = config::load_config_file(options.config_path, config::process_environment());
  if (!loaded.config) {
    for (const auto& p : loaded.problems) std::fprintf(stderr, "%s\n", p.to_string().c_str());
    std::fprintf(stderr, "%s: %zu problem%s\n", options.config_path.c_str(), loaded.problems.size(),
                 loaded.problems.size() == 1 ? "" : "s");
    return 2;
  }
  std::printf("%s: OK (%zu cluster%s, %zu members)\n", options.config_path.c_str(),
              loaded.config->clusters.size(), loaded.config->clusters.size() == 1 ? "" : "s",
              member_count(*loaded.config));
  return 0;
}

}  // namespace frankenetes::daemon
