#pragma once
// How HttpClient words its errors, shared by the whole-response path (client.cc) and streamed
// bodies (client_stream.cc), so a timeout or a closed connection reads the same either way.
// Internal to lib/http: Beast's error codes stay out of the public headers.

#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "core/error.h"
#include "core/time_source.h"
#include "http/url.h"

namespace frankenetes::http::detail {

// When a step must be done by, and which budget that was (for the message).
struct Deadline {
  core::MonotonicTime at;
  std::chrono::milliseconds budget;
  bool is_connect_timeout = false;
};

// The deadline for resolving, connecting and the TLS handshake: connect_timeout from `now`, or
// the request's own deadline when that comes first.
inline Deadline connect_deadline(core::MonotonicTime now, std::chrono::milliseconds connect_timeout,
                                 const Deadline& request_deadline) {
  if (now + connect_timeout < request_deadline.at)
    return Deadline{now + connect_timeout, connect_timeout, true};
  return request_deadline;
}

// "timeout after 2s waiting for response from host:443 (operation aci.get)"; the budget named
// is the one that ran out: the request's timeout, the connect timeout or a stream's read timeout.
core::Error timeout_error(const Deadline& deadline, std::string_view step, const Url& url,
                          const std::string& operation);

// The peer closed or reset the connection (as opposed to a timeout or a protocol error).
bool is_connection_closed(const boost::system::error_code& ec);

// What reading a response (head or body) failed with. `step` words a timeout ("waiting for
// response from", "reading response body from"); `received_any` says whether any byte of the
// response had arrived; the limits name the budget a header_limit or body_limit error broke.
struct ReadFailure {
  const Url& url;
  const std::string& operation;
  const Deadline& deadline;
  std::string_view step;
  bool received_any = false;
  std::size_t header_limit = 0;
  std::size_t body_limit = 0;
};
core::Error response_read_error(const boost::system::error_code& ec, const ReadFailure& failure);

}  // namespace frankenetes::http::detail
