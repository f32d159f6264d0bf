#pragma once
// answer_dns_query: one DNS query message in, one response message out, answered from the
// RecordStore as an authoritative server for every zone of both providers (RFC 1034 §4.3.2,
// RFC 1035 §4.1). Pure (no sockets): DnsServer moves the bytes, tests call this directly.
// Messages are parsed and built with ldns.
//
// Behaviour: AA set on answers for our zones; NXDOMAIN or NODATA carry the zone's SOA in
// the authority section (RFC 2308); names outside every zone → REFUSED; non-QUERY opcodes
// → NOTIMP; zone transfers and non-IN classes → REFUSED; malformed queries → FORMERR when an
// id can be read, else dropped; responses (QR set) are dropped. EDNS(0) is echoed with our
// 1232-octet payload size. UDP answers larger than the client's limit (512, or its EDNS
// size up to 1232) are truncated to the header and question with TC set, so the client
// retries over TCP.

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "sim/dns/record_store.h"

namespace frankenetes::sim::dns {

enum class DnsTransport { kUdp, kTcp };

inline constexpr std::size_t kMaxDnsMessage = 65535;
inline constexpr std::uint16_t kEdnsPayloadSize = 1232;  // DNS flag day 2020

std::optional<std::vector<std::uint8_t>> answer_dns_query(const RecordStore& store,
                                                          std::span<const std::uint8_t> query,
                                                          DnsTransport transport);

}  // namespace frankenetes::sim::dns
