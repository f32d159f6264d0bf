#include "sim/dns/dns_server.h"

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <set>

#include "http/listen_address.h"

namespace frankenetes::sim::dns {

namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;

namespace detail {

class TcpSession;

// The server's state, shared with its pending handlers so a handler that fires after
// DnsServer is gone finds a stopped server rather than freed memory.
class DnsServerCore : public std::enable_shared_from_this<DnsServerCore> {
 public:
  DnsServerCore(asio::io_context& io, DnsServer::Options options, DnsServer::Answerer answerer)
      : io_(io),
        options_(std::move(options)),
        answerer_(std::move(answerer)),
        udp_(io),
        acceptor_(io) {}

  core::Status start();
  void stop();
  void receive_udp();
  void accept_tcp();
  void forget(TcpSession* session) { sessions_.erase(session); }

  asio::io_context& io_;
  DnsServer::Options options_;
  DnsServer::Answerer answerer_;
  udp::socket udp_;
  tcp::acceptor acceptor_;
  std::array<std::uint8_t, kMaxDnsMessage> udp_buffer_{};
  udp::endpoint udp_peer_;
  std::set<TcpSession*> sessions_;
  std::uint16_t port_ = 0;
  std::string host_;
  bool stopped_ = false;
};

// One TCP connection: read length, read message, answer, write, repeat; a deadline timer
// guards every step, so a silent peer cannot hold a session open.
class TcpSession : public std::enable_shared_from_this<TcpSession> {
 public:
  TcpSession(tcp::socket socket, std::shared_ptr<DnsServerCore> server)
      : socket_(std::move(socket)), timer_(socket_.get_executor()), server_(std::move(server)) {}

  void start() { read_length(); }
  void close() {
    boost::system::error_code ignored;
    timer_.cancel();
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

 private:
  void arm(std::chrono::milliseconds timeout) {
    timer_.expires_after(timeout);
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) self->close();  // deadline passed; operation_aborted means it was re-armed
    });
  }

  void finish() {
    timer_.cancel();
    server_->forget(this);
    close();
  }

  void read_length() {
    arm(server_->options_.tcp_idle_timeout);
    asio::async_read(socket_, asio::buffer(length_),
                     [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                       if (ec) return self->finish();
                       const std::size_t size = (std::size_t{self->length_[0]} << 8) |
                                                self->length_[1];
                       if (size < 12) return self->finish();  // no room for a DNS header
                       self->read_message(size);
                     });
  }

  void read_message(std::size_t size) {
    arm(server_->options_.tcp_io_timeout);
    message_.resize(size);
    asio::async_read(socket_, asio::buffer(message_),
                     [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                       if (ec || self->server_->stopped_) return self->finish();
                       auto answer = self->server_->answerer_(self->message_, DnsTransport::kTcp);
                       if (!answer) return self->read_length();
                       self->write(std::move(*answer));
                     });
  }

  void write(std::vector<std::uint8_t> answer) {
    arm(server_->options_.tcp_io_timeout);
    out_.resize(answer.size() + 2);
    out_[0] = static_cast<std::uint8_t>(answer.size() >> 8);
    out_[1] = static_cast<std::uint8_t>(answer.size() & 0xff);
    std::copy(answer.begin(), answer.end(), out_.begin() + 2);
    asio::async_write(socket_, asio::buffer(out_),
                      [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                        if (ec) return self->finish();
                        self->read_length();
                      });
  }

  tcp::socket socket_;
  asio::steady_timer timer_;
  std::shared_ptr<DnsServerCore> server_;
  std::array<std::uint8_t, 2> length_{};
  std::vector<std::uint8_t> message_;
  std::vector<std::uint8_t> out_;
};

core::Status DnsServerCore::start() {
  auto parsed = http::parse_listen_address(options_.listen);
  if (!parsed.ok()) return parsed.error();
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(parsed->host, ec);
  if (ec) {
    return core::Error{core::ErrorKind::kInvalidConfig,
                       "dns listen " + options_.listen + ": " + ec.message(), 0, "", ""};
  }
  auto fail = [&](const char* what) {
    return core::Error{core::ErrorKind::kInvalidConfig,
                       "dns listen " + options_.listen + " (" + what + "): " + ec.message(), 0,
                       "", ""};
  };
  // With port 0 the kernel picks the UDP port; TCP must then get the same one, which another
  // process may hold: retry with a fresh UDP port a few times.
  for (int attempt = 0; attempt < 20; ++attempt) {
    boost::system::error_code ignored;
    udp_.close(ignored);
    acceptor_.close(ignored);
    udp_.open(address.is_v6() ? udp::v6() : udp::v4(), ec);
    if (!ec) udp_.bind(udp::endpoint(address, parsed->port), ec);
    if (ec) return fail("udp");
    const auto port = udp_.local_endpoint().port();
    acceptor_.open(address.is_v6() ? tcp::v6() : tcp::v4(), ec);
    if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor_.bind(tcp::endpoint(address, port), ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (!ec) {
      port_ = port;
      host_ = parsed->ipv6 ? "[" + parsed->host + "]" : parsed->host;
      receive_udp();
      accept_tcp();
      return {};
    }
    if (parsed->port != 0) return fail("tcp");
  }
  return fail("tcp");
}

void DnsServerCore::stop() {
  if (stopped_) return;
  stopped_ = true;
  boost::system::error_code ignored;
  udp_.close(ignored);
  acceptor_.close(ignored);
  for (auto* session : std::set<TcpSession*>(sessions_)) session->close();
  sessions_.clear();
}

void DnsServerCore::receive_udp() {
  udp_.async_receive_from(
      asio::buffer(udp_buffer_), udp_peer_,
      [self = shared_from_this()](boost::system::error_code ec, std::size_t size) {
        if (self->stopped_ || ec == asio::error::operation_aborted) return;
        if (!ec) {
          auto answer = self->answerer_(std::span<const std::uint8_t>(self->udp_buffer_.data(), size),
                                        DnsTransport::kUdp);
          if (answer) {
            // Loopback UDP sends do not block in practice; a lost datagram is the client's to
            // retry, exactly as with a real server.
            boost::system::error_code ignored;
            self->udp_.send_to(asio::buffer(*answer), self->udp_peer_, 0, ignored);
          }
        }
        self->receive_udp();
      });
}

void DnsServerCore::accept_tcp() {
  acceptor_.async_accept([self = shared_from_this()](boost::system::error_code ec,
                                                     tcp::socket socket) {
    if (self->stopped_ || ec == asio::error::operation_aborted) return;
    if (!ec) {
      if (self->sessions_.size() >= self->options_.max_tcp_connections) {
        boost::system::error_code ignored;
        socket.close(ignored);
      } else {
        auto session = std::make_shared<TcpSession>(std::move(socket), self);
        self->sessions_.insert(session.get());
        session->start();
      }
    }
    self->accept_tcp();
  });
}

}  // namespace detail

DnsServer::DnsServer(asio::io_context& io, Options options, Answerer answerer)
    : impl_(std::make_shared<detail::DnsServerCore>(io, std::move(options), std::move(answerer))) {}

DnsServer::~DnsServer() { impl_->stop(); }

core::Status DnsServer::start() { return impl_->start(); }
std::uint16_t DnsServer::port() const { return impl_->port_; }
std::string DnsServer::address() const {
  return impl_->host_ + ":" + std::to_string(impl_->port_);
}
void DnsServer::stop() { impl_->stop(); }

}  // namespace frankenetes::sim::dns
