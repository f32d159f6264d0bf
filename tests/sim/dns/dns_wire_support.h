#pragma once
// Building DNS queries and reading responses with ldns, for the responder and server tests.

#include <ldns/ldns.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace frankenetes::sim::dns::testing {

struct PktDeleter {
  void operator()(ldns_pkt* p) const { ldns_pkt_free(p); }
};
using Pkt = std::unique_ptr<ldns_pkt, PktDeleter>;

inline std::vector<std::uint8_t> make_query(const std::string& name, ldns_rr_type type,
                                            std::uint16_t id = 4242, bool edns = false) {
  Pkt pkt(ldns_pkt_query_new(ldns_dname_new_frm_str(name.c_str()), type, LDNS_RR_CLASS_IN,
                             LDNS_RD));
  ldns_pkt_set_id(pkt.get(), id);
  if (edns) ldns_pkt_set_edns_udp_size(pkt.get(), 4096);
  std::uint8_t* wire = nullptr;
  std::size_t size = 0;
  ldns_pkt2wire(&wire, pkt.get(), &size);
  std::vector<std::uint8_t> out(wire, wire + size);
  std::free(wire);
  return out;
}

inline Pkt parse(const std::vector<std::uint8_t>& wire) {
  ldns_pkt* pkt = nullptr;
  if (ldns_wire2pkt(&pkt, wire.data(), wire.size()) != LDNS_STATUS_OK) return nullptr;
  return Pkt(pkt);
}

// Presentation form of each RR's rdata in a section ("127.0.0.5", "\"txt\"", …).
inline std::vector<std::string> rdata(const ldns_pkt* pkt, ldns_pkt_section section) {
  std::vector<std::string> out;
  const ldns_rr_list* list = ldns_pkt_get_section_clone(pkt, section);
  for (std::size_t i = 0; list && i < ldns_rr_list_rr_count(list); ++i) {
    const ldns_rr* rr = ldns_rr_list_rr(list, i);
    std::string text;
    for (std::size_t j = 0; j < ldns_rr_rd_count(rr); ++j) {
      char* s = ldns_rdf2str(ldns_rr_rdf(rr, j));
      text += (j ? " " : "") + std::string(s ? s : "");
      std::free(s);
    }
    out.push_back(text);
  }
  ldns_rr_list_deep_free(const_cast<ldns_rr_list*>(list));
  return out;
}

}  // namespace frankenetes::sim::dns::testing
