#pragma once
// Parsing of the `listen` setting ("host:port") into its parts. Pure (no sockets) so the
// accepted spellings are unit-tested in a table; HttpServer turns the result into an endpoint.
// Host names other than "localhost" are refused rather than resolved: a listen address that
// depends on DNS at start-up fails in confusing ways.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace frankenetes::http {

struct ListenAddress {
  std::string host;  // numeric IPv4 or IPv6 literal, without brackets ("localhost" → 127.0.0.1)
  std::uint16_t port = 0;
  bool ipv6 = false;
};

// Accepts "127.0.0.1:9720", "0.0.0.0:0", "[::1]:9720", "[::]:80", "localhost:9720".
// Errors are kInvalidConfig and read "listen <text>: <why>".
core::Result<ListenAddress> parse_listen_address(std::string_view text);

}  // namespace frankenetes::http
