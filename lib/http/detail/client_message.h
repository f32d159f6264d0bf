#pragma once
// What HttpClient (client.cc) and AsyncHttpClient (async_client.cc) decide about a request and
// its response without touching a socket: how a ClientRequest becomes the Beast message that is
// written, how a response parser is limited, and how the parsed response becomes a Response.
// One copy, so both clients send the same bytes and accept the same responses. Internal to
// lib/http: Beast stays out of the public headers.

#include <algorithm>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "http/message.h"
#include "http/transport.h"
#include "http/url.h"

namespace frankenetes::http::detail {

using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;

// The keep-alive pool's key: "https://host:port".
std::string pool_key(const Url& url);

// RFC 9110 §9.2.2. Only these may be replayed after the server may have seen the request.
bool is_idempotent(std::string_view method);

// Host and User-Agent (when `user_agent` is not empty) added, caller headers after them,
// Content-Length for a body (and for POST/PUT/PATCH without one). kTerminal for a method or a
// header that is not a token, or a header value with CR, LF or NUL. The caller's framing
// headers (Content-Length, Transfer-Encoding) are dropped: the client owns framing.
core::Result<BeastRequest> build_request(const ClientRequest& request, const Url& url,
                                         const std::string& user_agent);

// Limits a fresh response parser: the header limit always, the body limit unless the body is
// streamed (`body_limit` nullopt); a response to HEAD has no body whatever its Content-Length.
template <class Body>
void limit_response_parser(boost::beast::http::response_parser<Body>& parser,
                           std::size_t header_limit, std::optional<std::size_t> body_limit,
                           bool head_request) {
  parser.header_limit(static_cast<std::uint32_t>(
      std::min<std::size_t>(header_limit, std::numeric_limits<std::uint32_t>::max())));
  if (body_limit) {
    parser.body_limit(*body_limit);
  } else {
    parser.body_limit(boost::none);
  }
  if (head_request) parser.skip(true);  // a HEAD response has Content-Length but no body
}

// The final response read whole.
Response to_response(boost::beast::http::response<boost::beast::http::string_body>&& message);

}  // namespace frankenetes::http::detail
