#include "sim/dns/provider_faults.h"

namespace frankenetes::sim::dns {

FaultInjector::FaultInjector(std::uint64_t seed) : rng_(seed) {}

void FaultInjector::set(Provider provider, ProviderFaults faults) {
  (provider == Provider::kAzureDns ? azure_ : cloudflare_) = std::move(faults);
}

const ProviderFaults& FaultInjector::get(Provider provider) const {
  return provider == Provider::kAzureDns ? azure_ : cloudflare_;
}

FaultDecision FaultInjector::decide(Provider provider, core::MonotonicTime now) {
  ProviderFaults& f = provider == Provider::kAzureDns ? azure_ : cloudflare_;
  FaultDecision decision;
  decision.latency = f.latency;
  const bool in_outage = f.outage_start && f.outage_end && *f.outage_start <= now &&
                         now < *f.outage_end;
  if (in_outage) {
    decision.fail_status = f.outage_status;
    decision.reason = "outage";
    if (f.outage_status == 429 || f.outage_status == 503) {
      decision.retry_after = std::chrono::duration_cast<core::Duration>(*f.outage_end - now);
    }
    return decision;
  }
  if (f.throttle_until && now < *f.throttle_until) {
    decision.fail_status = 429;
    decision.reason = "throttle";
    decision.retry_after = f.throttle_retry_after
                               ? *f.throttle_retry_after
                               : std::chrono::duration_cast<core::Duration>(*f.throttle_until - now);
    return decision;
  }
  if (f.fail_next > 0) {
    --f.fail_next;
    decision.fail_status = f.error_status;
    decision.reason = "failNext";
    return decision;
  }
  if (f.error_rate > 0.0 && std::uniform_real_distribution<double>(0.0, 1.0)(rng_) < f.error_rate) {
    decision.fail_status = f.error_status;
    decision.reason = "errorRate";
  }
  return decision;
}

}  // namespace frankenetes::sim::dns
