#include "http/url.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "core/strings.h"

namespace frankenetes::http {
namespace {

core::Error url_error(std::string_view text, std::string_view why) {
  return core::make_error(core::ErrorKind::kTerminal,
                          "invalid URL \"" + std::string(text) + "\": " + std::string(why));
}

using core::is_ipv4;
using core::to_lower;

// Controls and spaces would end up in the request line (request splitting); '\\' is treated as
// a path separator by some servers and never appears in the URLs we build.
bool has_forbidden_character(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](unsigned char c) {
    return c <= 0x20 || c == 0x7f || c == '\\' || c >= 0x80;
  });
}

// A registered name as DNS uses it: letters, digits, '-', '.', and '_' (seen in some internal
// names). Percent-encoded or internationalized names are not supported (use the A-label).
bool is_host_name(std::string_view host) {
  if (host.empty() || host.size() > 253 || host.front() == '.' || host.front() == '-') {
    return false;
  }
  return std::all_of(host.begin(), host.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '.' || c == '_';
  });
}

bool is_ipv6(const std::string& host) {
  std::array<unsigned char, 16> out{};
  return inet_pton(AF_INET6, host.c_str(), out.data()) == 1;
}

// A name made only of digits and dots that is not a valid IPv4 address ("1.2.3", "300.1.1.1")
// would be handed to the resolver, which may read it as an address in inet_aton's legacy forms.
bool looks_numeric(std::string_view host) {
  return std::all_of(host.begin(), host.end(),
                     [](unsigned char c) { return std::isdigit(c) || c == '.'; });
}

}  // namespace

std::string Url::authority() const {
  const std::string shown = ipv6() ? "[" + host + "]" : host;
  return shown + ":" + std::to_string(port);
}

std::string Url::host_header() const {
  const std::string shown = ipv6() ? "[" + host + "]" : host;
  const std::uint16_t default_port = tls() ? 443 : 80;
  return port == default_port ? shown : shown + ":" + std::to_string(port);
}

core::Result<Url> parse_url(std::string_view text) {
  std::string_view rest = text;
  if (const auto hash = rest.find('#'); hash != std::string_view::npos) {
    rest = rest.substr(0, hash);
  }
  if (has_forbidden_character(rest)) {
    return url_error(text, "contains a space, control or non-ASCII character");
  }

  Url url;
  const auto scheme_end = rest.find("://");
  if (scheme_end == std::string_view::npos) {
    return url_error(text, "not an absolute http:// or https:// URL");
  }
  url.scheme = to_lower(rest.substr(0, scheme_end));
  if (url.scheme != "http" && url.scheme != "https") {
    return url_error(text, "unsupported scheme \"" + url.scheme + "\" (only http and https)");
  }
  rest.remove_prefix(scheme_end + 3);

  const auto authority_end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view target =
      authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  if (authority.find('@') != std::string_view::npos) {
    return url_error(text, "user info is not supported");
  }

  std::string_view host;
  std::string_view port_text;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return url_error(text, "unterminated IPv6 literal");
    host = authority.substr(1, close - 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return url_error(text, "unexpected text after IPv6 literal");
      port_text = after.substr(1);
      has_port = true;
    }
    url.host = to_lower(host);
    if (url.host.find('%') != std::string::npos) {
      return url_error(text, "IPv6 zone ids are not supported");
    }
    if (!is_ipv6(url.host)) return url_error(text, "invalid IPv6 literal");
    url.ip_literal = true;
  } else {
    const auto colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      has_port = true;
    }
    url.host = to_lower(host);
    if (url.host.empty()) return url_error(text, "no host");
    if (is_ipv4(url.host)) {
      url.ip_literal = true;
    } else if (looks_numeric(url.host)) {
      return url_error(text, "invalid IPv4 address");
    } else if (!is_host_name(url.host)) {
      return url_error(text, "invalid host name");
    }
  }

  url.port = url.tls() ? 443 : 80;
  // "http://host:/" is allowed by RFC 3986 §3.2.3 and means the default port.
  if (has_port && !port_text.empty()) {
    if (port_text.size() > 5 || !std::all_of(port_text.begin(), port_text.end(),
                                             [](unsigned char c) { return std::isdigit(c); })) {
      return url_error(text, "invalid port");
    }
    const unsigned long port = std::stoul(std::string(port_text));
    if (port == 0 || port > 65535) return url_error(text, "port out of range 1..65535");
    url.port = static_cast<std::uint16_t>(port);
  }

  if (target.empty() || target.front() == '?') {
    url.target = "/" + std::string(target);  // RFC 9112 §3.2.1: empty path is sent as "/"
  } else {
    url.target = std::string(target);
  }
  return url;
}

std::string url_origin(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0) return {};
  const auto authority_start = scheme_end + 3;
  const auto authority_end = url.find_first_of("/?#", authority_start);
  const auto authority = url.substr(authority_start, authority_end == std::string_view::npos
                                                         ? std::string_view::npos
                                                         : authority_end - authority_start);
  // Userinfo ("user@host") is never legitimate in a link we follow; keep it in the origin so a
  // comparison against the configured endpoint fails rather than silently dropping it.
  if (authority.empty()) return {};
  const std::string scheme = to_lower(url.substr(0, scheme_end));
  std::string host = to_lower(authority);
  // The default port is the same origin as no port (RFC 6454 §4).
  const std::string_view default_port = scheme == "https" ? ":443" : scheme == "http" ? ":80" : "";
  if (!default_port.empty() && host.size() > default_port.size() &&
      host.compare(host.size() - default_port.size(), default_port.size(), default_port) == 0) {
    host.resize(host.size() - default_port.size());
  }
  return scheme + "://" + host;
}

}  // namespace frankenetes::http
