#include "dns/dns_query.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>

#include "dns/dns_exchange.h"
#include "dns/record_names.h"

namespace frankenetes::dns {
namespace {

using core::make_error;

std::string rdf_text(const ldns_rdf* rdf) {
  char* text = ldns_rdf2str(rdf);
  std::string out = text ? text : "";
  std::free(text);
  return out;
}

// A TXT RDATA is a sequence of <character-string>s: a length octet, then that many octets.
std::string txt_value(const ldns_rr* rr) {
  std::string out;
  for (size_t i = 0; i < ldns_rr_rd_count(rr); ++i) {
    const ldns_rdf* rdf = ldns_rr_rdf(rr, i);
    const uint8_t* data = ldns_rdf_data(rdf);
    const size_t size = ldns_rdf_size(rdf);
    if (size == 0) continue;
    const size_t length = std::min<size_t>(data[0], size - 1);
    out.append(reinterpret_cast<const char*>(data + 1), length);
  }
  return out;
}

}  // namespace

std::optional<config::HostPort> parse_host_port(const std::string& text) {
  config::HostPort out;
  std::string port;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string::npos) return std::nullopt;
    out.host = text.substr(1, close - 1);
    if (close + 1 < text.size()) {
      if (text[close + 1] != ':') return std::nullopt;
      port = text.substr(close + 2);
    }
  } else {
    const auto colon = text.rfind(':');
    out.host = text.substr(0, colon);
    if (colon != std::string::npos) port = text.substr(colon + 1);
  }
  if (out.host.empty()) return std::nullopt;
  out.port = 53;
  if (!port.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
      return std::nullopt;
    }
    out.port = static_cast<uint16_t>(value);
  }
  return out;
}

core::Result<std::optional<RecordSet>> query_record_set(const config::HostPort& server,
                                                        const std::string& fqdn, RecordType type,
                                                        const DnsQueryOptions& options) {
  const std::string name = normalize_name(fqdn);
  ldns_rdf* owner = detail::make_dname(name);
  if (owner == nullptr) {
    return make_error(core::ErrorKind::kInvalidConfig, "dns: invalid name '" + name + "'");
  }
  detail::PacketPtr query(ldns_pkt_query_new(owner, detail::ldns_type(type), LDNS_RR_CLASS_IN, 0));
  if (!query) return make_error(core::ErrorKind::kTerminal, "dns: cannot build a query");
  ldns_pkt_set_random_id(query.get());

  detail::ExchangeOptions exchange_options;
  exchange_options.timeout = options.timeout;
  exchange_options.force_tcp = options.force_tcp;
  auto result = detail::exchange(query.get(), server, std::nullopt, exchange_options);
  if (!result.ok()) return result.error();
  return detail::record_set_from_reply(
      result->reply.get(), name, type,
      std::string(to_string(type)) + " " + name + " at " + server.to_string());
}

namespace detail {

core::Result<std::optional<RecordSet>> record_set_from_reply(const ldns_pkt* reply,
                                                             const std::string& name,
                                                             RecordType type,
                                                             const std::string& what) {
  switch (ldns_pkt_get_rcode(reply)) {
    case LDNS_RCODE_NOERROR:
      break;
    case LDNS_RCODE_NXDOMAIN:
      return std::optional<RecordSet>();
    case LDNS_RCODE_SERVFAIL:
      return make_error(core::ErrorKind::kTransient, "dns query " + what + ": SERVFAIL");
    default: {
      char* rcode = ldns_pkt_rcode2str(ldns_pkt_get_rcode(reply));
      std::string text = rcode ? rcode : "?";
      std::free(rcode);
      return make_error(core::ErrorKind::kTerminal, "dns query " + what + ": " + text);
    }
  }
  RecordSet set;
  set.fqdn = name;
  set.type = type;
  bool first = true;
  const ldns_rr_list* answer = ldns_pkt_answer(reply);
  for (size_t i = 0; i < ldns_rr_list_rr_count(answer); ++i) {
    const ldns_rr* rr = ldns_rr_list_rr(answer, i);
    if (ldns_rr_get_type(rr) != detail::ldns_type(type) ||
        normalize_name(rdf_text(ldns_rr_owner(rr))) != name || ldns_rr_rd_count(rr) == 0) {
      continue;
    }
    set.ttl = first ? ldns_rr_ttl(rr) : std::min(set.ttl, ldns_rr_ttl(rr));
    first = false;
    switch (type) {
      case RecordType::kA:
        set.values.push_back(rdf_text(ldns_rr_rdf(rr, 0)));
        break;
      case RecordType::kTxt:
        set.values.push_back(txt_value(rr));
        break;
      case RecordType::kCname:
        set.values.push_back(normalize_name(rdf_text(ldns_rr_rdf(rr, 0))));
        break;
    }
  }
  if (set.values.empty()) return std::optional<RecordSet>();
  std::sort(set.values.begin(), set.values.end());
  return std::optional<RecordSet>(std::move(set));
}

}  // namespace detail

}  // namespace frankenetes::dns
