#pragma once
// Blocking loopback sockets for hostile-peer tests: a client that sends whatever bytes a test
// wants (garbage, oversized heads, endless bodies) and reads what comes back, every step
// bounded by a deadline so a peer that misbehaves fails the test instead of hanging it.
// Test-only, POSIX only.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <string>

namespace frankenetes::testing {

// A connected TCP socket to 127.0.0.1:port, or -1.
inline int connect_loopback(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Sends what `next_bytes` produces (an empty string: nothing more to send) while reading
// whatever the peer answers, until the peer closes, `done(received)` says enough, or `deadline`
// passes. Returns everything received. Send errors (the peer closed early) only end sending.
inline std::string converse(int fd, const std::function<std::string()>& next_bytes,
                            const std::function<bool(const std::string&)>& done,
                            std::chrono::milliseconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  std::string received;
  std::string pending = next_bytes();
  std::size_t offset = 0;
  bool sending = !pending.empty();
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (left.count() <= 0) return received;
    pollfd p{fd, static_cast<short>(POLLIN | (sending ? POLLOUT : 0)), 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
      std::array<char, 16 * 1024> buffer{};
      const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), MSG_DONTWAIT);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) return received;
      if (n > 0) received.append(buffer.data(), static_cast<std::size_t>(n));
      if (done(received)) return received;
    }
    if (sending && (p.revents & POLLOUT)) {
      const ssize_t n = ::send(fd, pending.data() + offset, pending.size() - offset,
                               MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
        sending = false;
      } else if (n > 0) {
        offset += static_cast<std::size_t>(n);
        if (offset == pending.size()) {
          pending = next_bytes();
          offset = 0;
          sending = !pending.empty();
        }
      }
    }
  }
}

// The status code of the first response in `bytes` ("HTTP/1.1 431 ..."), or 0.
inline int status_of(const std::string& bytes) {
  if (bytes.rfind("HTTP/1.", 0) != 0 || bytes.size() < 12) return 0;
  return std::atoi(bytes.substr(9, 3).c_str());
}

// True once `bytes` holds a whole response head (enough for the status and headers).
inline bool has_head(const std::string& bytes) { return bytes.find("\r\n\r\n") != std::string::npos; }

}  // namespace frankenetes::testing
