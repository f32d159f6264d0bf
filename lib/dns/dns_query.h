#pragma once
// query_record_set(): asks one DNS server for one record set (UDP, TCP on truncation, with a
// deadline) and returns what it answered as a RecordSet. Used by Rfc2136Provider::read() and
// available to verification (lib/dns/verif*), which asks authoritative servers whether an
// update is visible. No recursion is requested: the server is expected to be authoritative.

#include <chrono>
#include <optional>
#include <string>

#include "config/types.h"
#include "core/result.h"
#include "dns/provider.h"

namespace frankenetes::dns {

struct DnsQueryOptions {
  std::chrono::milliseconds timeout{std::chrono::seconds(5)};
  bool force_tcp = false;
};

// nullopt when the server says the name or the set does not exist (NXDOMAIN, or NOERROR with
// no RRs of `type` owned by `fqdn`). The set's values are sorted, TXT character-strings joined,
// ttl the smallest of the RRs, version empty. Errors: kTransient (timeout, network, SERVFAIL),
// kTerminal (REFUSED, NOTAUTH, FORMERR, malformed answers), kInvalidConfig (bad address/name).
core::Result<std::optional<RecordSet>> query_record_set(const config::HostPort& server,
                                                        const std::string& fqdn, RecordType type,
                                                        const DnsQueryOptions& options = {});

// Parses "host:port" (IPv6 in brackets); port defaults to 53. nullopt when malformed.
std::optional<config::HostPort> parse_host_port(const std::string& text);

}  // namespace frankenetes::dns
