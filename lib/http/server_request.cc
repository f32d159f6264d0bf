#include "http/detail/server_request.h"

#include <algorithm>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <limits>
#include <string_view>

#include "http/detail/beast_fields.h"
#include "http/detail/token.h"

namespace frankenetes::http::detail {

namespace bhttp = boost::beast::http;

void limit_request_parser(RequestParser& parser, const ServerOptions& options) {
  parser.header_limit(static_cast<std::uint32_t>(
      std::min<std::size_t>(options.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
  parser.body_limit(options.max_body_bytes);
}

std::optional<ProtocolError> protocol_error_for(boost::system::error_code ec) {
  static const auto& parse_errors = bhttp::make_error_code(bhttp::error::bad_target).category();
  if (ec == bhttp::error::header_limit) {
    return ProtocolError{431, "request header fields too large\n"};
  }
  if (ec == bhttp::error::body_limit) return ProtocolError{413, "request body too large\n"};
  if (ec && ec.category() == parse_errors && ec != bhttp::error::end_of_stream &&
      ec != bhttp::error::partial_message) {
    return ProtocolError{400, "malformed request\n"};
  }
  return std::nullopt;
}

std::optional<Request> to_request(RequestParser::value_type& message,
                                  const std::string& remote_address) {
  Request request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  auto target = parse_target(request.target);
  if (!target) return std::nullopt;
  request.path = std::move(target->path);
  request.query = std::move(target->query);
  add_fields(request.headers, message);
  request.body = std::move(message.body());
  request.remote_address = remote_address;
  return request;
}

BeastResponse to_beast_response(Response response, unsigned version, bool keep_alive,
                                const std::string& server) {
  bool valid = response.status >= 200 && response.status <= 599;
  for (const auto& [name, value] : response.headers) valid = valid && is_valid_field(name, value);
  if (!valid) response = Response::text(500, "handler produced an invalid response\n");

  BeastResponse out;
  out.version(version);
  out.result(static_cast<unsigned>(response.status));
  if (const auto phrase = reason_phrase(response.status); !phrase.empty()) out.reason(phrase);
  out.set(bhttp::field::server, server);
  for (auto& [name, value] : response.headers) {
    const auto field = bhttp::string_to_field(name);
    if (field == bhttp::field::content_length || field == bhttp::field::transfer_encoding ||
        field == bhttp::field::connection) {
      continue;
    }
    out.insert(name, value);
  }
  out.keep_alive(keep_alive);
  if (response.status == 204 || response.status == 304) {
    // No body and no Content-Length for these (RFC 9110 §8.6, §15.4.5).
  } else {
    out.body() = std::move(response.body);
    out.prepare_payload();  // sets Content-Length
  }
  return out;
}

}  // namespace frankenetes::http::detail
