#pragma once
// DnsVerification: after a change was applied, asks the servers that answer for the zone
// whether resolvers now see it (dns::DnsVerifier against dns.verify.nameservers, else the
// provider's authoritative servers). Used by the DnsSynchronizer after ProviderDnsExecutor
// applied a change, and again on later passes for a name whose verification failed. It
// neither logs nor counts (DnsReporter does) and never re-applies anything.
//
// A stop of the daemon cancels a verification in progress before its next round (the stop
// token; the daemon's StopSignal is the sleeper, so the wait between rounds wakes at once): a
// cancelled verification is neither a success nor a failure.

#include <optional>
#include <stop_token>

#include "config/types.h"
#include "core/sleeper.h"
#include "core/time_source.h"
#include "dns/provider.h"
#include "dns/verifier.h"
#include "plan/dns_plan.h"

namespace frankenetes::reconcile {

struct DnsVerifyOutcome {
  enum class Kind {
    kConsistent,    // every server answers as expected
    kInconsistent,  // some server did not by dns.verify.timeout: `result` says which
    kNoServers,     // nobody to ask: the provider's acknowledgement is all there is
    kCancelled,     // the daemon is stopping
  };
  Kind kind = Kind::kCancelled;
  dns::VerificationResult result;
};

class DnsVerification {
 public:
  DnsVerification(dns::RecordQuerier& querier, const core::TimeSource& time, core::Sleeper& sleeper,
                  std::stop_token stop)
      : verifier_(querier, time, sleeper), stop_(std::move(stop)) {}

  // Blocks for at most verify.timeout (plus one query's deadline).
  DnsVerifyOutcome verify(const config::DnsVerifyConfig& verify, const dns::DnsProvider& provider,
                          const dns::Expectation& expectation) const;

 private:
  dns::DnsVerifier verifier_;
  std::stop_token stop_;
};

// What the servers must answer after `change`: its new A/CNAME set, or no set of the old type
// after a delete. nullopt for a change of the ownership TXT alone: nothing a resolver of the
// name would see.
std::optional<dns::Expectation> expectation_after(const plan::DnsMemberChange& change);

}  // namespace frankenetes::reconcile
