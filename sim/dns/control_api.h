#pragma once
// DnsControlApi: the DNS part of the simulator's fault and inspection API (JSON in, JSON out,
// mounted by the sim core on its --control listener). Tests and benchmarks use it to inject
// provider faults, to change records behind the daemon's back (so its 412 / re-read paths
// run) and to read what the providers saw.
//
//   GET    /dns/zones                         every zone with its records in provider format
//   GET    /dns/lookup?name=FQDN&type=A       what the DNS server answers, as JSON
//   GET    /dns/stats                         API requests per provider and status
//   GET    /dns/faults                        current faults of both providers
//   PUT    /dns/faults/{azureDns|cloudflare}  replace that provider's faults:
//            {"outage": {"start": "0s", "duration": "30s", "status": 503},
//             "throttle": {"duration": "60s", "retryAfter": "10s"},
//             "failNext": 2, "errorRate": 0.1, "errorStatus": 500, "latency": "250ms"}
//            (every key optional; durations as "500ms", "30s", "5m"; start is from now)
//   DELETE /dns/faults[/{provider}]           clear faults
//   POST   /dns/records                       change a record out of band:
//            {"name": "cp-etcd.example.com", "type": "A", "values": ["127.0.0.9"], "ttl": 60}
//            {"name": …, "type": …, "touch": true}   new etag / modified_on, same data
//            {"name": …, "type": …, "delete": true}
// Errors: 400/404 with {"error": "…"}.

#include <cstdint>
#include <map>
#include <optional>

#include "core/time_source.h"
#include "http/message.h"
#include "sim/dns/provider_faults.h"
#include "sim/dns/record_store.h"

namespace frankenetes::sim::dns {

// Requests that reached a provider API, by provider and HTTP status (injected faults
// included, flagged separately).
struct DnsApiCounters {
  std::map<Provider, std::map<int, std::uint64_t>> by_status;
  std::map<Provider, std::uint64_t> faults_injected;
};

class DnsControlApi {
 public:
  DnsControlApi(RecordStore& store, FaultInjector& faults, const DnsApiCounters& counters,
                const core::TimeSource& time);

  static bool handles(const http::Request& request);  // "/dns" or under "/dns/"
  http::Response handle(const http::Request& request);

 private:
  http::Response zones() const;
  http::Response lookup(const http::Request& request) const;
  http::Response stats() const;
  http::Response faults() const;
  http::Response set_faults(Provider provider, const std::string& body);
  http::Response change_records(const std::string& body);

  RecordStore& store_;
  FaultInjector& faults_;
  const DnsApiCounters& counters_;
  const core::TimeSource& time_;
};

}  // namespace frankenetes::sim::dns
