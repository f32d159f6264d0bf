#pragma once
// A listening TCP socket on 127.0.0.1 at a port the kernel picks, for the hand-written test
// servers (tests/http/scripted_server.h, tests/hostile/hostile_server.h) that accept with
// poll(2) on their own thread rather than through Asio.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <stdexcept>
#include <string>

namespace frankenetes::testing {

struct LoopbackListener {
  int fd = -1;
  std::uint16_t port = 0;
};

// Throws std::runtime_error naming `who` when the socket cannot be bound or listened on.
inline LoopbackListener listen_on_loopback(int backlog, const std::string& who) {
  LoopbackListener listener;
  listener.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (listener.fd < 0 ||
      ::bind(listener.fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listener.fd, backlog) != 0 ||
      ::getsockname(listener.fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    if (listener.fd >= 0) ::close(listener.fd);
    throw std::runtime_error(who + ": cannot listen on 127.0.0.1");
  }
  listener.port = ntohs(address.sin_port);
  return listener;
}

}  // namespace frankenetes::testing
