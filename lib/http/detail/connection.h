#pragma once
// Connection: one HTTP/1.1 connection of HttpClient or AsyncHttpClient (plain TCP or TLS) with
// the io_context it runs on. Internal to lib/http: only the clients include it, so Beast stays
// out of every public header. It moves no bytes by itself: the clients start Beast operations
// on stream(), deadline first.
//
// Where it runs: HttpTransport::send() is blocking and is called from many worker threads, so
// for HttpClient each connection owns a single-threaded io_context that the calling thread
// drives with run_until_complete(): every step gets Beast's deadlines without a shared event
// loop thread, and the pool hands a connection to one thread at a time, so nothing needs a
// strand. AsyncHttpClient instead puts all its connections on the one io_context its loop
// thread runs (the second constructor); the same rule holds there, only that thread touches
// them.

#include <poll.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <utility>

namespace frankenetes::http::detail {

class Connection {
 public:
  using Clock = std::chrono::steady_clock;
  using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

  // `tls` null: plain TCP. The context must outlive the connection. Runs on an io_context of
  // its own (HttpClient).
  Connection(std::string key, boost::asio::ssl::context* tls)
      : Connection(std::move(key), tls, nullptr) {}
  // Runs on `shared`, which must outlive the connection (AsyncHttpClient's loop).
  Connection(std::string key, boost::asio::ssl::context* tls, boost::asio::io_context& shared)
      : Connection(std::move(key), tls, &shared) {}
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  const std::string& key() const { return key_; }  // "https://host:port": the pool key
  boost::asio::io_context& io() { return *io_; }
  bool tls() const { return tls_stream_.has_value(); }
  boost::beast::tcp_stream& lowest() {
    return tls_stream_ ? boost::beast::get_lowest_layer(*tls_stream_) : *plain_stream_;
  }
  TlsStream& tls_stream() { return *tls_stream_; }
  // Bytes read past the end of the last response (normally none).
  boost::beast::flat_buffer& buffer() { return buffer_; }

  // Calls f with the stream that requests are written to and responses read from.
  template <class F>
  decltype(auto) with_stream(F&& f) {
    if (tls_stream_) return std::forward<F>(f)(*tls_stream_);
    return std::forward<F>(f)(*plain_stream_);
  }

  Clock::time_point idle_since() const { return idle_since_; }
  void set_idle_since(Clock::time_point t) { idle_since_ = t; }

  // An idle connection has nothing to read: readable means the server closed it (FIN, RST,
  // TLS close_notify) or sent something unsolicited. Either way it must not carry a request.
  // (Bytes the TLS layer already buffered would also show in buffer_ or be a protocol error.)
  bool looks_usable() {
    if (buffer_.size() > 0 || !lowest().socket().is_open()) return false;
    pollfd fd{};
    fd.fd = lowest().socket().native_handle();
    fd.events = POLLIN | POLLRDHUP;
    return ::poll(&fd, 1, 0) == 0;
  }

 private:
  Connection(std::string key, boost::asio::ssl::context* tls, boost::asio::io_context* shared)
      : key_(std::move(key)), io_(shared != nullptr ? shared : &own_io_.emplace(1)) {
    if (tls != nullptr) {
      tls_stream_.emplace(*io_, *tls);
    } else {
      plain_stream_.emplace(*io_);
    }
  }

  std::string key_;
  // Only for a connection of its own; concurrency hint 1: one thread at a time, so Asio may
  // skip its internal locking. Declared before the streams, which must be destroyed first.
  std::optional<boost::asio::io_context> own_io_;
  boost::asio::io_context* io_;
  std::optional<boost::beast::tcp_stream> plain_stream_;
  std::optional<TlsStream> tls_stream_;
  boost::beast::flat_buffer buffer_;
  Clock::time_point idle_since_{};
};

// Runs `io` until the operation started by `start` has completed and returns its error.
// `start` receives a completion handler accepting (error_code, ...). Every operation started
// this way must be bounded by a deadline (the stream's expiry or a timer) so that this returns.
template <class Start>
boost::system::error_code run_until_complete(boost::asio::io_context& io, Start&& start) {
  boost::system::error_code result;
  std::forward<Start>(start)([&result](boost::system::error_code ec, auto&&...) { result = ec; });
  io.restart();
  io.run();
  return result;
}

}  // namespace frankenetes::http::detail
