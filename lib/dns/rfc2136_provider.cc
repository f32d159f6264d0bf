#include "dns/rfc2136_provider.h"

#include <cstdlib>
#include <memory>

#include "dns/dns_exchange.h"
#include "dns/dns_query.h"
#include "dns/record_names.h"
#include "dns/secret_loader.h"

namespace frankenetes::dns {
namespace {

using core::make_error;
using detail::make_dname;

struct RrListDeleter {
  void operator()(ldns_rr_list* list) const { ldns_rr_list_deep_free(list); }
};
using RrListPtr = std::unique_ptr<ldns_rr_list, RrListDeleter>;
struct RrDeleter {
  void operator()(ldns_rr* rr) const { ldns_rr_free(rr); }
};
using RrPtr = std::unique_ptr<ldns_rr, RrDeleter>;

// An RR without RDATA: prerequisite "RRset does not exist" (class NONE) and update "delete
// RRset" (class ANY), RFC 2136 §2.4.3 and §2.5.2.
core::Result<RrPtr> empty_rr(const std::string& fqdn, RecordType type, ldns_rr_class rr_class) {
  ldns_rdf* owner = make_dname(fqdn);
  if (owner == nullptr) {
    return make_error(core::ErrorKind::kInvalidConfig, "rfc2136: invalid name '" + fqdn + "'");
  }
  RrPtr rr(ldns_rr_new());
  ldns_rr_set_owner(rr.get(), owner);
  ldns_rr_set_type(rr.get(), detail::ldns_type(type));
  ldns_rr_set_class(rr.get(), rr_class);
  ldns_rr_set_ttl(rr.get(), 0);
  return rr;
}

// An RR carrying `value` as RDATA.
core::Result<RrPtr> value_rr(const std::string& fqdn, RecordType type, const std::string& value,
                             uint32_t ttl) {
  auto rr = empty_rr(fqdn, type, LDNS_RR_CLASS_IN);
  if (!rr.ok()) return rr.error();
  ldns_rr_set_ttl(rr->get(), ttl);
  auto invalid = [&] {
    return make_error(core::ErrorKind::kTerminal, std::string("rfc2136: invalid ") +
                                                      to_string(type) + " value '" + value + "'");
  };
  switch (type) {
    case RecordType::kA: {
      ldns_rdf* rdf = ldns_rdf_new_frm_str(LDNS_RDF_TYPE_A, value.c_str());
      if (rdf == nullptr) return invalid();
      ldns_rr_push_rdf(rr->get(), rdf);
      break;
    }
    case RecordType::kTxt:
      for (const auto& chunk : split_txt(value)) {
        std::string data(1, static_cast<char>(chunk.size()));
        data += chunk;
        ldns_rdf* rdf = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_STR, data.size(), data.data());
        if (rdf == nullptr) return invalid();
        ldns_rr_push_rdf(rr->get(), rdf);
      }
      break;
    case RecordType::kCname: {
      ldns_rdf* rdf = make_dname(value);
      if (rdf == nullptr) return invalid();
      ldns_rr_push_rdf(rr->get(), rdf);
      break;
    }
  }
  return rr;
}

std::string rcode_name(ldns_pkt_rcode rcode) {
  char* text = ldns_pkt_rcode2str(rcode);
  std::string out = text ? text : std::to_string(static_cast<int>(rcode));
  std::free(text);
  return out;
}

}  // namespace

Rfc2136Provider::Rfc2136Provider(std::string name, config::Rfc2136ProviderConfig config,
                                 Rfc2136Settings settings)
    : name_(std::move(name)),
      config_(std::move(config)),
      zone_(normalize_name(config_.zone)),
      settings_(settings) {}

core::Result<std::vector<RecordSet>> Rfc2136Provider::read(const std::string& fqdn) {
  const std::string name = normalize_name(fqdn);
  if (auto relative = relative_name(name, zone_); !relative.ok()) return relative.error();
  DnsQueryOptions options;
  options.timeout = config_.timeout;
  options.force_tcp = settings_.force_tcp;
  std::vector<RecordSet> sets;
  for (RecordType type : {RecordType::kA, RecordType::kTxt, RecordType::kCname}) {
    auto set = query_record_set(config_.server, name, type, options);
    if (!set.ok()) return set.error();
    if (*set) sets.push_back(std::move(**set));
  }
  return sets;
}

core::Status Rfc2136Provider::apply(const std::vector<Change>& changes) {
  if (changes.empty()) return {};
  RrListPtr prerequisites(ldns_rr_list_new());
  RrListPtr updates(ldns_rr_list_new());
  auto push = [](ldns_rr_list* list, core::Result<RrPtr> rr) -> core::Status {
    if (!rr.ok()) return rr.error();
    ldns_rr_list_push_rr(list, rr->release());
    return {};
  };
  for (const Change& change : changes) {
    const std::string fqdn = normalize_name(change.desired.fqdn);
    const RecordType type = change.desired.type;
    if (auto relative = relative_name(fqdn, zone_); !relative.ok()) return relative.error();
    if (change.expected_current) {
      if (change.expected_current->values.empty()) {
        // RFC 2136 §2.4.3 "RRset does not exist": NONE, type, TTL 0, no RDATA.
        if (auto s = push(prerequisites.get(), empty_rr(fqdn, type, LDNS_RR_CLASS_NONE)); !s.ok()) {
          return s;
        }
      } else {
        // §2.4.2 "RRset exists (value dependent)": the whole set, zone class, TTL 0.
        for (const auto& value : change.expected_current->values) {
          if (auto s = push(prerequisites.get(), value_rr(fqdn, type, value, 0)); !s.ok()) {
            return s;
          }
        }
      }
    }
    // §2.5.2 "Delete an RRset": ANY, type, TTL 0, no RDATA; then §2.5.1 "Add to an RRset".
    if (auto s = push(updates.get(), empty_rr(fqdn, type, LDNS_RR_CLASS_ANY)); !s.ok()) return s;
    if (change.kind == Change::Kind::kUpsert) {
      for (const auto& value : change.desired.values) {
        if (auto s = push(updates.get(), value_rr(fqdn, type, value, change.desired.ttl));
            !s.ok()) {
          return s;
        }
      }
    }
  }

  ldns_rdf* zone_name = make_dname(zone_);
  if (zone_name == nullptr) {
    return make_error(core::ErrorKind::kInvalidConfig, "rfc2136: invalid zone '" + zone_ + "'");
  }
  detail::PacketPtr update(ldns_update_pkt_new(zone_name, LDNS_RR_CLASS_IN, prerequisites.get(),
                                               updates.get(), nullptr));
  if (!update) return make_error(core::ErrorKind::kTerminal, "rfc2136: cannot build the UPDATE");
  // ldns_update_pkt_new builds on a query and sets RD; in an UPDATE that bit is Z and must be 0.
  ldns_pkt_set_rd(update.get(), false);
  ldns_pkt_set_random_id(update.get());

  std::optional<detail::TsigKey> key;
  if (config_.tsig) {
    auto secret = load_secret(config_.tsig->secret, "TSIG key '" + config_.tsig->name + "'");
    if (!secret.ok()) return secret.error();
    key = detail::TsigKey{config_.tsig->name, config_.tsig->algorithm, std::move(*secret)};
  }
  detail::ExchangeOptions options;
  options.timeout = config_.timeout;
  options.force_tcp = settings_.force_tcp;
  options.fudge = settings_.fudge_seconds;
  auto result = detail::exchange(update.get(), config_.server, key, options);
  if (!result.ok()) {
    core::Error error = result.error();
    error.message = "rfc2136 update of " + zone_ + ": " + error.message;
    return error;
  }

  const ldns_pkt_rcode rcode = ldns_pkt_get_rcode(result->reply.get());
  const std::string where = "rfc2136 update of " + zone_ + " at " + config_.server.to_string();
  if (key) {
    const std::string key_name = "'" + key->name + "'";
    switch (result->tsig_error) {
      case 0:
        break;
      case 16:  // BADSIG (RFC 8945 §5.3.2)
        return make_error(core::ErrorKind::kTerminal,
                          where + ": TSIG BADSIG: the server rejected the signature of key " +
                              key_name + " — check tsig.secret");
      case 17:  // BADKEY
        return make_error(core::ErrorKind::kTerminal,
                          where + ": TSIG BADKEY: the server does not know key " + key_name +
                              " with algorithm " + detail::tsig_algorithm_name(key->algorithm) +
                              " — check tsig.name and tsig.algorithm");
      case 18:  // BADTIME (RFC 8945 §5.2.3)
        return make_error(core::ErrorKind::kTerminal,
                          where +
                              ": TSIG BADTIME: the server's clock and ours differ by more "
                              "than the " +
                              std::to_string(settings_.fudge_seconds) +
                              " s fudge — check the clocks (NTP)");
      default:
        return make_error(
            core::ErrorKind::kTerminal,
            where + ": TSIG error " + std::to_string(result->tsig_error) + " for key " + key_name);
    }
    if (result->tsig == detail::TsigOutcome::kBadSignature) {
      return make_error(core::ErrorKind::kTerminal,
                        where + ": the answer's TSIG signature does not verify with key " +
                            key_name + " (spoofed answer or mismatched key)");
    }
    if (result->tsig == detail::TsigOutcome::kUnsigned && rcode == LDNS_RCODE_NOERROR) {
      return make_error(core::ErrorKind::kTerminal,
                        where + ": unsigned answer to a signed update; not trusting it");
    }
  }
  switch (rcode) {
    case LDNS_RCODE_NOERROR:
      return {};
    case LDNS_RCODE_YXDOMAIN:
    case LDNS_RCODE_YXRRSET:
    case LDNS_RCODE_NXRRSET:
    case LDNS_RCODE_NXDOMAIN:
      return make_error(core::ErrorKind::kConflict,
                        where + ": prerequisite failed (" + rcode_name(rcode) +
                            "): the records changed since they were read; re-read and re-plan");
    case LDNS_RCODE_REFUSED:
      return make_error(core::ErrorKind::kTerminal,
                        where + ": update refused by policy (REFUSED)" +
                            (key ? " for key '" + key->name + "'" : std::string(" (unsigned)")));
    case LDNS_RCODE_SERVFAIL:
      return make_error(core::ErrorKind::kTransient, where + ": SERVFAIL");
    case LDNS_RCODE_NOTAUTH:
      return make_error(core::ErrorKind::kTerminal,
                        where + ": NOTAUTH: the server is not authoritative for the zone");
    case LDNS_RCODE_NOTZONE:
      return make_error(core::ErrorKind::kTerminal,
                        where + ": NOTZONE: a name is outside the zone");
    default:
      return make_error(core::ErrorKind::kTerminal, where + ": " + rcode_name(rcode));
  }
}

}  // namespace frankenetes::dns
