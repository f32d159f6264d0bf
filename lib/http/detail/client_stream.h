#pragma once
// ClientStream: HttpClient's ResponseStream. HttpClient::open() connects, writes the request
// and reads the response head (client.cc); ClientStream then owns the connection and the
// parser and reads the body into the caller's buffers with Beast's buffer_body, each read()
// bounded by ClientRequest::stream_read_timeout. Internal to lib/http (Beast stays out of the
// public headers).
//
// The connection goes back through `finished` exactly once, when the body has been read to its
// end (HttpClient pools it or closes it gracefully). A stream destroyed before that, or one
// whose read failed, closes the connection: its position in the response is unknown.
// A stream must not outlive the HttpClient that opened it (`finished` calls into it).

#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/error.h"
#include "core/time_source.h"
#include "http/detail/connection.h"
#include "http/streaming.h"
#include "http/url.h"

namespace frankenetes::http::detail {

using StreamParser = boost::beast::http::response_parser<boost::beast::http::buffer_body>;
using StreamFinished = std::function<void(std::unique_ptr<Connection>, bool keep_alive)>;

class ClientStream final : public ResponseStream {
 public:
  struct Context {
    Url url;
    std::string operation;
    std::chrono::milliseconds read_timeout;
    bool keep_alive = false;  // the connection may carry another request after this body
  };

  // `parser` has read the head (and nothing of the body beyond what sits in the connection's
  // buffer).
  ClientStream(std::unique_ptr<Connection> connection, std::unique_ptr<StreamParser> parser,
               Context context, StreamFinished finished);
  ~ClientStream() override;
  ClientStream(const ClientStream&) = delete;
  ClientStream& operator=(const ClientStream&) = delete;

  int status() const override { return status_; }
  const Headers& headers() const override { return headers_; }
  core::Result<std::size_t> read(std::span<char> buffer) override;

 private:
  void finish();

  std::unique_ptr<Connection> connection_;
  std::unique_ptr<StreamParser> parser_;
  Context context_;
  StreamFinished finished_;
  int status_ = 0;
  Headers headers_;
  bool done_ = false;
  std::optional<core::Error> failed_;
  // Deadlines are enforced by Asio timers on the steady clock, so they are read from it too.
  const core::RealTimeSource time_{};
};

}  // namespace frankenetes::http::detail
