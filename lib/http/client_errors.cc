// HttpClient's error wording (detail/client_errors.h). Kinds follow client.h: a timeout or a
// closed connection is kTransient (retrying may help), a broken limit or a response that is not
// HTTP/1.1 is kTerminal (retrying the same request gets the same answer).

#include "http/detail/client_errors.h"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <utility>
#include <vector>

#include "core/duration.h"

namespace frankenetes::http::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using boost::system::error_code;

core::Error timeout_error(const Deadline& deadline, std::string_view step, const Url& url,
                          const std::string& operation) {
  std::string message = "timeout after " + core::format_duration(deadline.budget) + " " +
                        std::string(step) + " " + url.authority();
  std::vector<std::string> notes;
  if (deadline.is_connect_timeout) notes.emplace_back("connect timeout");
  if (!operation.empty()) notes.push_back("operation " + operation);
  for (std::size_t i = 0; i < notes.size(); ++i) message += (i == 0 ? " (" : ", ") + notes[i];
  if (!notes.empty()) message += ")";
  return core::timeout_error(std::move(message));
}

bool is_connection_closed(const error_code& ec) {
  return ec == asio::error::eof || ec == bhttp::error::end_of_stream ||
         ec == asio::error::connection_reset || ec == asio::error::connection_aborted ||
         ec == asio::error::broken_pipe || ec == asio::ssl::error::stream_truncated ||
         ec == bhttp::error::partial_message;
}

core::Error response_read_error(const error_code& ec, const ReadFailure& failure) {
  const std::string peer = failure.url.authority();
  if (ec == beast::error::timeout) {
    return timeout_error(failure.deadline, failure.step, failure.url, failure.operation);
  }
  if (ec == bhttp::error::body_limit) {
    return core::make_error(
        core::ErrorKind::kTerminal,
        "response body from " + peer + " exceeds " + std::to_string(failure.body_limit) + " bytes");
  }
  if (ec == bhttp::error::header_limit) {
    return core::make_error(core::ErrorKind::kTerminal,
                            "response header from " + peer + " exceeds " +
                                std::to_string(failure.header_limit) + " bytes");
  }
  if (is_connection_closed(ec)) {
    return core::make_error(
        core::ErrorKind::kTransient,
        (failure.received_any ? "connection to " + peer + " closed before the response was complete"
                              : "connection to " + peer + " closed before a response arrived") +
            " (" + ec.message() + ")");
  }
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_version).category()) {
    return core::make_error(core::ErrorKind::kTerminal,
                            "malformed response from " + peer + ": " + ec.message());
  }
  return core::make_error(core::ErrorKind::kTransient,
                          "read response from " + peer + ": " + ec.message());
}

}  // namespace frankenetes::http::detail
