// HttpClient: a blocking HTTP/1.1 client made of Beast's asynchronous operations. Structure
// follows Beast's example/http/client/async-ssl: a deadline (tcp_stream::expires_at) before
// every connect, handshake, write and read; SNI; verify_peer plus host-name verification; a
// parser body_limit. The difference is that send() drives the operations itself: each
// connection owns a single-threaded io_context that the calling thread runs until the
// operation completes, and a connection is used by one thread at a time (the pool hands it
// out), so no strands or locks are needed around I/O.

#include "http/client.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <sys/stat.h>

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
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/duration.h"
#include "core/time_source.h"
#include "http/detail/beast_fields.h"
#include "http/detail/client_errors.h"
#include "http/detail/client_stream.h"
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

std::string pool_key(const Url& url) { return url.scheme + "://" + url.authority(); }

bool is_token_char(char c) {  // RFC 9110 §5.6.2
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), is_token_char);
}

// RFC 9110 §9.2.2. Only these may be replayed after the server may have seen the request.
bool is_idempotent(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE" ||
         method == "OPTIONS" || method == "TRACE";
}

// OpenSSL's reason without Asio's " (SSL routines)" suffix, plus the certificate verification
// result when that is what failed ("certificate verify failed: hostname mismatch"). An unknown
// issuer is the usual operator mistake (the simulator's CA not configured), so that message
// says where trust anchors come from.
std::string tls_reason(const error_code& ec, SSL* ssl_handle, const std::string& ca_file) {
  std::string reason;
  if (ec.category() == asio::error::get_ssl_category()) {
    const char* text = ERR_reason_error_string(static_cast<unsigned long>(ec.value()));
    reason = text ? text : ec.message();
  } else {
    reason = ec.message();
  }
  const long verify = ssl_handle != nullptr ? SSL_get_verify_result(ssl_handle) : X509_V_OK;
  if (verify == X509_V_OK) return reason;
  reason += std::string(": ") + X509_verify_cert_error_string(verify);
  if (verify == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
      verify == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN ||
      verify == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT) {
    reason += ca_file.empty() ? " (trusted: system store only, no CA file configured)"
                              : " (trusted: system store and CA file " + ca_file + ")";
  }
  return reason;
}

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
    auto& beast_response = call->parser->get();
    Response response;
    response.status = static_cast<int>(beast_response.result_int());
    detail::add_fields(response.headers, beast_response);
    response.body = std::move(beast_response.body());
    return response;
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
    auto message = build_request(request, *url);
    if (!message) return message.error();
    std::unique_ptr<Connection> pooled = pool_.acquire(pool_key(*url), started);
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
                        (exchange.failed_writing ||
                         (exchange.failed_before_response && is_idempotent(request.method)));
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

  core::Result<bhttp::request<bhttp::string_body>> build_request(const ClientRequest& request,
                                                                 const Url& url) const {
    if (!is_token(request.method)) {
      return make_error(core::ErrorKind::kTerminal,
                        "invalid request method \"" + request.method + "\"");
    }
    bhttp::request<bhttp::string_body> message;
    message.version(11);
    const auto verb = bhttp::string_to_verb(request.method);
    if (verb != bhttp::verb::unknown) {
      message.method(verb);
    } else {
      message.method_string(request.method);
    }
    message.target(url.target);
    message.set(bhttp::field::host, url.host_header());
    if (!options_.user_agent.empty()) message.set(bhttp::field::user_agent, options_.user_agent);
    for (const auto& [name, value] : request.headers) {
      // CR/LF in a value would let data from a response or a config inject headers.
      if (!is_token(name) ||
          value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
        return make_error(core::ErrorKind::kTerminal, "invalid request header \"" + name + "\"");
      }
      const auto field = bhttp::string_to_field(name);
      // Framing belongs to the client (RFC 9112 §6): a caller's Content-Length could disagree
      // with the body it passed and desynchronise the connection.
      if (field == bhttp::field::content_length || field == bhttp::field::transfer_encoding) {
        continue;
      }
      message.set(name, value);
    }
    message.body() = request.body;
    message.prepare_payload();  // Content-Length for a body, and for POST/PUT/PATCH without one
    return message;
  }

  // Resolves, connects and (for https) completes the TLS handshake, all within the connect
  // timeout and the request's deadline.
  core::Result<std::unique_ptr<Connection>> open(const Url& url, const ClientRequest& request,
                                                 const Deadline& request_deadline) {
    const auto now = time_.monotonic_time();
    Deadline deadline = request_deadline;
    if (now + options_.connect_timeout < request_deadline.at) {
      deadline = Deadline{now + options_.connect_timeout, options_.connect_timeout, true};
    }
    auto endpoints = resolve(url, request, deadline);
    if (!endpoints) return endpoints.error();

    auto connection = std::make_unique<Connection>(pool_key(url), url.tls() ? tls_.get() : nullptr);
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
    SSL* handle = stream.native_handle();
    // SNI carries names only; RFC 6066 §3 forbids IP literals in server_name.
    if (!url.ip_literal && SSL_set_tlsext_host_name(handle, url.host.c_str()) != 1) {
      return make_error(core::ErrorKind::kTls,
                        "TLS handshake with " + url.authority() + " failed: cannot set SNI");
    }
    // Chain verification (verify_peer, set on the context) proves the certificate is genuine;
    // host_name_verification proves it is for this host (DNS SAN, or IP SAN for literals).
    // On a mismatch it only returns false, which OpenSSL would report as "certificate verify
    // failed: ok"; recording the X509 error makes the message say what was wrong.
    // With insecure_skip_verify (verify_none on the context) there is nothing to check.
    if (!options_.insecure_skip_verify) {
      stream.set_verify_callback(
          [check = ssl::host_name_verification(url.host), ip = url.ip_literal](
              bool preverified, ssl::verify_context& context) {
            const bool ok = check(preverified, context);
            if (preverified && !ok) {
              X509_STORE_CTX_set_error(context.native_handle(), ip ? X509_V_ERR_IP_ADDRESS_MISMATCH
                                                                   : X509_V_ERR_HOSTNAME_MISMATCH);
            }
            return ok;
          });
    }
    connection.lowest().expires_at(deadline.at);
    const error_code ec = run_until_complete(connection.io(), [&](auto handler) {
      stream.async_handshake(ssl::stream_base::client, std::move(handler));
    });
    if (ec == beast::error::timeout) {
      return timeout_error(deadline, "in TLS handshake with", url, request.operation);
    }
    if (ec) {
      // A peer that hangs up mid-handshake is a connection failure, worth retrying; anything
      // OpenSSL rejected (certificate, protocol version, alert) is a TLS failure.
      // (stream_truncated, eof and resets are in other categories than OpenSSL's.)
      // Without verification the verify result is meaningless (OpenSSL still records it), so
      // it is left out of the message.
      const bool tls_failure = ec.category() == asio::error::get_ssl_category();
      const bool verified = tls_failure && !options_.insecure_skip_verify;
      return make_error(tls_failure ? core::ErrorKind::kTls : core::ErrorKind::kTransient,
                        "TLS handshake with " + url.authority() + " failed: " +
                            tls_reason(ec, verified ? handle : nullptr, options_.ca_file));
    }
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
      parser->header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(
          options_.max_response_header_bytes, std::numeric_limits<std::uint32_t>::max())));
      if (head_only) {
        parser->body_limit(boost::none);
      } else {
        parser->body_limit(options_.max_response_body_bytes);
      }
      if (head) parser->skip(true);  // a HEAD response has Content-Length but no body
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

namespace {

// A file's identity for the context cache: its path, size and modification time (empty when
// it cannot be read: the context is then made and fails as it would have).
std::string file_stamp(const std::string& path) {
  struct stat st {};
  if (path.empty() || ::stat(path.c_str(), &st) != 0) return path;
  return path + "|" + std::to_string(st.st_size) + "|" + std::to_string(st.st_mtim.tv_sec) + "." +
         std::to_string(st.st_mtim.tv_nsec);
}

core::Result<std::shared_ptr<ssl::context>> make_tls_context(const HttpClientOptions& options) {
  auto tls = std::make_shared<ssl::context>(ssl::context::tls_client);
  // TLS 1.2 is the oldest version still considered sound (RFC 8996 deprecates 1.0 and 1.1).
  SSL_CTX_set_min_proto_version(tls->native_handle(), TLS1_2_VERSION);
  tls->set_options(ssl::context::default_workarounds | ssl::context::no_compression);
  if (options.insecure_skip_verify) {
    tls->set_verify_mode(ssl::verify_none);
    return tls;
  }
  tls->set_verify_mode(ssl::verify_peer);
  error_code ec;
  // The system store may be empty (a minimal container); then only ca_file can make TLS work,
  // and the handshake says "unable to get local issuer certificate".
  tls->set_default_verify_paths(ec);
  if (!options.ca_file.empty()) {
    std::ifstream probe(options.ca_file);
    if (!probe) {
      return make_error(core::ErrorKind::kInvalidConfig,
                        "CA file " + options.ca_file + ": cannot be read");
    }
    tls->load_verify_file(options.ca_file, ec);
    if (ec) {
      return make_error(
          core::ErrorKind::kInvalidConfig,
          "CA file " + options.ca_file + ": no PEM certificate (" + ec.message() + ")");
    }
  }
  return tls;
}

// Clients with the same trust settings share one OpenSSL context (SSL_CTX is safe to use from
// several threads once set up): each context parses the system's CA bundle, about 1 MiB, and
// the daemon makes a client per purpose (ARM, DNS providers, probes, etcd, storage), again on
// every reload. Keyed by the settings and the identity (size, mtime) of the CA file and of
// the system bundle, so a changed file is loaded again; held weakly, so a context lives only
// as long as a client uses it.
core::Result<std::shared_ptr<ssl::context>> shared_tls_context(const HttpClientOptions& options) {
  static std::mutex mutex;
  static std::map<std::string, std::weak_ptr<ssl::context>> contexts;
  const std::string key = std::string(options.insecure_skip_verify ? "insecure" : "verify") + "\n" +
                          file_stamp(options.ca_file) + "\n" +
                          file_stamp(X509_get_default_cert_file());
  std::lock_guard lock(mutex);
  for (auto it = contexts.begin(); it != contexts.end();) {
    it = it->second.expired() ? contexts.erase(it) : std::next(it);
  }
  if (auto found = contexts.find(key); found != contexts.end()) {
    if (auto tls = found->second.lock()) return tls;
  }
  auto tls = make_tls_context(options);
  if (tls.ok()) contexts[key] = *tls;
  return tls;
}

}  // namespace

core::Result<std::unique_ptr<HttpClient>> HttpClient::create(HttpClientOptions options) {
  auto tls = shared_tls_context(options);
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
