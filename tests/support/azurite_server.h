#pragma once
// AzuriteServer: Microsoft's Azure Storage emulator (the npm package `azurite`, pinned in
// tests/azurite/package.json and installed by scripts/install-deps) running azurite-blob on a
// free loopback port with a temporary --location, for tests that need a real Blob service.
//
//   if (auto why = AzuriteServer::unavailable_reason(); !why.empty()) {
//     if (AzuriteServer::required()) FAIL() << why;   // under CI a missing emulator fails
//     GTEST_SKIP() << why;
//   }
//   AzuriteServer azurite;
//   ASSERT_TRUE(azurite.start()) << azurite.error();
//   azurite.endpoint();   // "http://127.0.0.1:<port>/devstoreaccount1" (path style)
//
// Port 0 is passed and the port Azurite reports on stdout is used, so there is no window in
// which another process could take a port picked in advance. Telemetry is off
// (--disableTelemetry: otherwise Azurite tries to reach the internet); access logs are off
// (--silent). start() waits, with a deadline, for the "listens on" line and then for a TCP
// connect; the destructor sends SIGTERM, then SIGKILL after 5 s, reaps the process and removes
// the directory. If the test binary dies first, PR_SET_PDEATHSIG takes Azurite with it.
// The account is Azurite's default devstoreaccount1 with its well-known, public key.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>

#include "support/child_process.h"

namespace frankenetes::testing {

class AzuriteServer {
 public:
  static constexpr const char* kAccount = "devstoreaccount1";
  static constexpr const char* kKey =
      "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

  AzuriteServer() = default;
  ~AzuriteServer() { stop(); }
  AzuriteServer(const AzuriteServer&) = delete;
  AzuriteServer& operator=(const AzuriteServer&) = delete;

  // $FRANKENETES_AZURITE_BLOB, else tests/azurite/node_modules/.bin/azurite-blob in the source
  // tree ($FRANKENETES_SOURCE_DIR, which ctest sets).
  static std::string binary() {
    if (const char* explicit_path = std::getenv("FRANKENETES_AZURITE_BLOB")) return explicit_path;
    const char* source = std::getenv("FRANKENETES_SOURCE_DIR");
    const std::filesystem::path root =
        source ? std::filesystem::path(source)
               : std::filesystem::path(__FILE__).parent_path().parent_path().parent_path();
    return (root / "tests/azurite/node_modules/.bin/azurite-blob").string();
  }
  // "" when azurite-blob and node are there; else what is missing and how to get it.
  static std::string unavailable_reason() {
    if (access(binary().c_str(), X_OK) != 0) {
      return "Azurite not installed (" + binary() +
             " missing): run scripts/install-deps (npm ci in tests/azurite)";
    }
    if (std::system("command -v node >/dev/null 2>&1") != 0) {
      return "node not on PATH: apt-get install nodejs (scripts/install-deps)";
    }
    return "";
  }
  // Under CI a missing emulator is a failure, not a skip (child_process.h running_under_ci).
  static bool required() { return running_under_ci(); }

  bool start(std::chrono::seconds timeout = std::chrono::seconds(60)) {
    std::string pattern = (std::filesystem::temp_directory_path() / "fk-azurite-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) return fail("mkdtemp failed");
    dir_ = pattern;
    std::filesystem::create_directories(dir_ + "/data");
    if (!launch()) return false;
    return wait_ready(timeout);
  }

  void stop() {
    terminate_child(pid_);
    if (!dir_.empty()) {
      std::error_code ignored;
      std::filesystem::remove_all(dir_, ignored);
      dir_.clear();
    }
  }

  std::uint16_t port() const { return port_; }
  // Path-style blob endpoint of the default account.
  std::string endpoint() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/" + kAccount;
  }
  const std::string& directory() const { return dir_; }
  const std::string& error() const { return error_; }
  std::string log() const {
    std::ifstream in(dir_ + "/azurite.log");
    std::stringstream out;
    out << in.rdbuf();
    return out.str();
  }

 private:
  bool fail(std::string message) {
    error_ = std::move(message);
    return false;
  }

  bool launch() {
    const std::string program = binary();
    const std::string location = dir_ + "/data";
    const std::string log_path = dir_ + "/azurite.log";
    pid_ = spawn_logged({program, "--blobHost", "127.0.0.1", "--blobPort", "0", "--location",
                         location, "--disableTelemetry", "--silent"},
                        log_path);
    if (pid_ < 0) return fail("fork failed");
    return true;
  }

  // "Azurite Blob service successfully listens on http://127.0.0.1:40123"
  std::uint16_t reported_port() const {
    static constexpr std::string_view kMarker = "listens on http://127.0.0.1:";
    const auto text = log();
    const auto at = text.find(kMarker);
    if (at == std::string::npos) return 0;
    return static_cast<std::uint16_t>(std::atoi(text.c_str() + at + kMarker.size()));
  }

  bool accepts_connections() const {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return false;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port_);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    close(fd);
    return ok;
  }

  bool wait_ready(std::chrono::seconds timeout) {
    const auto why = wait_until_ready(
        pid_, "azurite-blob", "did not listen", timeout,
        [this] {
          if (port_ == 0) port_ = reported_port();
          return port_ != 0 && accepts_connections();
        },
        [this] { return log(); });
    return why.empty() || fail(why);
  }

  std::string dir_;
  std::string error_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace frankenetes::testing
