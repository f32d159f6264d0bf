#pragma once
// DnsScenario: the `dns:` part of a frankenetes-sim scenario file, parsed once into typed
// structs (unknown keys are errors, every problem is reported with
// file:line:col and its key path, all defaults live in the structs below).
//
//   dns:
//     server:
//       listen: 127.0.0.1:8453          # authoritative DNS server (UDP+TCP); --dns-listen wins
//     azureDns:
//       pageSize: 100                   # list page size when the client sends no $top
//       zones:
//         - subscriptionId: "…"         # optional: defaults to the scenario's subscription
//           resourceGroup: dns
//           name: example.com
//           recordSets:
//             - { name: cp-etcd, type: A, ttl: 60, records: [127.0.0.5], metadata: {k: v} }
//             - { name: "@", type: TXT, records: ["one string", [chunk1, chunk2]] }
//             - { name: www, type: CNAME, records: [cp-etcd.example.com] }
//     cloudflare:
//       rateLimit: { requests: 1200, window: 5m }   # per API token, sliding window
//       perPage: 100                                 # default page size of list calls
//       accounts:
//         - name: demo                  # optional
//           id: "…"                     # optional: derived from the name
//           apiToken: "…"               # exactly one of apiToken / apiTokenFile (relative to
//           apiTokenFile: cf-token       #   the scenario file's directory)
//           zones:
//             - name: example.org
//               id: "…"                 # optional: derived from the zone name (stable)
//               records:
//                 - { name: cp-etcd, type: A, content: 127.0.0.5, ttl: 60, proxied: false,
//                     comment: "…", tags: [a, b] }
//
// Record names are relative to the zone ("@" for the apex) or the full name. Zone names
// must be unique across both providers, because one DNS server answers for all of them.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/secret.h"
#include "core/time_source.h"
#include "sim/dns/record_store.h"

namespace YAML {
class Node;
}

namespace frankenetes::sim::dns {

struct AzureDnsZoneSpec {
  std::string subscription_id;
  std::string resource_group;
  std::string name;
  std::vector<AzureRecordSet> record_sets;  // etags are assigned when loaded into a store
};

struct CloudflareZoneSpec {
  std::string id;
  std::string name;
  std::vector<CloudflareRecord> records;  // ids and timestamps are assigned when loaded
};

struct CloudflareAccountSpec {
  std::string id;
  std::string name;
  core::Secret api_token;
  std::vector<CloudflareZoneSpec> zones;
};

struct DnsScenario {
  // Where the authoritative DNS server listens ("host:port"); "" = no server unless the
  // command line asks for one.
  std::string server_listen;

  std::size_t azure_page_size = 100;
  std::vector<AzureDnsZoneSpec> azure_zones;

  std::uint32_t cloudflare_requests_per_window = 1200;
  core::Duration cloudflare_window = std::chrono::minutes(5);
  std::size_t cloudflare_per_page = 100;
  std::vector<CloudflareAccountSpec> cloudflare_accounts;
};

// Parses the node under the scenario's top-level `dns:` key. `file` names the scenario in
// error messages and anchors relative apiTokenFile paths. `default_subscription_id` fills
// zones without subscriptionId (when empty, they keep "" until DnsSimulatorOptions::
// default_subscription_id fills them). A null or absent node yields an empty scenario. All
// problems are reported, one per line, in one Error of kind kInvalidConfig.
core::Result<DnsScenario> parse_dns_scenario(const YAML::Node& dns_node, const std::string& file,
                                             const std::string& default_subscription_id = {});

// Adapter for the sim core's plug-in hook (sim::ScenarioParseOptions::sections["dns"]):
// parses the section into *out (when non-null and valid) and returns the problems, one
// "file:line:col: key: message" per entry.
using ScenarioSectionParser =
    std::function<std::vector<std::string>(const YAML::Node& node, const std::string& file)>;
ScenarioSectionParser dns_section_parser(DnsScenario* out);

}  // namespace frankenetes::sim::dns
