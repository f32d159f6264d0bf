#include "sim/dns/dns_responder.h"

#include <ldns/ldns.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <string>

#include "sim/dns/dns_names.h"

namespace frankenetes::sim::dns {
namespace {

struct PktDeleter {
  void operator()(ldns_pkt* p) const { ldns_pkt_free(p); }
};
using PktPtr = std::unique_ptr<ldns_pkt, PktDeleter>;

struct RdfDeleter {
  void operator()(ldns_rdf* r) const { ldns_rdf_deep_free(r); }
};
using RdfPtr = std::unique_ptr<ldns_rdf, RdfDeleter>;

struct RrDeleter {
  void operator()(ldns_rr* r) const { ldns_rr_free(r); }
};
using RrPtr = std::unique_ptr<ldns_rr, RrDeleter>;

std::optional<std::vector<std::uint8_t>> to_wire(const ldns_pkt* pkt) {
  std::uint8_t* buffer = nullptr;
  std::size_t size = 0;
  if (ldns_pkt2wire(&buffer, pkt, &size) != LDNS_STATUS_OK || !buffer) return std::nullopt;
  std::vector<std::uint8_t> out(buffer, buffer + size);
  std::free(buffer);  // allocated by ldns with malloc (LDNS_XMALLOC)
  return out;
}

// A minimal error response for a query ldns could not parse: the id and opcode come from the
// raw header (RFC 1035 §4.1.1), nothing else is echoed.
std::optional<std::vector<std::uint8_t>> header_only_error(std::span<const std::uint8_t> query,
                                                           std::uint8_t rcode) {
  if (query.size() < 12) return std::nullopt;
  if (query[2] & 0x80) return std::nullopt;  // QR set: a response, never answer it
  std::vector<std::uint8_t> out(12, 0);
  out[0] = query[0];
  out[1] = query[1];
  out[2] = static_cast<std::uint8_t>(0x80 | (query[2] & 0x79));  // QR, opcode, RD
  out[3] = rcode;
  return out;
}

ldns_rdf* dname(const std::string& name) {
  return ldns_dname_new_frm_str((name.empty() ? std::string(".") : name + ".").c_str());
}

ldns_rdf* character_string(const std::string& text) {
  // RFC 1035 §3.3: a length octet, then at most 255 octets.
  const std::size_t length = std::min<std::size_t>(text.size(), 255);
  std::vector<std::uint8_t> data(length + 1);
  data[0] = static_cast<std::uint8_t>(length);
  std::copy(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(length), data.begin() + 1);
  return ldns_rdf_new_frm_data(LDNS_RDF_TYPE_STR, data.size(), data.data());
}

// Builds an RR from the store's view; `question_owner` keeps the client's spelling of the
// name (some resolvers check the 0x20 case pattern) for records owned by the query name.
RrPtr build_rr(const DnsRecord& record, const ldns_rdf* question_owner,
               const std::string& question_name) {
  RrPtr rr(ldns_rr_new());
  ldns_rr_set_owner(rr.get(), record.owner == question_name ? ldns_rdf_clone(question_owner)
                                                            : dname(record.owner));
  ldns_rr_set_ttl(rr.get(), record.ttl);
  ldns_rr_set_class(rr.get(), LDNS_RR_CLASS_IN);
  ldns_rr_set_type(rr.get(), static_cast<ldns_rr_type>(record.type));
  auto push = [&](ldns_rdf* rdf) {
    if (!rdf) return false;
    ldns_rr_push_rdf(rr.get(), rdf);
    return true;
  };
  bool ok = true;
  switch (record.type) {
    case kRrA:
      ok = push(ldns_rdf_new_frm_str(LDNS_RDF_TYPE_A, record.rdata.at(0).c_str()));
      break;
    case kRrCname:
    case kRrNs:
      ok = push(dname(record.rdata.at(0)));
      break;
    case kRrTxt:
      // Strings longer than one character-string are split into 255-octet pieces.
      for (const auto& text : record.rdata) {
        if (text.empty()) ok = ok && push(character_string(text));
        for (std::size_t pos = 0; pos < text.size(); pos += 255) {
          ok = ok && push(character_string(text.substr(pos, 255)));
        }
      }
      break;
    case kRrSoa:
      ok = push(dname(record.rdata.at(0))) && push(dname(record.rdata.at(1)));
      for (std::size_t i = 2; ok && i < 7; ++i) {
        ok = push(ldns_native2rdf_int32(i == 2 ? LDNS_RDF_TYPE_INT32 : LDNS_RDF_TYPE_PERIOD,
                                        static_cast<std::uint32_t>(std::stoul(record.rdata.at(i)))));
      }
      break;
    default:
      ok = false;
  }
  if (!ok) return nullptr;
  return rr;
}

}  // namespace

std::optional<std::vector<std::uint8_t>> answer_dns_query(const RecordStore& store,
                                                          std::span<const std::uint8_t> query,
                                                          DnsTransport transport) {
  if (query.size() < 12 || query.size() > kMaxDnsMessage) return std::nullopt;
  ldns_pkt* raw = nullptr;
  if (ldns_wire2pkt(&raw, query.data(), query.size()) != LDNS_STATUS_OK || !raw) {
    return header_only_error(query, LDNS_RCODE_FORMERR);
  }
  PktPtr request(raw);
  if (ldns_pkt_qr(request.get())) return std::nullopt;

  PktPtr response(ldns_pkt_new());
  ldns_pkt_set_id(response.get(), ldns_pkt_id(request.get()));
  ldns_pkt_set_qr(response.get(), true);
  ldns_pkt_set_opcode(response.get(), ldns_pkt_get_opcode(request.get()));
  ldns_pkt_set_rd(response.get(), ldns_pkt_rd(request.get()));
  const bool edns = ldns_pkt_edns_udp_size(request.get()) > 0;
  if (edns) ldns_pkt_set_edns_udp_size(response.get(), kEdnsPayloadSize);

  if (ldns_pkt_get_opcode(request.get()) != LDNS_PACKET_QUERY) {
    ldns_pkt_set_rcode(response.get(), LDNS_RCODE_NOTIMPL);
    return to_wire(response.get());
  }
  const ldns_rr_list* questions = ldns_pkt_question(request.get());
  if (ldns_pkt_qdcount(request.get()) != 1 || !questions || ldns_rr_list_rr_count(questions) != 1) {
    ldns_pkt_set_rcode(response.get(), LDNS_RCODE_FORMERR);
    return to_wire(response.get());
  }
  const ldns_rr* question = ldns_rr_list_rr(questions, 0);
  ldns_pkt_push_rr(response.get(), LDNS_SECTION_QUESTION, ldns_rr_clone(question));

  const auto qtype = static_cast<std::uint16_t>(ldns_rr_get_type(question));
  const auto qclass = ldns_rr_get_class(question);
  char* owner_text = ldns_rdf2str(ldns_rr_owner(question));
  const std::string qname = owner_text ? normalize_name(owner_text) : std::string();
  std::free(owner_text);

  if ((qclass != LDNS_RR_CLASS_IN && qclass != LDNS_RR_CLASS_ANY) || qtype == LDNS_RR_TYPE_AXFR ||
      qtype == LDNS_RR_TYPE_IXFR) {
    ldns_pkt_set_rcode(response.get(), LDNS_RCODE_REFUSED);
    return to_wire(response.get());
  }

  const DnsLookup lookup = store.lookup(qname, qtype);
  switch (lookup.outcome) {
    case DnsLookup::Outcome::kRefused:
      ldns_pkt_set_rcode(response.get(), LDNS_RCODE_REFUSED);
      return to_wire(response.get());
    case DnsLookup::Outcome::kNameError:
      ldns_pkt_set_rcode(response.get(), LDNS_RCODE_NXDOMAIN);
      break;
    case DnsLookup::Outcome::kNoData:
    case DnsLookup::Outcome::kAnswer:
      ldns_pkt_set_rcode(response.get(), LDNS_RCODE_NOERROR);
      break;
  }
  ldns_pkt_set_aa(response.get(), true);
  for (const auto& record : lookup.answers) {
    if (auto rr = build_rr(record, ldns_rr_owner(question), qname)) {
      ldns_pkt_push_rr(response.get(), LDNS_SECTION_ANSWER, rr.release());
    }
  }
  for (const auto& record : lookup.authority) {
    // RFC 2308 §3: the negative-caching TTL is the smaller of the SOA TTL and its minimum.
    DnsRecord soa = record;
    soa.ttl = std::min<std::uint32_t>(soa.ttl, static_cast<std::uint32_t>(std::stoul(soa.rdata.at(6))));
    if (auto rr = build_rr(soa, ldns_rr_owner(question), qname)) {
      ldns_pkt_push_rr(response.get(), LDNS_SECTION_AUTHORITY, rr.release());
    }
  }

  auto wire = to_wire(response.get());
  if (!wire) return header_only_error(query, LDNS_RCODE_SERVFAIL);
  const std::size_t limit =
      transport == DnsTransport::kTcp
          ? kMaxDnsMessage
          : (edns ? std::clamp<std::size_t>(ldns_pkt_edns_udp_size(request.get()), 512,
                                            kEdnsPayloadSize)
                  : 512);
  if (wire->size() <= limit) return wire;

  // RFC 2181 §9: too big for the transport → header + question with TC, client retries on TCP.
  PktPtr truncated(ldns_pkt_new());
  ldns_pkt_set_id(truncated.get(), ldns_pkt_id(request.get()));
  ldns_pkt_set_qr(truncated.get(), true);
  ldns_pkt_set_aa(truncated.get(), true);
  ldns_pkt_set_tc(truncated.get(), true);
  ldns_pkt_set_rd(truncated.get(), ldns_pkt_rd(request.get()));
  ldns_pkt_set_rcode(truncated.get(), ldns_pkt_get_rcode(response.get()));
  if (edns) ldns_pkt_set_edns_udp_size(truncated.get(), kEdnsPayloadSize);
  ldns_pkt_push_rr(truncated.get(), LDNS_SECTION_QUESTION, ldns_rr_clone(question));
  return to_wire(truncated.get());
}

}  // namespace frankenetes::sim::dns
