// Request building and response conversion shared by both clients (detail/client_message.h).

#include "http/detail/client_message.h"

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>
#include <utility>

#include "http/detail/beast_fields.h"
#include "http/detail/token.h"

namespace frankenetes::http::detail {

namespace bhttp = boost::beast::http;

std::string pool_key(const Url& url) { return url.scheme + "://" + url.authority(); }

bool is_idempotent(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE" ||
         method == "OPTIONS" || method == "TRACE";
}

core::Result<BeastRequest> build_request(const ClientRequest& request, const Url& url,
                                         const std::string& user_agent) {
  if (!is_token(request.method)) {
    return core::make_error(core::ErrorKind::kTerminal,
                            "invalid request method \"" + request.method + "\"");
  }
  BeastRequest message;
  message.version(11);
  const auto verb = bhttp::string_to_verb(request.method);
  if (verb != bhttp::verb::unknown) {
    message.method(verb);
  } else {
    message.method_string(request.method);
  }
  message.target(url.target);
  message.set(bhttp::field::host, url.host_header());
  if (!user_agent.empty()) message.set(bhttp::field::user_agent, user_agent);
  for (const auto& [name, value] : request.headers) {
    // CR/LF in a value would let data from a response or a config inject headers.
    if (!is_valid_field(name, value)) {
      return core::make_error(core::ErrorKind::kTerminal,
                              "invalid request header \"" + name + "\"");
    }
    const auto field = bhttp::string_to_field(name);
    // Framing belongs to the client (RFC 9112 §6): a caller's Content-Length could disagree
    // with the body it passed and desynchronise the connection.
    if (field == bhttp::field::content_length || field == bhttp::field::transfer_encoding) {
      continue;
    }
    message.set(name, value);
  }
  message.body() = request.body;
  message.prepare_payload();  // Content-Length for a body, and for POST/PUT/PATCH without one
  return message;
}

Response to_response(bhttp::response<bhttp::string_body>&& message) {
  Response response;
  response.status = static_cast<int>(message.result_int());
  add_fields(response.headers, message);
  response.body = std::move(message.body());
  return response;
}

}  // namespace frankenetes::http::detail
