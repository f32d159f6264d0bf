// ClientStream (detail/client_stream.h): a response body read piece by piece. Beast's
// buffer_body writes body bytes straight into the caller's span: the parser is pointed at the
// span before each read_some, and whatever it did not fill is what it did not write. The
// read_some loop exists because one parse step may consume only framing (a chunk header, the
// final CRLF) and deliver no body byte; read() returns only with bytes, the end, or an error.

#include "http/detail/client_stream.h"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <utility>

#include "http/detail/beast_fields.h"
#include "http/detail/client_errors.h"

namespace frankenetes::http::detail {

namespace bhttp = boost::beast::http;
using boost::system::error_code;

ClientStream::ClientStream(std::unique_ptr<Connection> connection,
                           std::unique_ptr<StreamParser> parser, Context context,
                           StreamFinished finished)
    : connection_(std::move(connection)),
      parser_(std::move(parser)),
      context_(std::move(context)),
      finished_(std::move(finished)) {
  status_ = static_cast<int>(parser_->get().result_int());
  add_fields(headers_, parser_->get());
  if (parser_->is_done()) finish();  // no body at all (204, 304, HEAD, Content-Length: 0)
}

// Early destruction: connection_ (if still held) closes with the socket; nothing is drained,
// since the rest of the body may be gigabytes.
ClientStream::~ClientStream() = default;

void ClientStream::finish() {
  done_ = true;
  if (connection_) finished_(std::move(connection_), context_.keep_alive);
}

core::Result<std::size_t> ClientStream::read(std::span<char> buffer) {
  if (failed_) return *failed_;
  if (done_) return std::size_t{0};
  if (buffer.empty()) return std::size_t{0};

  const auto started = time_.monotonic_time();
  const Deadline deadline{started + context_.read_timeout, context_.read_timeout};
  auto& body = parser_->get().body();
  for (;;) {
    body.data = buffer.data();
    body.size = buffer.size();
    connection_->lowest().expires_at(deadline.at);
    error_code ec = run_until_complete(connection_->io(), [&](auto handler) {
      connection_->with_stream([&](auto& stream) {
        bhttp::async_read_some(stream, connection_->buffer(), *parser_, std::move(handler));
      });
    });
    if (ec == bhttp::error::need_buffer) ec = {};  // the span is full: not an error
    const std::size_t filled = buffer.size() - body.size;
    if (ec) {
      failed_ =
          response_read_error(ec, ReadFailure{context_.url, context_.operation, deadline,
                                              "reading response body from", /*received_any=*/true});
      connection_.reset();  // where the response stands is unknown: never reuse
      // Bytes that arrived before the failure are delivered; the error comes with the next read.
      if (filled > 0) return filled;
      return *failed_;
    }
    if (parser_->is_done()) finish();
    if (filled > 0) return filled;
    if (done_) return std::size_t{0};
  }
}

}  // namespace frankenetes::http::detail
