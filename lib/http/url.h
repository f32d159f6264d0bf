#pragma once
// Parsing of the absolute URLs HttpClient is asked to fetch ("https://management.azure.com/
// subscriptions/…?api-version=…"). Pure (no sockets, no resolver) so every accepted and refused
// spelling is table-tested. Only what an HTTP client needs from RFC 3986: http and https, a
// host (name, IPv4 literal or bracketed IPv6 literal), an optional port, and the request target.
// Not supported, and refused rather than guessed at: other schemes, user info ("user@host"),
// relative references, IPv6 zone ids, whitespace or control characters anywhere.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace frankenetes::http {

struct Url {
  std::string scheme;       // "http" or "https" (lower case)
  std::string host;         // lower case; IPv6 literals without brackets ("::1")
  std::uint16_t port = 0;   // explicit, or 80 / 443 by scheme
  std::string target;       // origin-form: path (at least "/") plus "?query"; no fragment
  bool ip_literal = false;  // host is an IPv4 or IPv6 address, not a name (no SNI, IP SAN check)

  bool tls() const { return scheme == "https"; }
  bool ipv6() const { return ip_literal && host.find(':') != std::string::npos; }
  // "host:port" with IPv6 brackets, for messages and connection-pool keys.
  std::string authority() const;
  // The Host header value (RFC 9112 §3.2): the port only when it is not the scheme's default.
  std::string host_header() const;
};

// Errors are kTerminal (a malformed URL is a bug or bad data, retrying cannot help) and read
// "invalid URL \"<url>\": <why>". A fragment ("#…") is dropped: it is never sent (RFC 9110 §4.2.4).
core::Result<Url> parse_url(std::string_view text);

// "scheme://host[:port]" of an absolute URL, scheme and host lower-cased, the default port
// dropped (RFC 6454 §4); "" when not absolute. No validation: for comparing the origin of a
// link a peer sent with the one configured, and for keying per-service state.
std::string url_origin(std::string_view url);

}  // namespace frankenetes::http
