#pragma once
// Syntax checks for the string values in the configuration: GUIDs, DNS names, host:port
// endpoints and URLs. Pure predicates and parsers without error reporting; the section
// parsers turn a failed check into a ConfigProblem with the wording operators see.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config/types.h"

namespace frankenetes::config {

// 8-4-4-4-12 hexadecimal digits, as Azure subscription and tenant IDs.
bool is_guid(std::string_view text);

// A lowercase RFC 1123 label: [a-z0-9-], 1..63 characters, no leading or trailing hyphen.
// Used for cluster and member names, which appear in metric labels and URLs.
bool is_dns_label(std::string_view text);

// A domain name of RFC 1123 labels (any case, underscores allowed for service labels), at most
// 253 characters, without a trailing dot.
bool is_domain_name(std::string_view text);

// True when `name` equals `zone` or lies below it; case-insensitive.
bool is_in_zone(std::string_view name, std::string_view zone);

// "host:port", "[v6]:port", or with `default_port`, also a bare host. nullopt when malformed.
std::optional<HostPort> parse_host_port(std::string_view text,
                                        std::optional<std::uint16_t> default_port);

// The parts of an absolute http(s) URL that validation needs.
struct Url {
  std::string scheme;  // "http" or "https"
  std::string host;    // without IPv6 brackets
  std::optional<std::uint16_t> port;
  std::string path;  // "" or starting with '/'; query and fragment included
};
std::optional<Url> parse_url(std::string_view text);

// An Azure Storage account name: 3..24 lowercase letters and digits.
bool is_storage_account_name(std::string_view text);

// A Blob Storage container name: 3..63 lowercase letters, digits and hyphens, starting and
// ending with a letter or digit, no two hyphens in a row ("Naming and referencing containers,
// blobs, and metadata").
bool is_blob_container_name(std::string_view text);

// A replica id (coordination.replicaId): 1..63 of [A-Za-z0-9._-], starting with a letter or a
// digit, so that it is safe as a blob name segment (replicas/<id>) and in a User-Agent token.
bool is_replica_id(std::string_view text);

// "localhost", 127.0.0.0/8 and ::1: hosts for which plain http is acceptable because traffic
// never leaves the machine.
bool is_loopback_host(std::string_view host);

}  // namespace frankenetes::config
