#pragma once
// Test harness for HttpServer: runs the server's io_context on its own thread, and a raw Beast
// client whose every step has a deadline, so a broken server fails a test instead of hanging
// it. Test-only; uses Asio/Beast directly on purpose (the server under test hides them).

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <future>
#include <string>
#include <thread>

#include "http/server.h"

namespace frankenetes::http::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

// Generous upper bound for any single step: only reached when something is broken.
inline constexpr std::chrono::seconds kStepDeadline{5};

// Owns an io_context running on a thread, and an HttpServer on it.
class ServerHarness {
 public:
  ServerHarness(ServerOptions options, Handler handler)
      : server_(io_, std::move(options), std::move(handler)) {}

  ~ServerHarness() {
    if (thread_.joinable()) {
      if (!stop_and_wait(kStepDeadline)) io_.stop();  // never hang the test binary
      thread_.join();
    }
  }

  core::Status start() {
    auto status = server_.start();
    if (status) {
      thread_ = std::thread([this] {
        io_.run();
        run_returned_.set_value();
      });
    }
    return status;
  }

  // Calls stop() on the io thread, as the daemon does, and reports whether run() returned
  // within `deadline`.
  bool stop_and_wait(std::chrono::milliseconds deadline) {
    asio::post(io_, [this] { server_.stop(); });
    return run_returned_future_.wait_for(deadline) == std::future_status::ready;
  }

  std::uint16_t port() const { return server_.port(); }
  HttpServer& server() { return server_; }

 private:
  asio::io_context io_;
  HttpServer server_;
  std::promise<void> run_returned_;
  std::shared_future<void> run_returned_future_ = run_returned_.get_future().share();
  std::thread thread_;
};

// "GET /path HTTP/1.1" with Host and the given extra header lines ("Name: value\r\n").
inline std::string http_request(const std::string& method, const std::string& target,
                                const std::string& extra_headers = "",
                                const std::string& body = "") {
  std::string out = method + " " + target + " HTTP/1.1\r\nHost: localhost\r\n" + extra_headers;
  if (!body.empty()) out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  return out + "\r\n" + body;
}

struct Reply {
  error_code ec;
  bhttp::response<bhttp::string_body> response;
};

// A blocking-looking client built from async operations with deadlines: each call runs its
// own io_context until the operation completes or its deadline closes the stream.
class RawClient {
 public:
  error_code connect(std::uint16_t port) {
    error_code result;
    stream_.expires_after(kStepDeadline);
    stream_.async_connect(tcp::endpoint(asio::ip::address_v4::loopback(), port),
                          [&](error_code ec) { result = ec; });
    run();
    return result;
  }

  void close() { stream_.close(); }

  error_code send(const std::string& bytes) {
    error_code result;
    stream_.expires_after(kStepDeadline);
    asio::async_write(stream_, asio::buffer(bytes),
                      [&](error_code ec, std::size_t) { result = ec; });
    run();
    return result;
  }

  Reply read_response() {
    bhttp::response_parser<bhttp::string_body> parser;
    Reply reply;
    reply.ec = read(parser);
    reply.response = parser.release();
    return reply;
  }

  // Reads one message into a caller-configured parser (e.g. one told the request was HEAD).
  template <class Parser>
  error_code read(Parser& parser) {
    error_code result;
    stream_.expires_after(kStepDeadline);
    bhttp::async_read(stream_, buffer_, parser, [&](error_code ec, std::size_t) { result = ec; });
    run();
    return result;
  }

  Reply round_trip(const std::string& request) {
    if (auto ec = send(request)) return Reply{ec, {}};
    return read_response();
  }

  // Waits (up to `deadline`) for the server to close the connection; returns the read's error:
  // eof when the server closed, beast::error::timeout when it did not.
  error_code wait_for_close(std::chrono::milliseconds deadline = kStepDeadline) {
    error_code result;
    stream_.expires_after(deadline);
    stream_.async_read_some(asio::buffer(scratch_), [&](error_code ec, std::size_t n) {
      result = ec ? ec : make_error_code(boost::system::errc::protocol_error);  // data: unexpected
      (void)n;
    });
    run();
    return result;
  }

 private:
  void run() {
    io_.restart();
    io_.run();
  }

  asio::io_context io_;
  beast::tcp_stream stream_{io_};
  beast::flat_buffer buffer_;
  char scratch_[512] = {};
};

}  // namespace frankenetes::http::testing
