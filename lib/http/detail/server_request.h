#pragma once
// The socket-free steps of HttpServer's request handling (server.cc): how each request's
// parser is limited, what a failed read answers, how a parsed message becomes a Request and how
// the handler's Response becomes a Beast message. Internal to lib/http, so Beast stays out of
// the public headers. Used by server.cc's sessions and by fuzz/fuzz_http_server.cc, which feeds
// raw bytes through the same steps without a socket.

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/system/error_code.hpp>
#include <optional>
#include <string>

#include "http/message.h"
#include "http/server.h"

namespace frankenetes::http::detail {

using RequestParser = boost::beast::http::request_parser<boost::beast::http::string_body>;
using BeastResponse = boost::beast::http::response<boost::beast::http::string_body>;

// A fresh parser for one request, limited by max_header_bytes and max_body_bytes.
void limit_request_parser(RequestParser& parser, const ServerOptions& options);

// The protocol error a failed request read is answered with (then the connection closes):
// 431 header block too large, 413 body too large, 400 malformed. nullopt: nothing to answer
// (peer closed or reset, timeout, stop()), just close.
struct ProtocolError {
  int status = 400;
  std::string body;
};
std::optional<ProtocolError> protocol_error_for(boost::system::error_code ec);

// The parsed message as the handler sees it; nullopt when the target is malformed (400).
std::optional<Request> to_request(RequestParser::value_type& message,
                                  const std::string& remote_address);

// The handler's Response as a Beast message. The server owns message framing (Content-Length,
// Transfer-Encoding, Connection: RFC 9112 §6), so the handler's copies of those are ignored; a
// response that cannot be sent faithfully becomes a 500.
BeastResponse to_beast_response(Response response, unsigned version, bool keep_alive,
                                const std::string& server);

}  // namespace frankenetes::http::detail
