#pragma once
// EtcdServer: a real single-member etcd (Debian's etcd-server, /usr/bin/etcd) on free loopback
// ports with a temporary --data-dir, for tests that need the real JSON gateway.
//
//   if (auto why = EtcdServer::unavailable_reason(); !why.empty()) {
//     if (EtcdServer::required()) FAIL() << why;   // under CI a missing etcd fails
//     GTEST_SKIP() << why;
//   }
//   EtcdServer etcd;
//   ASSERT_TRUE(etcd.start()) << etcd.error();
//   etcd.client_url();   // "http://127.0.0.1:<port>"
//   EtcdServer big({"--quota-backend-bytes", "8589934592"});   // extra flags, appended
//
// etcd cannot report a port it chose itself, so free ports are found by binding port 0 and
// closing again; if another process takes one in between, etcd exits ("address already in
// use") and start() tries again with new ports (three times). start() waits, with a deadline,
// until GET /health answers {"health":"true"}; the destructor sends SIGTERM, then SIGKILL
// after 5 s, reaps the process and removes the directory. If the test binary dies first,
// PR_SET_PDEATHSIG takes etcd with it; etcd inherits no descriptor of the test.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "http/client.h"
#include "support/child_process.h"
#include "support/temp_dir.h"

namespace frankenetes::testing {

class EtcdServer {
 public:
  // `extra_flags` are appended to etcd's command line (bench/etcd_snapshot raises the quota).
  explicit EtcdServer(std::vector<std::string> extra_flags = {})
      : extra_flags_(std::move(extra_flags)) {}
  ~EtcdServer() { stop(); }
  EtcdServer(const EtcdServer&) = delete;
  EtcdServer& operator=(const EtcdServer&) = delete;

  // $FRANKENETES_ETCD / $FRANKENETES_ETCDCTL, else the Debian packages' paths.
  static std::string binary() { return from_env("FRANKENETES_ETCD", "/usr/bin/etcd"); }
  static std::string etcdctl() { return from_env("FRANKENETES_ETCDCTL", "/usr/bin/etcdctl"); }
  // "" when etcd and etcdctl are there; else what is missing and how to get it.
  static std::string unavailable_reason() {
    if (access(binary().c_str(), X_OK) != 0) {
      return "etcd not installed (" + binary() + " missing): apt-get install etcd-server";
    }
    if (access(etcdctl().c_str(), X_OK) != 0) {
      return "etcdctl not installed (" + etcdctl() + " missing): apt-get install etcd-client";
    }
    return "";
  }
  static bool required() { return running_under_ci(); }

  bool start(std::chrono::seconds timeout = std::chrono::seconds(30)) {
    if (dir_.path().empty()) return fail("mkdtemp failed");
    auto client = http::HttpClient::create({});
    if (!client) return fail(client.error().message);
    client_ = std::move(*client);
    for (int attempt = 0; attempt < 3; ++attempt) {
      if (!launch()) return false;
      if (wait_ready(timeout)) return true;
      if (log().find("address already in use") == std::string::npos) return false;
      terminate_child(pid_);
    }
    return false;
  }

  void stop() { terminate_child(pid_); }

  std::uint16_t client_port() const { return client_port_; }
  std::string client_url() const { return "http://127.0.0.1:" + std::to_string(client_port_); }
  std::string directory() const { return dir_.path().string(); }
  const std::string& error() const { return error_; }
  std::string log() const {
    std::ifstream in(dir_.path() / "etcd.log");
    std::stringstream out;
    out << in.rdbuf();
    return out.str();
  }

 private:
  static std::string from_env(const char* name, const char* fallback) {
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0' ? value : fallback;
  }

  // A port nothing listens on right now (see the header comment for the race).
  static std::uint16_t free_port() {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return 0;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof addr;
    std::uint16_t port = 0;
    if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length) == 0) {
      port = ntohs(addr.sin_port);
    }
    close(fd);
    return port;
  }

  bool fail(std::string message) {
    error_ = std::move(message);
    return false;
  }

  std::vector<std::string> with_extra_flags(std::vector<std::string> argv) const {
    argv.insert(argv.end(), extra_flags_.begin(), extra_flags_.end());
    return argv;
  }

  bool launch() {
    client_port_ = free_port();
    const std::uint16_t peer_port = free_port();
    if (client_port_ == 0 || peer_port == 0 || client_port_ == peer_port) {
      return fail("no free loopback port");
    }
    const std::string client = client_url();
    const std::string peer = "http://127.0.0.1:" + std::to_string(peer_port);
    const auto data = dir_.path() / "data";
    std::error_code ignored;
    std::filesystem::remove_all(data, ignored);  // a fresh member on every attempt
    pid_ = spawn_logged(
        with_extra_flags({binary(), "--name", "fk", "--data-dir", data.string(),
                          "--listen-client-urls", client, "--advertise-client-urls", client,
                          "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                          "--initial-cluster", "fk=" + peer, "--initial-cluster-state", "new"}),
        (dir_.path() / "etcd.log").string());
    if (pid_ < 0) return fail("fork failed");
    return true;
  }

  bool healthy() {
    http::ClientRequest request;
    request.url = client_url() + "/health";
    request.timeout = std::chrono::milliseconds(500);
    request.operation = "test.etcd.health";
    auto response = client_->send(request);
    return response && response->status == 200 &&
           response->body.find("\"health\":\"true\"") != std::string::npos;
  }

  bool wait_ready(std::chrono::seconds timeout) {
    const auto why = wait_until_ready(
        pid_, "etcd", "was not healthy", timeout, [this] { return healthy(); },
        [this] { return log(); });
    return why.empty() || fail(why);
  }

  std::vector<std::string> extra_flags_;
  TempDir dir_{"fk-etcd"};
  std::unique_ptr<http::HttpClient> client_;
  std::string error_;
  std::uint16_t client_port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace frankenetes::testing
