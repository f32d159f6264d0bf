#pragma once
// SimProcess: runs the real frankenetes-sim binary for integration tests on free loopback
// ports with a temporary state directory, waits (with a deadline) for endpoints.json, and
// stops it with SIGTERM (SIGKILL after a grace period). Also tiny helpers for HTTP(S) calls:
// plain HTTP through sim/http_get.h, HTTPS through the curl binary (trusting the sim's CA).

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "sim/http_get.h"
#include "sim/process_runtime.h"

namespace frankenetes::sim::testing {

inline std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Polls `condition` every 100 ms until it holds or `timeout` passes.
template <typename F>
bool eventually(F condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return condition();
}

struct CommandResult {
  int exit_code = -1;
  std::string output;
};

inline CommandResult run_command(const std::string& command) {
  CommandResult r;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return r;
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) r.output.append(buf, n);
  const int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

class SimProcess {
 public:
  // `args` are extra CLI arguments (scenario, mode, …).
  explicit SimProcess(std::vector<std::string> args) {
    dir_ = std::filesystem::temp_directory_path() /
           ("fk-sim-test-" + std::to_string(getpid()) + "-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(dir_);
    state_dir_ = (dir_ / "state").string();
    // Any free ports, the DNS server's too: a scenario's dns.server.listen names the demo's
    // fixed port, and sims started side by side (ctest -j) must not compete for it.
    std::vector<std::string> argv = {FRANKENETES_SIM_BINARY, "--listen", "127.0.0.1:0", "--control",
                                     "127.0.0.1:0", "--dns-listen", "127.0.0.1:0", "--state-dir", state_dir_};
    argv.insert(argv.end(), args.begin(), args.end());
    const auto log = (dir_ / "sim.log").string();
    pid_ = fork();
    if (pid_ == 0) {
      FILE* f = std::fopen(log.c_str(), "w");
      if (f) {
        dup2(fileno(f), 1);
        dup2(fileno(f), 2);
      }
      close_descriptors_above_stderr();
      std::vector<char*> cargv;
      for (auto& a : argv) cargv.push_back(a.data());
      cargv.push_back(nullptr);
      execv(cargv[0], cargv.data());
      _exit(127);
    }
  }

  ~SimProcess() {
    stop();
    std::error_code ec;
    if (!::testing::Test::HasFailure()) std::filesystem::remove_all(dir_, ec);
  }

  // Waits for endpoints.json; false (with the sim's log in the failure) on timeout.
  bool wait_ready(std::chrono::milliseconds timeout) {
    const auto path = state_dir_ + "/endpoints.json";
    const bool ok = eventually(
        [&] {
          int status = 0;
          if (pid_ > 0 && waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            return true;  // exited: give up early
          }
          return std::filesystem::exists(path);
        },
        timeout);
    if (!ok || pid_ < 0 || !std::filesystem::exists(path)) {
      ADD_FAILURE() << "frankenetes-sim not ready; log:\n" << read_file((dir_ / "sim.log").string());
      return false;
    }
    endpoints_ = nlohmann::json::parse(read_file(path));
    return true;
  }

  int stop() {
    if (pid_ <= 0) return -1;
    kill(pid_, SIGTERM);
    int status = 0;
    const bool exited = eventually([&] { return waitpid(pid_, &status, WNOHANG) == pid_; }, std::chrono::seconds(10));
    if (!exited) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
    }
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  const nlohmann::json& endpoints() const { return endpoints_; }
  std::string log() const { return read_file((dir_ / "sim.log").string()); }
  std::string state_dir() const { return state_dir_; }
  std::string dir() const { return dir_.string(); }
  pid_t pid() const { return pid_; }

  // Control API call (plain HTTP).
  HttpGetResult control_get(const std::string& path_and_query) const {
    const auto url = parse_http_url(endpoints_["controlUrl"].get<std::string>());
    return http_get(url->host, url->port, path_and_query, url->host, std::chrono::seconds(5));
  }
  // Any method on the control API, through curl.
  CommandResult control(const std::string& method, const std::string& path, const std::string& body = "{}") const {
    return run_command("curl -s -m 10 -X " + method + " -H 'Content-Type: application/json' -d '" + body + "' '" +
                       endpoints_["controlUrl"].get<std::string>() + path + "'");
  }

  std::string token() {
    if (!token_.empty()) return token_;
    const auto secret = read_file(endpoints_["clientSecretFile"].get<std::string>());
    auto r = run_command("curl -s -m 10 --cacert " + endpoints_["caFile"].get<std::string>() + " -X POST '" +
                         endpoints_["tokenEndpoint"].get<std::string>() +
                         "' -d grant_type=client_credentials -d client_id=" + endpoints_["clientId"].get<std::string>() +
                         " --data-urlencode client_secret=" + secret.substr(0, secret.find('\n')) +
                         " --data-urlencode scope=https://management.azure.com/.default");
    const auto body = nlohmann::json::parse(r.output, nullptr, false);
    EXPECT_FALSE(body.is_discarded()) << r.output;
    if (!body.is_discarded() && body.contains("access_token")) token_ = body["access_token"].get<std::string>();
    return token_;
  }

  // ARM call over HTTPS; returns "<status>\n<body>".
  std::pair<int, std::string> arm(const std::string& method, const std::string& path_and_query) {
    auto r = run_command("curl -s -m 10 -o - -w '\\n%{http_code}' --cacert " + endpoints_["caFile"].get<std::string>() +
                         " -X " + method + " -H 'Authorization: Bearer " + token() + "' -H 'Content-Length: 0' '" +
                         endpoints_["armBaseUrl"].get<std::string>() + path_and_query + "'");
    const auto nl = r.output.rfind('\n');
    int status = 0;
    try {
      status = std::stoi(r.output.substr(nl + 1));
    } catch (...) {
    }
    return {status, r.output.substr(0, nl)};
  }

 private:
  std::filesystem::path dir_;
  std::string state_dir_;
  pid_t pid_ = -1;
  nlohmann::json endpoints_;
  std::string token_;
};

// For --ip-pool: a /16 inside 127/8 that no other running sim holds (the sim picks it), so
// concurrent sims don't collide on IPs and ports.
inline constexpr const char* kFreeIpPool = "auto";

}  // namespace frankenetes::sim::testing
