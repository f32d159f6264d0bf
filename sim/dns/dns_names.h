#pragma once
// Helpers for domain names and addresses as the simulated DNS providers see them: names are
// compared case-insensitively (RFC 4343) and kept lowercase without the trailing dot. Pure.

#include <optional>
#include <string>
#include <string_view>

namespace frankenetes::sim::dns {

// Lowercase, without a trailing dot ("WWW.Example.COM." -> "www.example.com").
std::string normalize_name(std::string_view name);

// A host name in presentation form (no trailing dot): labels of 1..63 characters from
// [A-Za-z0-9-_], total length <= 253. `allow_wildcard` accepts a leading "*" label.
bool is_valid_domain_name(std::string_view name, bool allow_wildcard = false);

// Strict dotted quad ("10.0.0.1"; no leading zeros, no missing octets).
bool is_valid_ipv4(std::string_view text);

// True when `name` is `zone` or below it (both normalized).
bool is_in_zone(std::string_view name, std::string_view zone);

// "www.example.com" in zone "example.com" -> "www"; the apex -> "@". Both normalized.
std::string relative_name(std::string_view fqdn, std::string_view zone);

// "www" + "example.com" -> "www.example.com"; "@" -> "example.com".
std::string absolute_name(std::string_view relative, std::string_view zone);

}  // namespace frankenetes::sim::dns
