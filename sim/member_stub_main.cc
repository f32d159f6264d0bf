// The member stub as a process: HTTP servers on the implied ports, a background thread that
// checks the dependency every 500 ms. Asio lives here, not in member_stub.cc.

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <atomic>
#include <chrono>
#include <iostream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "http/server.h"
#include "sim/http_get.h"
#include "sim/ip_pool.h"
#include "sim/member_stub.h"

namespace frankenetes::sim {

namespace {

class HealthChecker {
 public:
  explicit HealthChecker(const MemberStubConfig& config) : config_(config) {}

  DependencyHealth current() {
    std::lock_guard lock(mutex_);
    return health_;
  }

  void run(std::atomic<bool>& stop) {
    while (!stop.load()) {
      auto h = check_once();
      {
        std::lock_guard lock(mutex_);
        health_ = h;
      }
      for (int i = 0; i < 5 && !stop.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }

 private:
  std::optional<std::string> resolve(const std::string& host, std::string* why) {
    if (parse_ipv4(host)) return host;
    if (host == "localhost") return std::string("127.0.0.1");
    const auto control = parse_http_url(config_.control_url);
    if (!control) {
      *why = "cannot resolve " + host + ": no control URL";
      return std::nullopt;
    }
    const auto r = http_get(control->host, control->port, "/resolve?name=" + host, control->host,
                            std::chrono::milliseconds(500));
    if (r.status != 200) {
      *why = "cannot resolve " + host + (r.error.empty() ? "" : ": " + r.error);
      return std::nullopt;
    }
    const auto body = nlohmann::json::parse(r.body, nullptr, false);
    if (body.is_discarded() || !body.contains("ip")) {
      *why = "cannot resolve " + host;
      return std::nullopt;
    }
    return body["ip"].get<std::string>();
  }

  DependencyHealth check_once() {
    if (config_.depends.empty()) return {};
    std::string why;
    for (const auto& url : config_.depends) {
      const auto parsed = parse_http_url(url);
      if (!parsed) {
        why = "bad URL " + url;
        continue;
      }
      const auto ip = resolve(parsed->host, &why);
      if (!ip) continue;
      const auto r = http_get(*ip, parsed->port, parsed->path_and_query,
                              parsed->host + ":" + std::to_string(parsed->port), std::chrono::milliseconds(1000));
      if (r.status == 200) return {};
      why = url + " (" + *ip + "): " + (r.status ? "HTTP " + std::to_string(r.status) : r.error);
    }
    return {false, why};
  }

  const MemberStubConfig& config_;
  std::mutex mutex_;
  DependencyHealth health_{false, "not checked yet"};
};

}  // namespace

int run_member_stub(int argc, char** argv) {
  MemberStubConfig config;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "member-stub: " << a << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--role") config.role = next();
    else if (a == "--bind") config.bind = next();
    else if (a == "--port") config.ports.push_back(std::stoi(next()));
    else if (a == "--depends") config.depends.push_back(next());
    else if (a == "--name") config.name = next();
    else if (a == "--version") config.version = next();
    else if (a == "--control-url") config.control_url = next();
    else {
      std::cerr << "member-stub: unknown argument " << a << "\n";
      return 2;
    }
  }
  boost::asio::io_context io;
  HealthChecker checker(config);
  std::vector<std::unique_ptr<http::HttpServer>> servers;
  for (int port : config.ports) {
    http::ServerOptions options;
    options.listen = config.bind + ":" + std::to_string(port);
    options.server_header = "frankenetes-sim-member-stub";
    auto server = std::make_unique<http::HttpServer>(
        io, options, http::make_sync_handler([&](const http::Request& request) {
          return stub_response(config, checker.current(), request);
        }));
    if (auto started = server->start(); !started.ok()) {
      std::cerr << "member-stub " << config.name << ": " << started.error().message << "\n";
      return 1;
    }
    servers.push_back(std::move(server));
  }
  std::cerr << "member-stub " << config.name << " (" << config.role << ") on " << config.bind << " ports";
  for (int p : config.ports) std::cerr << " " << p;
  for (const auto& d : config.depends) std::cerr << " depends " << d;
  std::cerr << std::endl;
  std::atomic<bool> stop{false};
  std::thread health([&] { checker.run(stop); });
  boost::asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](const boost::system::error_code&, int) {
    for (auto& s : servers) s->stop();
    io.stop();
  });
  // A stub with no ports still has to stay up like a container process.
  auto guard = boost::asio::make_work_guard(io);
  io.run();
  stop = true;
  health.join();
  return 0;
}

}  // namespace frankenetes::sim
