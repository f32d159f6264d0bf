#include "http/listen_address.h"

#include <arpa/inet.h>

#include <charconv>

namespace frankenetes::http {

core::Result<ListenAddress> parse_listen_address(std::string_view text) {
  auto invalid = [&](std::string_view why) {
    return core::make_error(core::ErrorKind::kInvalidConfig,
                            "listen " + std::string(text) + ": " + std::string(why));
  };
  std::string_view host;
  std::string_view port_text;
  bool bracketed = false;
  if (!text.empty() && text.front() == '[') {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos || text.substr(close + 1, 1) != ":") {
      return invalid("expected [ipv6]:port");
    }
    host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
    bracketed = true;
  } else {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return invalid("expected host:port");
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) {
      return invalid("IPv6 addresses must be bracketed, e.g. [::1]:9720");
    }
  }

  unsigned port = 0;
  const char* port_end = port_text.data() + port_text.size();
  const auto [parsed_end, ec] = std::from_chars(port_text.data(), port_end, port);
  if (port_text.empty() || ec != std::errc() || parsed_end != port_end || port > 65535) {
    return invalid("port must be a number from 0 to 65535");
  }

  ListenAddress address;
  address.port = static_cast<std::uint16_t>(port);
  if (!bracketed && host == "localhost") {
    address.host = "127.0.0.1";
    return address;
  }
  // inet_pton accepts exactly the numeric forms (no octal or short IPv4 like "127.1").
  address.host = std::string(host);
  unsigned char scratch[16];
  if (bracketed) {
    if (inet_pton(AF_INET6, address.host.c_str(), scratch) != 1) {
      return invalid("expected an IPv6 address inside the brackets");
    }
    address.ipv6 = true;
  } else if (inet_pton(AF_INET, address.host.c_str(), scratch) != 1) {
    return invalid("host must be an IPv4 address, [IPv6 address] or localhost");
  }
  return address;
}

}  // namespace frankenetes::http
