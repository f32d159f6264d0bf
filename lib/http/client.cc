// HttpClient: a blocking HTTP/1.1 client made of Beast's asynchronous operations. Structure
// follows Beast's example/http/client/async-ssl: a deadline (tcp_stream::expires_at) before
// every connect, handshake, write and read; SNI; verify_peer plus host-name verification; a
// parser body_limit. The difference is that send() drives the operations itself: each
// connection owns a single-threaded io_context that the calling thread runs until the
// operation completes, and a connection is used by one thread at a time (the pool hands it
// out), so no strands or locks are needed around I/O.

#include "http/client.h"

#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/duration.h"
#include "core/time_source.h"
#include "http/detail/client_errors.h"
#include "http/detail/client_message.h"
#include "http/detail/client_stream.h"
#include "http/detail/client_tls.h"
#include "http/detail/connection.h"
#include "http/detail/connection_pool.h"
#include "http/url.h"

namespace frankenetes::http {
namespace {

using core::make_error;

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using detail::Connection;
using detail::Deadline;
using detail::run_until_complete;
using detail::timeout_error;

// How long a TLS close_notify exchange may take when a response ends the connection.
constexpr std::chrono::milliseconds kTlsShutdownTimeout{250};

// The outcome of one request/response exchange on one connection: on success, the parser that
// read the final response (whole for send(), only its head for open()).
template <class Body>
using ParserPtr = std::unique_ptr<bhttp::response_parser<Body>>;
template <class Body>
struct Exchange {
  std::optional<core::Result<ParserPtr<Body>>> result;
  // How a failed exchange failed, for the replay rule in HttpClient::Impl::perform():
  // the peer closed or reset the connection while the request was being written, or before
  // the first byte of a response arrived.
  bool failed_writing = false;
  bool failed_before_response = false;
  bool keep_alive = false;
};

// The addresses to try for the URL's host, looked up within the deadline. IP literals need no
// lookup.
core::Result<std::vector<tcp::endpoint>> resolve(const Url& url, const ClientRequest& request,
                                                 const Deadline& deadline) {
  if (url.ip_literal) {
    return std::vector<tcp::endpoint>{tcp::endpoint(asio::ip::make_address(url.host), url.port)};
  }
  // A throw-away io_context: Asio resolves on a helper thread that lives as long as the
  // io_context, and a pooled connection should not keep a thread. The thread runs
  // getaddrinfo, which cannot be interrupted: cancelling at the deadline only abandons the
  // result, and destroying `io` waits for getaddrinfo to return. A hanging system resolver
  // can therefore hold this call past the deadline by up to its own timeout (resolv.conf
  // `timeout` x `attempts`); the error is still reported as a timeout.
  asio::io_context io{1};
  tcp::resolver resolver(io);
  asio::steady_timer timer(io);
  bool timed_out = false;
  tcp::resolver::results_type results;
  timer.expires_at(deadline.at);
  timer.async_wait([&](error_code ec) {
    if (ec) return;  // cancelled: the resolver answered first
    timed_out = true;
    resolver.cancel();
  });
  const error_code ec = run_until_complete(io, [&](auto handler) {
    resolver.async_resolve(
        url.host, std::to_string(url.port), tcp::resolver::numeric_service,
        [&, handler](error_code resolve_ec, tcp::resolver::results_type found) mutable {
          timer.cancel();
          results = std::move(found);
          handler(resolve_ec);
        });
  });
  if (timed_out) return timeout_error(deadline, "resolving", url, request.operation);
  if (ec) {
    return make_error(core::ErrorKind::kTransient, "resolve " + url.host + ": " + ec.message());
  }
  std::vector<tcp::endpoint> endpoints;
  for (const auto& entry : results) endpoints.push_back(entry.endpoint());
  return endpoints;
}

// The response said the connection ends here. For TLS, exchange close_notify (briefly).
void close_gracefully(Connection& connection, const Deadline& deadline, core::MonotonicTime now) {
  if (connection.tls()) {
    connection.lowest().expires_at(std::min(deadline.at, now + kTlsShutdownTimeout));
    run_until_complete(connection.io(), [&](auto handler) {
      connection.tls_stream().async_shutdown(std::move(handler));
    });
    // The error is ignored on purpose. Many servers close the TCP connection after the last
    // response without sending close_notify, which OpenSSL reports as
    // ssl::error::stream_truncated; a timeout means the server did not answer ours. Neither
    // can hurt: the response is already complete. It was length-delimited or chunked, or, if
    // its end was marked only by the close, the read itself ended at a close_notify (a bare
    // TCP close fails that read with stream_truncated), so no truncation goes unnoticed.
  }
  error_code ignored;
  connection.lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
  connection.lowest().close();
}

}  // namespace

class HttpClient::Impl {
 public:
  Impl(HttpClientOptions options, std::shared_ptr<ssl::context> tls)
      : options_(std::move(options)),
        tls_(std::move(tls)),
        pool_(options_.max_idle_per_host, options_.idle_timeout) {}

  core::Result<Response> send(const ClientRequest& request) {
    auto call = perform<bhttp::string_body>(request, /*head_only=*/false);
    if (!call) return call.error();
    release(std::move(call->connection), call->keep_alive, call->deadline);
    return detail::to_response(call->parser->release());
  }

  // Like send() up to the end of the response head; the body is left to the stream, which
  // hands the connection back through release() once the body has been read to its end.
  core::Result<std::unique_ptr<ResponseStream>> open_stream(const ClientRequest& request) {
    auto call = perform<bhttp::buffer_body>(request, /*head_only=*/true);
    if (!call) return call.error();
    call->connection->lowest().expires_never();  // each read() sets its own deadline
    detail::ClientStream::Context context{call->url, request.operation, request.stream_read_timeout,
                                          call->keep_alive};
    return std::unique_ptr<ResponseStream>(std::make_unique<detail::ClientStream>(
        std::move(call->connection), std::move(call->parser), std::move(context),
        [this](std::unique_ptr<Connection> finished, bool keep_alive) {
          const auto now = time_.monotonic_time();
          release(std::move(finished), keep_alive,
                  Deadline{now + kTlsShutdownTimeout, kTlsShutdownTimeout});
        }));
  }

  std::uint64_t connections_opened() const { return connections_opened_.load(); }
  std::size_t idle_connections() const { return pool_.idle_count(); }

 private:
  // A request that got its final response: the connection it used, and the parser that read
  // the response (whole, or only its head for streams).
  template <class Body>
  struct Call {
    Url url;
    Deadline deadline;
    std::unique_ptr<Connection> connection;
    ParserPtr<Body> parser;
    bool keep_alive = false;  // the connection may carry another request after this response
  };

  // Runs one exchange on a pooled connection or a new one, and replays it once when that is
  // safe.
  //
  // A kept-alive connection may have been closed by the server just before we used it (its
  // idle timeout raced our request). Replaying on a fresh connection is safe when the server
  // cannot have acted on the request:
  //  - writing failed: the server had closed (or reset) before our request was complete, and
  //    a server does not act on a request it did not fully receive; or
  //  - reading failed before any response byte AND the method is idempotent: the server may
  //    have received and even processed the request, which for GET/PUT/DELETE… is harmless
  //    to repeat (RFC 9112 §9.3.1, RFC 9110 §9.2.2). A POST is not replayed; the error goes
  //    to the caller, whose retry policy knows whether the operation is safe to repeat.
  // Only once, only for reused connections (a fresh connection failing says nothing about
  // staleness), and only within the same overall deadline.
  template <class Body>
  core::Result<Call<Body>> perform(const ClientRequest& request, bool head_only) {
    const auto started = time_.monotonic_time();
    auto url = parse_url(request.url);
    if (!url) return url.error();
    auto message = detail::build_request(request, *url, options_.user_agent);
    if (!message) return message.error();
    std::unique_ptr<Connection> pooled = pool_.acquire(detail::pool_key(*url), started);
    Call<Body> call{std::move(*url), Deadline{started + request.timeout, request.timeout},
                    std::move(pooled), nullptr, false};
    const bool reused = call.connection != nullptr;
    if (!call.connection) {
      auto opened = open(call.url, request, call.deadline);
      if (!opened) return opened.error();
      call.connection = std::move(*opened);
    }
    const auto run = [&] {
      return run_exchange<Body>(*call.connection, *message, request, call.url, call.deadline,
                                head_only);
    };
    Exchange<Body> exchange = run();
    const bool replay = reused && !exchange.result->ok() &&
                        (exchange.failed_writing || (exchange.failed_before_response &&
                                                     detail::is_idempotent(request.method)));
    if (replay) {
      call.connection.reset();
      auto opened = open(call.url, request, call.deadline);
      if (!opened) return opened.error();
      call.connection = std::move(*opened);
      exchange = run();
    }
    if (!exchange.result->ok()) return exchange.result->error();
    call.parser = std::move(exchange.result->value());
    call.keep_alive = exchange.keep_alive;
    return call;
  }

  // A response was read to its end: the connection goes back to the pool, or is closed when
  // it cannot carry another request.
  void release(std::unique_ptr<Connection> connection, bool keep_alive, const Deadline& deadline) {
    if (keep_alive && options_.max_idle_per_host > 0) {
      connection->lowest().expires_never();
      pool_.release(std::move(connection), time_.monotonic_time());
    } else {
      close_gracefully(*connection, deadline, time_.monotonic_time());
    }
  }

  // Resolves, connects and (for https) completes the TLS handshake, all within the connect
  // timeout and the request's deadline.
  core::Result<std::unique_ptr<Connection>> open(const Url& url, const ClientRequest& request,
                                                 const Deadline& request_deadline) {
    const Deadline deadline = detail::connect_deadline(time_.monotonic_time(),
                                                       options_.connect_timeout, request_deadline);
    auto endpoints = resolve(url, request, deadline);
    if (!endpoints) return endpoints.error();

    auto connection =
        std::make_unique<Connection>(detail::pool_key(url), url.tls() ? tls_.get() : nullptr);
    auto& lowest = connection->lowest();
    lowest.expires_at(deadline.at);
    error_code ec = run_until_complete(connection->io(), [&](auto handler) {
      lowest.async_connect(*endpoints, std::move(handler));
    });
    if (ec == beast::error::timeout)
      return timeout_error(deadline, "connecting to", url, request.operation);
    if (ec) {
      return make_error(core::ErrorKind::kTransient,
                        "connect to " + url.authority() + ": " + ec.message());
    }
    // Each request is written at once and then answered: Nagle's algorithm could only delay
    // the last segment of a request that Beast happens to write in two pieces.
    lowest.socket().set_option(tcp::no_delay(true), ec);

    if (url.tls()) {
      if (auto status = handshake(*connection, url, request, deadline); !status) {
        return status.error();
      }
    }
    connections_opened_.fetch_add(1);
    return connection;
  }

  core::Status handshake(Connection& connection, const Url& url, const ClientRequest& request,
                         const Deadline& deadline) {
    auto& stream = connection.tls_stream();
    if (auto prepared = detail::prepare_tls_handshake(stream, url, options_.insecure_skip_verify);
        !prepared) {
      return prepared;
    }
    connection.lowest().expires_at(deadline.at);
    const error_code ec = run_until_complete(connection.io(), [&](auto handler) {
      stream.async_handshake(ssl::stream_base::client, std::move(handler));
    });
    if (ec == beast::error::timeout) {
      return timeout_error(deadline, "in TLS handshake with", url, request.operation);
    }
    if (ec) return detail::tls_handshake_error(ec, stream, url, options_);
    return {};
  }

  // Writes the request and reads the final response: whole (send) or only its head (streams,
  // head_only, no body limit: the stream's caller bounds what it reads).
  template <class Body>
  Exchange<Body> run_exchange(Connection& connection, bhttp::request<bhttp::string_body>& message,
                              const ClientRequest& request, const Url& url,
                              const Deadline& deadline, bool head_only) {
    Exchange<Body> exchange;
    const auto fail = [&](core::Error error) {
      exchange.result.emplace(std::move(error));
      return std::move(exchange);
    };

    connection.lowest().expires_at(deadline.at);
    error_code ec = run_until_complete(connection.io(), [&](auto handler) {
      connection.with_stream(
          [&](auto& stream) { bhttp::async_write(stream, message, std::move(handler)); });
    });
    if (ec == beast::error::timeout) {
      return fail(timeout_error(deadline, "sending request to", url, request.operation));
    }
    if (ec) {
      exchange.failed_writing = detail::is_connection_closed(ec);
      return fail(make_error(core::ErrorKind::kTransient,
                             "send request to " + url.authority() + ": " + ec.message()));
    }

    const bool head = message.method() == bhttp::verb::head;
    ParserPtr<Body> parser;
    bool received_any = false;
    // Interim 1xx responses (RFC 9110 §15.2) are skipped; we never ask for 100-continue, but a
    // server may send 103 Early Hints or an unsolicited 100.
    for (;;) {
      parser = std::make_unique<bhttp::response_parser<Body>>();
      detail::limit_response_parser(
          *parser, options_.max_response_header_bytes,
          head_only ? std::nullopt : std::optional(options_.max_response_body_bytes), head);
      connection.lowest().expires_at(deadline.at);
      ec = run_until_complete(connection.io(), [&](auto handler) {
        connection.with_stream([&](auto& stream) {
          if (head_only) {
            bhttp::async_read_header(stream, connection.buffer(), *parser, std::move(handler));
          } else {
            bhttp::async_read(stream, connection.buffer(), *parser, std::move(handler));
          }
        });
      });
      received_any = received_any || parser->got_some();
      if (ec) break;
      const unsigned status = parser->get().result_int();
      if (status >= 200) break;
      if (status == 101) {
        return fail(make_error(core::ErrorKind::kTerminal,
                               "unexpected 101 Switching Protocols from " + url.authority()));
      }
    }
    if (ec) {
      exchange.failed_before_response = !received_any && detail::is_connection_closed(ec);
      return fail(detail::response_read_error(
          ec, detail::ReadFailure{url, request.operation, deadline, "waiting for response from",
                                  received_any, options_.max_response_header_bytes,
                                  options_.max_response_body_bytes}));
    }

    // need_eof(): Connection: close, an HTTP/1.0 response without keep-alive, or a body that
    // ends only when the server closes (no Content-Length, not chunked; RFC 9112 §6.3).
    exchange.keep_alive = !parser->get().need_eof() && message.keep_alive();
    exchange.result.emplace(std::move(parser));
    return exchange;
  }

  const HttpClientOptions options_;
  // Deadlines are enforced by Asio timers on the steady clock, so they are read from the real
  // clock too.
  const core::RealTimeSource time_{};
  const std::shared_ptr<ssl::context> tls_;  // shared with clients of the same trust settings
  detail::ConnectionPool<Connection> pool_;
  std::atomic<std::uint64_t> connections_opened_{0};
};

core::Result<std::unique_ptr<HttpClient>> HttpClient::create(HttpClientOptions options) {
  auto tls = detail::shared_tls_context(options);
  if (!tls.ok()) return tls.error();
  return std::unique_ptr<HttpClient>(
      new HttpClient(std::make_unique<Impl>(std::move(options), std::move(*tls))));
}

HttpClient::HttpClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpClient::~HttpClient() = default;

core::Result<Response> HttpClient::send(const ClientRequest& request) {
  return impl_->send(request);
}
core::Result<std::unique_ptr<ResponseStream>> HttpClient::open(const ClientRequest& request) {
  return impl_->open_stream(request);
}
std::uint64_t HttpClient::connections_opened() const { return impl_->connections_opened(); }
std::size_t HttpClient::idle_connections() const { return impl_->idle_connections(); }

}  // namespace frankenetes::http
