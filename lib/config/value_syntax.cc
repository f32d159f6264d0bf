#include "config/value_syntax.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "core/strings.h"

namespace frankenetes::config {
namespace {

bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }
bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

using core::to_lower;

std::optional<std::uint16_t> parse_port(std::string_view text) {
  unsigned value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

bool is_ipv6_literal(std::string_view text) {
  return !text.empty() && text.find(':') != std::string_view::npos &&
         std::all_of(text.begin(), text.end(),
                     [](char c) { return is_hex(c) || c == ':' || c == '.'; });
}

// Hosts as they may appear in a URL or host:port: a domain name, an IPv4 address (which is a
// valid domain name syntactically) or, bracketed by the caller, an IPv6 address.
bool is_host(std::string_view host) { return is_domain_name(host); }

bool is_ipv4_loopback(std::string_view host) {
  return core::is_ipv4(host) && host.starts_with("127.");
}

}  // namespace

bool is_guid(std::string_view text) {
  static constexpr std::size_t kGroupLengths[] = {8, 4, 4, 4, 12};
  const auto groups = core::split(text, '-');
  if (groups.size() != 5) return false;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    if (groups[i].size() != kGroupLengths[i]) return false;
    if (!std::all_of(groups[i].begin(), groups[i].end(), is_hex)) return false;
  }
  return true;
}

bool is_dns_label(std::string_view text) {
  if (text.empty() || text.size() > 63 || text.front() == '-' || text.back() == '-') return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

bool is_domain_name(std::string_view text) {
  if (text.empty() || text.size() > 253) return false;
  for (const auto& label : core::split(text, '.')) {
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    if (!std::all_of(label.begin(), label.end(),
                     [](char c) { return is_alnum(c) || c == '-' || c == '_'; })) {
      return false;
    }
  }
  return true;
}

bool is_in_zone(std::string_view name, std::string_view zone) {
  const auto n = to_lower(name);
  const auto z = to_lower(zone);
  return n == z || (n.size() > z.size() && n.ends_with(z) && n[n.size() - z.size() - 1] == '.');
}

std::optional<HostPort> parse_host_port(std::string_view text,
                                        std::optional<std::uint16_t> default_port) {
  std::string_view host;
  std::string_view rest;
  if (text.starts_with('[')) {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = text.substr(1, close - 1);
    if (!is_ipv6_literal(host)) return std::nullopt;
    rest = text.substr(close + 1);
  } else {
    const auto colon = text.find(':');
    host = text.substr(0, colon);
    if (!is_host(host)) return std::nullopt;
    rest = colon == std::string_view::npos ? std::string_view() : text.substr(colon);
  }
  if (rest.empty()) {
    if (!default_port) return std::nullopt;
    return HostPort{std::string(host), *default_port};
  }
  if (rest.front() != ':') return std::nullopt;
  const auto port = parse_port(rest.substr(1));
  if (!port) return std::nullopt;
  return HostPort{std::string(host), *port};
}

std::optional<Url> parse_url(std::string_view text) {
  Url url;
  const auto scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) return std::nullopt;
  url.scheme = to_lower(text.substr(0, scheme_end));
  if (url.scheme != "http" && url.scheme != "https") return std::nullopt;
  const auto authority_start = scheme_end + 3;
  const auto path_start = text.find_first_of("/?#", authority_start);
  const auto authority = text.substr(authority_start, path_start - authority_start);
  if (path_start != std::string_view::npos) url.path = std::string(text.substr(path_start));
  if (authority.find('@') != std::string_view::npos) return std::nullopt;  // no credentials in URLs
  if (const auto with_port = parse_host_port(authority, std::nullopt)) {
    url.host = with_port->host;
    url.port = with_port->port;
  } else if (const auto bare = parse_host_port(authority, std::uint16_t{0})) {
    url.host = bare->host;  // no port: the scheme's default
  } else {
    return std::nullopt;
  }
  return url;
}

bool is_storage_account_name(std::string_view text) {
  return text.size() >= 3 && text.size() <= 24 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
         });
}

bool is_blob_container_name(std::string_view text) {
  if (text.size() < 3 || text.size() > 63 || text.front() == '-' || text.back() == '-') {
    return false;
  }
  if (text.find("--") != std::string_view::npos) return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

bool is_replica_id(std::string_view text) {
  const auto alphanumeric = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  if (text.empty() || text.size() > kMaxReplicaIdLength || !alphanumeric(text.front())) {
    return false;
  }
  return std::all_of(text.begin(), text.end(),
                     [&](char c) { return alphanumeric(c) || c == '.' || c == '_' || c == '-'; });
}

bool is_loopback_host(std::string_view host) {
  return to_lower(host) == "localhost" || host == "::1" || is_ipv4_loopback(host);
}

}  // namespace frankenetes::config
