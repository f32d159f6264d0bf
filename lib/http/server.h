#pragma once
// HttpServer: accepts HTTP/1.1 (optionally over TLS) on one address and hands each parsed
// request to a Handler. It only moves bytes (after Beast's advanced server example): it
// decides nothing about responses except protocol errors (400, 408 by closing, 413, 431, 503
// when over the connection limit). Used by the daemon (health, metrics, status) and by
// frankenetes-sim (ARM, DNS APIs, control API). Beast/Asio stay in server.cc (pimpl).
//
// Behaviour worth knowing (details and reasons in server.cc):
// - Protocol errors: malformed request or target → 400, header block over max_header_bytes →
//   431, body over max_body_bytes → 413; each with Connection: close. A request not read in
//   time, or an idle keep-alive connection, is closed without a response.
// - Over max_connections: first the oldest idle admitted connection (an idle keep-alive, one
//   that has sent nothing yet, or one still in its TLS handshake) is closed and the new one
//   admitted in its place. When none is idle, the connection is still accepted, its request
//   head read (for at most 1 s), and answered 503 with Connection: close, unless it is a
//   GET/HEAD without body for one of `priority_paths` (health checks), which the handler
//   answers (then Connection: close). At most max_connections such over-limit connections are
//   in progress at once; beyond that new connections are closed immediately, except a plain
//   HTTP GET/HEAD of a priority path, which a peek at its request line recognises.
// - Handler: handler_timeout elapsed → 503 "handler timed out"; a later call of the responder
//   is ignored, as is a second call. A handler that throws gets a 500 (unless it answered
//   before throwing), and ServerOptions::on_handler_exception hears of it: the io thread and
//   the connection live on.
// - Responses: the server sets Server, Content-Length and Connection; the handler's own
//   Content-Length, Transfer-Encoding and Connection headers are ignored. A status outside
//   200..599 or a header with CR/LF becomes a 500. HEAD gets the headers without the body
//   (the handler sees method "HEAD" and may answer as for GET). 204/304 carry no body.
// - Accepted connections have TCP_NODELAY: a response is written whole, and Nagle would only
//   delay its last segment by a client's delayed ACK (up to 40 ms per multi-segment answer).
// - Not supported: Expect: 100-continue (clients send the body after their own timeout),
//   chunked responses, HTTP/2, upgrades.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "http/message.h"

namespace boost::asio {
class io_context;
}

namespace frankenetes::http {

struct TlsServerCredentials {
  std::string certificate_chain_pem;  // leaf first
  std::string private_key_pem;
};

struct ServerOptions {
  std::string listen = "127.0.0.1:0";        // "host:port"; port 0 picks a free port
  std::size_t max_header_bytes = 8 * 1024;   // larger request header block → 431
  std::size_t max_body_bytes = 1024 * 1024;  // larger body → 413
  std::chrono::milliseconds read_timeout{std::chrono::seconds(10)};     // one request, header+body
  std::chrono::milliseconds write_timeout{std::chrono::seconds(10)};    // one response
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(60)};     // keep-alive wait
  std::chrono::milliseconds handler_timeout{std::chrono::seconds(30)};  // handler must respond
  std::size_t max_connections = 64;         // further connections get 503 and are closed
  // GET/HEAD requests for these paths are answered even over max_connections (health checks).
  std::vector<std::string> priority_paths;
  std::optional<TlsServerCredentials> tls;  // HTTPS when set
  std::string server_header = "frankenetes";
  // Called on the io thread when the handler throws, with the request's method and target and
  // the exception's what() (bounded). For the application's log and counters (the server
  // itself does not log); it must not throw. Unset: the 500 is the only trace.
  std::function<void(const std::string& method, const std::string& target, const std::string& what)>
      on_handler_exception;
};

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, ServerOptions options, Handler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts accepting. Errors name the address (e.g. "listen 127.0.0.1:9720: Address
  // already in use"): kInvalidConfig for a bad address or a failed bind, kTls for unusable
  // credentials. `listen` forms: "127.0.0.1:9720", "[::1]:9720", "localhost:9720".
  core::Status start();
  // The bound port (useful with port 0). Valid after a successful start().
  std::uint16_t port() const;
  // Stops accepting, closes idle keep-alive connections, lets in-flight requests finish (up to
  // write_timeout), then closes the rest. Safe to call more than once, from the io thread.
  // Once in-flight work ends no timers remain, so io_context::run() returns (unless the
  // application has work of its own). A handler still running holds its connection open
  // until it answers or handler_timeout passes. The destructor calls stop().
  void stop();
  // Live admitted connections (over-limit connections being answered 503 are not counted).
  std::size_t open_connections() const;
  // Of those, the ones idle (waiting for a request's first byte, or in the TLS handshake): the
  // ones that would be closed to make room at the limit.
  std::size_t idle_connections() const;
  // Over-limit connections being answered (503, or a priority path) and then closed.
  std::size_t over_limit_connections() const;

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace frankenetes::http
