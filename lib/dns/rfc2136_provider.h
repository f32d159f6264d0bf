#pragma once
// Rfc2136Provider: DnsProvider over RFC 2136 dynamic UPDATE, signed with TSIG (RFC 8945,
// hmac-sha256 or hmac-sha512), built and verified with ldns.
//
// read() queries the configured server for A, TXT and CNAME at the name (query_record_set).
// apply() sends ONE UPDATE message for the whole change set, so the server applies all of it
// or none (RFC 2136 §3.4): the zone section names the zone (SOA), each change's
// expected_current becomes a prerequisite — "RRset exists (value dependent)" with exactly the
// expected RRs, or "RRset does not exist" when it must be absent — and the update section
// deletes the RRset and adds the desired RRs. UDP, TCP when the message is over 512 octets or
// the answer is truncated, all within the configured timeout. The answer's TSIG is verified.
//
// Outcomes: NOERROR -> ok; YXDOMAIN/YXRRSET/NXRRSET/NXDOMAIN (a prerequisite failed) ->
// kConflict; NOTAUTH with TSIG BADSIG/BADKEY/BADTIME -> kTerminal naming which and what to
// check; REFUSED -> kTerminal "update refused by policy"; SERVFAIL and timeouts -> kTransient;
// an answer whose signature does not verify -> kTerminal. The key secret is read from its
// SecretSource on every apply(), so a corrected secret file is picked up without a reload.
//
// Caveat: a TXT prerequisite compares wire RDATA, so a TXT written by another tool with a
// different split into character-strings than ours (255-octet chunks) reads as a conflict.

#include <string>
#include <vector>

#include "config/types.h"
#include "dns/provider.h"

namespace frankenetes::dns {

struct Rfc2136Settings {
  uint16_t fudge_seconds = 300;  // RFC 8945 §10 recommends 300
  bool force_tcp = false;        // tests; production lets size and TC decide
};

class Rfc2136Provider final : public DnsProvider {
 public:
  Rfc2136Provider(std::string name, config::Rfc2136ProviderConfig config,
                  Rfc2136Settings settings = {});

  std::string name() const override { return name_; }
  std::string zone() const override { return zone_; }
  core::Result<std::vector<RecordSet>> read(const std::string& fqdn) override;
  core::Status apply(const std::vector<Change>& changes) override;
  std::vector<std::string> authoritative_servers() const override {
    return {config_.server.to_string()};
  }

 private:
  std::string name_;
  config::Rfc2136ProviderConfig config_;
  std::string zone_;
  Rfc2136Settings settings_;
};

}  // namespace frankenetes::dns
