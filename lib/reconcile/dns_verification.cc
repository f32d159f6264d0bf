#include "reconcile/dns_verification.h"

namespace frankenetes::reconcile {

DnsVerifyOutcome DnsVerification::verify(const config::DnsVerifyConfig& verify,
                                         const dns::DnsProvider& provider,
                                         const dns::Expectation& expectation) const {
  using Kind = DnsVerifyOutcome::Kind;
  dns::VerifyOptions options;
  options.servers = dns::choose_verify_servers(verify, provider.authoritative_servers());
  if (options.servers.empty()) return {Kind::kNoServers, {}};
  options.timeout = verify.timeout;
  options.interval = verify.interval;
  options.stop = stop_;
  auto result = verifier_.verify(expectation, options);
  // A stop during the last round cut the polling short just the same.
  if (result.cancelled || (stop_.stop_requested() && !result.consistent)) {
    return {Kind::kCancelled, std::move(result)};
  }
  return {result.consistent ? Kind::kConsistent : Kind::kInconsistent, std::move(result)};
}

std::optional<dns::Expectation> expectation_after(const plan::DnsMemberChange& change) {
  if (change.new_record) {
    return dns::Expectation{change.fqdn, change.new_record->type, change.new_record->values};
  }
  if (change.old_record) return dns::Expectation{change.fqdn, change.old_record->type, {}};
  return std::nullopt;
}

}  // namespace frankenetes::reconcile
