#pragma once
// DnsSimulator: the one object the simulator core wires in for everything DNS. It owns the
// record store loaded from the scenario, the Azure DNS and Cloudflare APIs, provider faults,
// the DNS control routes and the authoritative DNS server.
//
// Wiring in the core (a few lines):
//   dns::DnsSimulator dns(std::move(scenario.dns), time);
//   // HTTPS listener handler, after ARM auth + throttling for /subscriptions/ paths:
//   if (dns.dispatch_api(request, respond)) return;          // or handle_api() when synchronous
//   // control listener handler:
//   if (auto r = dns.handle_control(request)) return respond(std::move(*r));
//   // startup (--dns-listen):
//   if (auto s = dns.start_dns_server(io, options.dns_listen); !s.ok()) …
//   endpoints["dns"] = dns.dns_address();
//
// Azure DNS paths (/subscriptions/…/providers/Microsoft.Network/dnsZones…) must reach
// handle_api already authenticated and ARM-throttled; Cloudflare paths (/client/v4/…) are
// authenticated and rate-limited here. Provider faults (/dns/faults) apply to both.
//
// Thread-safety: every public member may be called from any thread; one mutex serialises
// the store, the APIs and the DNS server's lookups. The intended use is the sim's io thread.

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/time_source.h"
#include "http/message.h"
#include "sim/dns/scenario.h"

namespace boost::asio {
class io_context;
}

namespace frankenetes::sim::dns {

class AzureDnsApi;
class CloudflareApi;
class DnsControlApi;
class DnsServer;
class FaultInjector;
class RecordStore;
struct DnsApiCounters;

struct DnsSimulatorOptions {
  std::string default_subscription_id;  // for Azure zones whose scenario entry has none
  std::string azure_base_url;  // nextLink base, e.g. "https://127.0.0.1:8443"; "" = from Host
  std::optional<std::uint64_t> seed;  // ids, etags and fault dice; random when unset
};

class DnsSimulator {
 public:
  DnsSimulator(DnsScenario scenario, core::TimeSource& time, DnsSimulatorOptions options = {});
  ~DnsSimulator();
  DnsSimulator(const DnsSimulator&) = delete;
  DnsSimulator& operator=(const DnsSimulator&) = delete;

  // True for Azure DNS and Cloudflare API paths.
  static bool is_api_path(const http::Request& request);

  struct ApiReply {
    http::Response response;
    std::chrono::milliseconds delay{0};  // injected latency to wait before sending
  };
  // Answers an API request, provider faults included; nullopt when not a DNS API path.
  std::optional<ApiReply> handle_api_reply(const http::Request& request);
  // The same, ignoring injected latency.
  std::optional<http::Response> handle_api(const http::Request& request);
  // Asynchronous form for HttpServer handlers: answers through `respond`, after the injected
  // latency when an io_context is known (start_dns_server or set_io_context); returns false,
  // without calling `respond`, when not a DNS API path.
  bool dispatch_api(const http::Request& request, const http::Responder& respond);

  // /dns/... control routes; nullopt for other paths.
  std::optional<http::Response> handle_control(const http::Request& request);

  // Serves every zone over UDP and TCP on `listen` ("127.0.0.1:15353"; port 0 = any).
  core::Status start_dns_server(boost::asio::io_context& io, const std::string& listen);
  void stop_dns_server();
  std::string dns_address() const;  // "127.0.0.1:15353", or "" before start
  void set_io_context(boost::asio::io_context& io);

  // For endpoints.json and tests: the zones and where to reach them.
  struct ZoneSummary {
    std::string name;
    std::string provider;  // "azureDns" | "cloudflare"
    std::string id;        // ARM id or Cloudflare zone id
  };
  std::vector<ZoneSummary> zones() const;

 private:
  http::Response fault_response(bool azure, int status, std::chrono::milliseconds retry_after);

  mutable std::mutex mutex_;
  core::TimeSource& time_;
  std::unique_ptr<RecordStore> store_;
  std::unique_ptr<FaultInjector> faults_;
  std::unique_ptr<DnsApiCounters> counters_;
  std::unique_ptr<AzureDnsApi> azure_;
  std::unique_ptr<CloudflareApi> cloudflare_;
  std::unique_ptr<DnsControlApi> control_;
  std::unique_ptr<DnsServer> server_;
  boost::asio::io_context* io_ = nullptr;
};

// Builds the store contents from a scenario (zones, record sets with fresh etags, records
// with fresh ids and `now` timestamps). Exposed for tests.
void load_scenario(RecordStore& store, const DnsScenario& scenario, core::SystemTime now);

}  // namespace frankenetes::sim::dns
