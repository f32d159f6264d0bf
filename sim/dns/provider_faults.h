#pragma once
// ProviderFaults and FaultInjector: what can go wrong with a DNS provider's API in the
// simulator, and the per-request decision of whether it goes wrong now. Set through the
// control API (/dns/faults), consulted by DnsSimulator before AzureDnsApi or CloudflareApi
// see a request. Pure: the caller passes `now`; randomness comes from a seeded generator.
//
// Precedence for one request: outage window, then 429 storm, then fail-next-N, then the
// random error rate. Latency applies to every request, failed or not.

#include <cstdint>
#include <optional>
#include <random>

#include "core/time_source.h"
#include "sim/dns/record_store.h"

namespace frankenetes::sim::dns {

struct ProviderFaults {
  // The provider answers `outage_status` to everything in [outage_start, outage_end).
  std::optional<core::MonotonicTime> outage_start;
  std::optional<core::MonotonicTime> outage_end;
  int outage_status = 503;
  // Every request until `throttle_until` gets 429 with Retry-After = time left (or the fixed
  // `throttle_retry_after` when set).
  std::optional<core::MonotonicTime> throttle_until;
  std::optional<core::Duration> throttle_retry_after;
  // The next `fail_next` requests fail with `error_status`; then each fails with
  // probability `error_rate`.
  std::uint32_t fail_next = 0;
  double error_rate = 0.0;
  int error_status = 500;
  // Added before the response is sent.
  core::Duration latency{0};
};

struct FaultDecision {
  std::optional<int> fail_status;  // set when the request must fail
  core::Duration retry_after{0};   // for 429
  core::Duration latency{0};
  const char* reason = "";         // "outage" | "throttle" | "failNext" | "errorRate"
};

class FaultInjector {
 public:
  explicit FaultInjector(std::uint64_t seed = std::random_device{}());

  void set(Provider provider, ProviderFaults faults);
  void clear(Provider provider) { set(provider, ProviderFaults{}); }
  const ProviderFaults& get(Provider provider) const;

  // Decides the fate of one request (and consumes one fail_next).
  FaultDecision decide(Provider provider, core::MonotonicTime now);

 private:
  ProviderFaults azure_;
  ProviderFaults cloudflare_;
  std::mt19937_64 rng_;
};

}  // namespace frankenetes::sim::dns
