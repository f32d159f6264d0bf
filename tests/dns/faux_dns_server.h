#pragma once
// FauxDnsServer: a loopback DNS "server" whose answers a test scripts byte by byte (after Kea's
// FauxServer): it can answer garbage, the wrong id, a truncated UDP answer, a reply signed with
// the wrong key, or nothing at all. UDP and TCP on the same free port; one background thread
// polls both and calls the handler with the request's wire bytes. An empty answer means "stay
// silent". Requests are counted per transport.

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace frankenetes::testing {

class FauxDnsServer {
 public:
  using Bytes = std::vector<uint8_t>;
  // (request wire, over_tcp) -> answer wire
  using Handler = std::function<Bytes(const Bytes& request, bool over_tcp)>;

  explicit FauxDnsServer(Handler handler) : handler_(std::move(handler)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    tcp_ = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(tcp_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    bind(tcp_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    getsockname(tcp_, reinterpret_cast<sockaddr*>(&addr), &len);
    listen(tcp_, 4);
    udp_ = socket(AF_INET, SOCK_DGRAM, 0);
    bind(udp_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { run(); });
  }
  ~FauxDnsServer() {
    stop_ = true;
    thread_.join();
    close(tcp_);
    close(udp_);
  }
  FauxDnsServer(const FauxDnsServer&) = delete;
  FauxDnsServer& operator=(const FauxDnsServer&) = delete;

  uint16_t port() const { return port_; }
  int udp_requests() const { return udp_requests_; }
  int tcp_requests() const { return tcp_requests_; }

 private:
  void run() {
    while (!stop_) {
      pollfd fds[2] = {{udp_, POLLIN, 0}, {tcp_, POLLIN, 0}};
      if (poll(fds, 2, 20) <= 0) continue;
      if (fds[0].revents & POLLIN) serve_udp();
      if (fds[1].revents & POLLIN) serve_tcp();
    }
  }

  void serve_udp() {
    Bytes buffer(65535);
    sockaddr_storage from{};
    socklen_t from_len = sizeof from;
    const ssize_t n = recvfrom(udp_, buffer.data(), buffer.size(), 0,
                               reinterpret_cast<sockaddr*>(&from), &from_len);
    if (n <= 0) return;
    buffer.resize(static_cast<size_t>(n));
    ++udp_requests_;
    const Bytes answer = handler_(buffer, false);
    if (!answer.empty()) {
      sendto(udp_, answer.data(), answer.size(), 0, reinterpret_cast<sockaddr*>(&from), from_len);
    }
  }

  static bool read_exact(int fd, uint8_t* out, size_t size) {
    size_t done = 0;
    while (done < size) {
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, 2000) <= 0) return false;
      const ssize_t n = read(fd, out + done, size - done);
      if (n <= 0) return false;
      done += static_cast<size_t>(n);
    }
    return true;
  }

  void serve_tcp() {
    const int conn = accept(tcp_, nullptr, nullptr);
    if (conn < 0) return;
    uint8_t length[2];
    if (read_exact(conn, length, 2)) {
      Bytes request(static_cast<size_t>(length[0] << 8 | length[1]));
      if (read_exact(conn, request.data(), request.size())) {
        ++tcp_requests_;
        const Bytes answer = handler_(request, true);
        if (!answer.empty()) {
          Bytes framed{static_cast<uint8_t>(answer.size() >> 8),
                       static_cast<uint8_t>(answer.size() & 0xff)};
          framed.insert(framed.end(), answer.begin(), answer.end());
          (void)!write(conn, framed.data(), framed.size());
        }
      }
    }
    close(conn);
  }

  Handler handler_;
  int tcp_ = -1;
  int udp_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> udp_requests_{0};
  std::atomic<int> tcp_requests_{0};
  std::thread thread_;
};

}  // namespace frankenetes::testing
