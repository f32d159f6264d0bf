#include "sim/http_get.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace frankenetes::sim {

std::optional<ParsedUrl> parse_http_url(const std::string& url) {
  ParsedUrl out;
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return std::nullopt;
  out.scheme = url.substr(0, scheme_end);
  if (out.scheme != "http" && out.scheme != "https") return std::nullopt;
  out.port = out.scheme == "https" ? 443 : 80;
  auto rest = url.substr(scheme_end + 3);
  const auto slash = rest.find('/');
  auto authority = rest.substr(0, slash);
  if (slash != std::string::npos) out.path_and_query = rest.substr(slash);
  const auto colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']') == std::string::npos) {
    try {
      out.port = std::stoi(authority.substr(colon + 1));
    } catch (...) {
      return std::nullopt;
    }
    authority = authority.substr(0, colon);
  }
  if (authority.empty()) return std::nullopt;
  out.host = authority;
  return out;
}

HttpGetResult http_get(const std::string& ip, int port, const std::string& path_and_query,
                       const std::string& host_header, std::chrono::milliseconds timeout) {
  HttpGetResult result;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const auto remaining_ms = [&] {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    return static_cast<int>(std::max<long long>(0, left.count()));
  };
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  if (inet_pton(AF_INET, ip.c_str(), &addr.sin_addr) != 1) {
    result.error = "not an IPv4 address: " + ip;
    return result;
  }
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    result.error = std::strerror(errno);
    return result;
  }
  struct Closer {
    int fd;
    ~Closer() { close(fd); }
  } closer{fd};
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 && errno != EINPROGRESS) {
    result.error = std::string("connect: ") + std::strerror(errno);
    return result;
  }
  pollfd p{fd, POLLOUT, 0};
  if (poll(&p, 1, remaining_ms()) <= 0) {
    result.error = "connect timeout";
    return result;
  }
  int err = 0;
  socklen_t len = sizeof err;
  getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
  if (err != 0) {
    result.error = std::string("connect: ") + std::strerror(err);
    return result;
  }
  const std::string request = "GET " + path_and_query + " HTTP/1.1\r\nHost: " + host_header +
                              "\r\nUser-Agent: frankenetes-sim-member-stub\r\nConnection: close\r\n\r\n";
  std::size_t sent = 0;
  while (sent < request.size()) {
    const auto n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno != EAGAIN) {
      result.error = std::string("send: ") + std::strerror(errno);
      return result;
    }
    pollfd w{fd, POLLOUT, 0};
    if (poll(&w, 1, remaining_ms()) <= 0) {
      result.error = "send timeout";
      return result;
    }
  }
  std::string response;
  char buf[4096];
  for (;;) {
    pollfd r{fd, POLLIN, 0};
    const int ready = poll(&r, 1, remaining_ms());
    if (ready <= 0) {
      result.error = "read timeout";
      return result;
    }
    const auto n = recv(fd, buf, sizeof buf, 0);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      result.error = std::string("recv: ") + std::strerror(errno);
      return result;
    }
    response.append(buf, static_cast<std::size_t>(n));
    if (response.size() > (1u << 20)) break;
  }
  if (response.compare(0, 5, "HTTP/") != 0) {
    result.error = "not an HTTP response";
    return result;
  }
  const auto space = response.find(' ');
  try {
    result.status = std::stoi(response.substr(space + 1, 3));
  } catch (...) {
    result.error = "bad status line";
    return result;
  }
  const auto header_end = response.find("\r\n\r\n");
  if (header_end != std::string::npos) result.body = response.substr(header_end + 4);
  return result;
}

}  // namespace frankenetes::sim
