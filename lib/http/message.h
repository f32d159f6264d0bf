#pragma once
// Plain HTTP request/response values shared by the server, the router, handlers and (later)
// the client. No Beast here: handlers and renderers are pure functions over these types and
// are unit-tested without sockets.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace frankenetes::http {

// Header names compare case-insensitively (RFC 9110 §5.1); values keep their case.
// Transparent (addition): `headers.find(std::string_view)` works without building a string.
struct CaseInsensitiveLess {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const;
};
using Headers = std::map<std::string, std::string, CaseInsensitiveLess>;

struct Request {
  std::string method;  // "GET", "PUT", …
  std::string target;  // as received: path plus optional "?query"
  std::string path;    // percent-decoded path without the query
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
  Headers headers;
  std::string body;
  std::string remote_address;  // "127.0.0.1:53422"

  // First value of a query parameter, if present ("?verbose" yields an empty string).
  std::optional<std::string> query_param(std::string_view name) const;
  // Header value or "".
  std::string header(std::string_view name) const;
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;

  static Response text(int status, std::string body);
  static Response json(int status, std::string body);
};

// Reason phrase for a status code ("Not Found"); "" for unknown codes.
std::string_view reason_phrase(int status);

// Splits a request target into a decoded path and decoded query parameters. Returns nullopt
// for a target that is not origin-form ("/path?query"; also rejects a '#') or has a malformed
// percent escape. '+' is a space in the query only. Note that "%2F" decodes to '/' in the
// path: routes must not depend on telling the two apart.
struct ParsedTarget {
  std::string path;
  std::vector<std::pair<std::string, std::string>> query;
};
std::optional<ParsedTarget> parse_target(std::string_view target);

// Decodes %XX escapes (and '+' as a space when plus_is_space, as in form-encoded queries).
// On a malformed escape ("%", "%4", "%zz") returns "" and sets *ok to false; `ok` may be null.
std::string percent_decode_component(std::string_view in, bool plus_is_space, bool* ok);
// Escapes everything except RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~), uppercase hex.
std::string percent_encode_component(std::string_view in);

// A handler answers a request, now or later, by calling `respond` exactly once. The server
// may call `respond` from any thread; it is marshalled back onto the connection's strand.
using Responder = std::function<void(Response)>;
using Handler = std::function<void(Request, Responder)>;

// Adapts a synchronous handler (most handlers are) to the asynchronous signature.
Handler make_sync_handler(std::function<Response(const Request&)> fn);

}  // namespace frankenetes::http
