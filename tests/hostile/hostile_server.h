#pragma once
// HostileServer: an HTTPS (or plain HTTP) server for client tests whose every connection follows
// a test-written script, for peers that lie, stall, flood or redirect on purpose. Blocking POSIX
// sockets and OpenSSL, one thread per accepted connection; every socket operation is bounded by
// kStepDeadline (SO_RCVTIMEO/SO_SNDTIMEO), and scripts that write forever stop when the client
// goes away or the server is destroyed, so a client that misbehaves fails the test instead of
// hanging it. It records every request head it read, to prove what was (not) sent. Test-only.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "support/loopback_listener.h"

namespace frankenetes::testing {

inline constexpr std::chrono::seconds kHostileStepDeadline{5};

struct HostileTls {
  std::string certificate_chain_pem;  // leaf first
  std::string private_key_pem;
};

class HostileConnection {
 public:
  HostileConnection(int fd, SSL* ssl, const std::atomic<bool>& stopping)
      : fd_(fd), ssl_(ssl), stopping_(stopping) {}

  // One request: head plus Content-Length body. "" when the peer closed or timed out.
  std::string read_request() {
    for (;;) {
      const auto head_end = pending_.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        std::size_t body_length = 0;
        std::string head = pending_.substr(0, head_end);
        for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (const auto cl = head.find("content-length:"); cl != std::string::npos) {
          body_length = std::stoul(head.substr(cl + 15));
        }
        if (pending_.size() >= head_end + 4 + body_length) {
          std::string request = pending_.substr(0, head_end + 4 + body_length);
          pending_.erase(0, request.size());
          return request;
        }
      }
      std::array<char, 4096> buffer{};
      const int n = ssl_ != nullptr ? SSL_read(ssl_, buffer.data(), buffer.size())
                                    : static_cast<int>(::recv(fd_, buffer.data(), buffer.size(), 0));
      if (n <= 0) return "";
      pending_.append(buffer.data(), static_cast<std::size_t>(n));
    }
  }

  // Whatever arrives next (at least one byte), for protocols other than HTTP (DNS over TCP).
  // "" on close or timeout.
  std::string read_raw() {
    if (pending_.empty()) {
      std::array<char, 4096> buffer{};
      const int n = ssl_ != nullptr ? SSL_read(ssl_, buffer.data(), buffer.size())
                                    : static_cast<int>(::recv(fd_, buffer.data(), buffer.size(), 0));
      if (n <= 0) return "";
      pending_.append(buffer.data(), static_cast<std::size_t>(n));
    }
    return std::exchange(pending_, "");
  }

  // False once the client is gone, a write stalled for kHostileStepDeadline, or the server is
  // being destroyed: scripts that write forever loop `while (connection.write(...))`.
  bool write(const std::string& bytes) {
    if (stopping_) return false;
    std::size_t sent = 0;
    while (sent < bytes.size()) {
      const int n = ssl_ != nullptr
                        ? SSL_write(ssl_, bytes.data() + sent, static_cast<int>(bytes.size() - sent))
                        : static_cast<int>(::send(fd_, bytes.data() + sent, bytes.size() - sent,
                                                  MSG_NOSIGNAL));
      if (n <= 0) return false;
      sent += static_cast<std::size_t>(n);
      written_ += static_cast<std::size_t>(n);
    }
    return true;
  }

  std::size_t written() const { return written_; }

 private:
  int fd_;
  SSL* ssl_;
  const std::atomic<bool>& stopping_;
  std::string pending_;
  std::size_t written_ = 0;
};

class HostileServer {
 public:
  // Called on its own thread for each accepted connection (after the TLS handshake, if any).
  using Script = std::function<void(HostileConnection&)>;

  explicit HostileServer(Script script, std::optional<HostileTls> tls = std::nullopt)
      : script_(std::move(script)) {
    // OpenSSL writes with write(2), not send(MSG_NOSIGNAL): writing to a client that has gone
    // (the point of most scripts here) must fail the write, not kill the test binary.
    ::signal(SIGPIPE, SIG_IGN);
    if (tls) ctx_ = make_context(*tls);
    const auto listener = frankenetes::testing::listen_on_loopback(64, "HostileServer");
    listen_fd_ = listener.fd;
    port_ = listener.port;
    stop_fd_ = ::eventfd(0, EFD_CLOEXEC);
    acceptor_ = std::thread([this] { accept_loop(); });
  }

  ~HostileServer() {
    stopping_ = true;
    const std::uint64_t one = 1;
    (void)!::write(stop_fd_, &one, sizeof one);
    acceptor_.join();
    {
      // Wakes scripts blocked reading from a client that keeps its connection (a keep-alive
      // pool) instead of waiting out kHostileStepDeadline.
      std::lock_guard lock(open_mutex_);
      for (const int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
    }
    for (auto& t : connections_) t.join();
    ::close(listen_fd_);
    ::close(stop_fd_);
    if (ctx_ != nullptr) SSL_CTX_free(ctx_);
  }
  HostileServer(const HostileServer&) = delete;
  HostileServer& operator=(const HostileServer&) = delete;

  std::uint16_t port() const { return port_; }
  std::string origin() const {
    return std::string(ctx_ != nullptr ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_);
  }
  int accepted() const { return accepted_.load(); }
  int handshakes_failed() const { return handshakes_failed_.load(); }
  // Bytes the scripts wrote, all connections; updated when a script returns.
  std::size_t written() const { return written_.load(); }
  // Waits until every accepted connection's script has returned.
  bool wait_for_scripts(std::chrono::milliseconds deadline = kHostileStepDeadline) const {
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (finished_.load() < accepted_.load()) {
      if (std::chrono::steady_clock::now() > until) return false;
      std::this_thread::yield();
    }
    return true;
  }

 private:
  static SSL_CTX* make_context(const HostileTls& tls) {
    SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
    std::unique_ptr<BIO, decltype(&BIO_free)> chain(
        BIO_new_mem_buf(tls.certificate_chain_pem.data(),
                        static_cast<int>(tls.certificate_chain_pem.size())),
        &BIO_free);
    std::unique_ptr<BIO, decltype(&BIO_free)> key(
        BIO_new_mem_buf(tls.private_key_pem.data(), static_cast<int>(tls.private_key_pem.size())),
        &BIO_free);
    X509* leaf = PEM_read_bio_X509(chain.get(), nullptr, nullptr, nullptr);
    EVP_PKEY* pkey = PEM_read_bio_PrivateKey(key.get(), nullptr, nullptr, nullptr);
    const bool ok = leaf != nullptr && pkey != nullptr && SSL_CTX_use_certificate(ctx, leaf) == 1 &&
                    SSL_CTX_use_PrivateKey(ctx, pkey) == 1;
    X509_free(leaf);
    EVP_PKEY_free(pkey);
    if (!ok) {
      SSL_CTX_free(ctx);
      throw std::runtime_error("HostileServer: unusable certificate or key");
    }
    return ctx;
  }

  void accept_loop() {
    for (;;) {
      std::array<pollfd, 2> fds{{{listen_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}}};
      if (::poll(fds.data(), fds.size(), -1) < 0 || (fds[1].revents & POLLIN)) return;
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      accepted_.fetch_add(1);
      {
        std::lock_guard lock(open_mutex_);
        open_fds_.push_back(fd);
      }
      connections_.emplace_back([this, fd] { serve(fd); });
    }
  }

  void serve(int fd) {
    const timeval bound{static_cast<time_t>(kHostileStepDeadline.count()), 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof bound);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &bound, sizeof bound);
    SSL* ssl = nullptr;
    if (ctx_ != nullptr) {
      ssl = SSL_new(ctx_);
      SSL_set_fd(ssl, fd);
      if (SSL_accept(ssl) != 1) {
        handshakes_failed_.fetch_add(1);
        ERR_clear_error();
        SSL_free(ssl);
        close_connection(fd);
        return;
      }
    }
    HostileConnection connection(fd, ssl, stopping_);
    script_(connection);
    written_.fetch_add(connection.written());
    if (ssl != nullptr) {
      SSL_shutdown(ssl);
      SSL_free(ssl);
    }
    ERR_clear_error();
    close_connection(fd);
  }

  void close_connection(int fd) {
    {
      std::lock_guard lock(open_mutex_);
      open_fds_.erase(std::find(open_fds_.begin(), open_fds_.end(), fd));
    }
    ::close(fd);
    finished_.fetch_add(1);
  }

  Script script_;
  SSL_CTX* ctx_ = nullptr;
  int listen_fd_ = -1;
  int stop_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> accepted_{0};
  std::atomic<int> finished_{0};
  std::atomic<int> handshakes_failed_{0};
  std::atomic<std::size_t> written_{0};
  std::mutex open_mutex_;
  std::vector<int> open_fds_;  // accepted and not yet closed
  std::thread acceptor_;
  std::vector<std::thread> connections_;  // only touched by the acceptor thread, then joined
};

}  // namespace frankenetes::testing
