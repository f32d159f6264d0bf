#pragma once
// ScriptedServer: a raw socket HTTP server for client tests, whose every connection follows a
// test-written script, for peers that misbehave on purpose (close idle connections, hang, send
// chunked, oversized or stalling responses). Blocking POSIX sockets, one thread per accepted
// connection; every read waits at most kStepDeadline, so a client that misbehaves fails the
// test instead of hanging it. Test-only.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "http/server_harness.h"
#include "support/loopback_listener.h"

namespace frankenetes::http::testing {

class ScriptedConnection {
 public:
  explicit ScriptedConnection(int fd) : fd_(fd) {}
  ~ScriptedConnection() { close(); }
  ScriptedConnection(const ScriptedConnection&) = delete;
  ScriptedConnection& operator=(const ScriptedConnection&) = delete;

  // Reads one request (head plus Content-Length body). "" when the peer closed or timed out.
  std::string read_request() {
    for (;;) {
      const auto head_end = pending_.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        std::size_t body_length = 0;
        const auto cl = lower(pending_.substr(0, head_end)).find("content-length:");
        if (cl != std::string::npos) body_length = std::stoul(pending_.substr(cl + 15));
        const std::size_t total = head_end + 4 + body_length;
        if (pending_.size() >= total) {
          std::string request = pending_.substr(0, total);
          pending_.erase(0, total);
          return request;
        }
      }
      if (!read_some()) return "";
    }
  }

  void write(const std::string& bytes) const {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
      const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return;
      sent += static_cast<std::size_t>(n);
    }
  }

  // Whatever arrives next (at least one byte), e.g. a TLS ClientHello. "" on close or timeout.
  std::string read_raw() {
    if (pending_.empty() && !read_some()) return "";
    return std::exchange(pending_, "");
  }

  // Waits until the client closes its end (true) or kStepDeadline passes (false).
  bool wait_for_client_close() {
    while (read_some()) {
    }
    return peer_closed_;
  }

  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  static std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }

  bool read_some() {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(std::chrono::milliseconds(kStepDeadline).count())) != 1) {
      return false;
    }
    std::array<char, 4096> buffer{};
    const ssize_t n = ::recv(fd_, buffer.data(), buffer.size(), 0);
    if (n <= 0) {
      peer_closed_ = true;
      return false;
    }
    pending_.append(buffer.data(), static_cast<std::size_t>(n));
    return true;
  }

  int fd_;
  std::string pending_;
  bool peer_closed_ = false;
};

class ScriptedServer {
 public:
  // Called on its own thread for each accepted connection, with its 0-based index.
  using Script = std::function<void(ScriptedConnection&, int index)>;

  explicit ScriptedServer(Script script) : script_(std::move(script)) {
    const auto listener = frankenetes::testing::listen_on_loopback(16, "ScriptedServer");
    listen_fd_ = listener.fd;
    port_ = listener.port;
    stop_fd_ = ::eventfd(0, EFD_CLOEXEC);
    acceptor_ = std::thread([this] { accept_loop(); });
  }

  ~ScriptedServer() {
    const std::uint64_t one = 1;
    (void)!::write(stop_fd_, &one, sizeof one);
    acceptor_.join();
    for (auto& t : connections_) t.join();
    ::close(listen_fd_);
    ::close(stop_fd_);
  }

  std::uint16_t port() const { return port_; }
  int accepted() const { return accepted_.load(); }
  std::string url(const std::string& target = "/") const {
    return "http://127.0.0.1:" + std::to_string(port_) + target;
  }

 private:
  void accept_loop() {
    for (;;) {
      std::array<pollfd, 2> fds{{{listen_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}}};
      if (::poll(fds.data(), fds.size(), -1) < 0 || (fds[1].revents & POLLIN)) return;
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      const int index = accepted_.fetch_add(1);
      connections_.emplace_back([this, fd, index] {
        ScriptedConnection connection(fd);
        script_(connection, index);
      });
    }
  }

  Script script_;
  int listen_fd_ = -1;
  int stop_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<int> accepted_{0};
  std::thread acceptor_;
  std::vector<std::thread> connections_;  // only touched by the acceptor thread, then joined
};

}  // namespace frankenetes::http::testing
