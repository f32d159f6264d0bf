#pragma once
// HttpServer: accepts HTTP/1.1 (optionally over TLS) on one address and hands each parsed
// request to a Handler. It only moves bytes (after Beast's advanced server example): it
// decides nothing about responses except protocol errors (400, 408 by closing, 413, 431, 503
// when over the connection limit). Used by the daemon (health, metrics, status) and by
// frankenetes-sim (ARM, DNS APIs, control API). Beast/Asio stay in server.cc (pimpl).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

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
  std::string listen = "127.0.0.1:0";  // "host:port"; port 0 picks a free port
  std::size_t max_header_bytes = 8 * 1024;  // larger request header block → 431
  std::size_t max_body_bytes = 1024 * 1024;  // larger body → 413
  std::chrono::milliseconds read_timeout{std::chrono::seconds(10)};   // one request, header+body
  std::chrono::milliseconds write_timeout{std::chrono::seconds(10)};  // one response
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(60)};   // keep-alive wait
  std::chrono::milliseconds handler_timeout{std::chrono::seconds(30)};  // handler must respond
  std::size_t max_connections = 64;  // further connections get 503 and are closed
  std::optional<TlsServerCredentials> tls;  // HTTPS when set
  std::string server_header = "frankenetes";
};

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, ServerOptions options, Handler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts accepting. Errors name the address (e.g. "listen 127.0.0.1:9720: Address
  // already in use").
  core::Status start();
  // The bound port (useful with port 0). Valid after a successful start().
  std::uint16_t port() const;
  // Stops accepting, closes idle keep-alive connections, lets in-flight requests finish (up to
  // write_timeout), then closes the rest. Safe to call more than once, from the io thread.
  void stop();
  std::size_t open_connections() const;

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace frankenetes::http
