#pragma once
// DnsServer: moves DNS messages between sockets and an answering function, over UDP and TCP
// (RFC 1035 §4.2; TCP messages carry a two-octet length prefix, RFC 7766 allows several
// queries per connection). It decides nothing about content: DnsSimulator passes an
// answerer backed by answer_dns_query(). Asio stays in dns_server.cc.
//
// Limits: UDP datagrams up to 65535 octets in, TCP messages up to 65535; at most
// `max_tcp_connections` connections (further ones are closed at once); a TCP connection
// that sends nothing for `tcp_idle_timeout`, or takes longer than `tcp_io_timeout` to
// finish a message or accept a response, is closed. All handlers run on the io_context's
// thread(s); the answerer must be safe to call from there.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "sim/dns/dns_responder.h"

namespace boost::asio {
class io_context;
}

namespace frankenetes::sim::dns {

namespace detail {
class DnsServerCore;
}

class DnsServer {
 public:
  using Answerer = std::function<std::optional<std::vector<std::uint8_t>>(
      std::span<const std::uint8_t> query, DnsTransport transport)>;

  struct Options {
    std::string listen = "127.0.0.1:0";  // "host:port"; port 0 picks one free for UDP and TCP
    std::size_t max_tcp_connections = 64;
    std::chrono::milliseconds tcp_idle_timeout{std::chrono::seconds(10)};
    std::chrono::milliseconds tcp_io_timeout{std::chrono::seconds(5)};
  };

  DnsServer(boost::asio::io_context& io, Options options, Answerer answerer);
  ~DnsServer();
  DnsServer(const DnsServer&) = delete;
  DnsServer& operator=(const DnsServer&) = delete;

  // Binds UDP and TCP on the same port and starts serving. Errors name the address.
  core::Status start();
  std::uint16_t port() const;
  std::string address() const;  // "127.0.0.1:15353" after start()
  // Closes the sockets and every open connection. Call from the io thread; idempotent.
  void stop();

 private:
  std::shared_ptr<detail::DnsServerCore> impl_;
};

}  // namespace frankenetes::sim::dns
