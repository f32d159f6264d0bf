#pragma once
// AzureDnsApi: the Azure DNS record-set REST API (Microsoft.Network/dnsZones, api-version
// 2018-05-01) over the shared RecordStore. Requests arrive already authenticated and
// ARM-throttled by the simulator core; this class decides responses only (no I/O, no faults;
// DnsSimulator applies provider faults before calling it).
//
// Routes (prefix /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network):
//   GET    /dnsZones                                   list zones of the resource group
//   GET    /dnsZones/{zone}                            zone
//   GET    /dnsZones/{zone}/{A|TXT|CNAME}              list by type ($top, $skipToken,
//                                                       $recordsetnamesuffix; nextLink)
//   GET    /dnsZones/{zone}/recordsets|all             list every managed set, same paging
//   GET|PUT|PATCH|DELETE /dnsZones/{zone}/{type}/{relativeName}
// Conditional requests: If-Match (etag or *) and If-None-Match: * → 412 PreconditionFailed.
// Every response carries x-ms-request-id and x-ms-correlation-request-id (the client's, or a
// new one); the core may overwrite them.

#include <cstddef>
#include <string>

#include "http/message.h"
#include "sim/dns/record_store.h"

namespace frankenetes::sim::dns {

class AzureDnsApi {
 public:
  struct Options {
    std::size_t page_size = 100;   // list page size without $top
    std::string base_url;          // for nextLink; "" = "https://" + the request's Host
  };

  AzureDnsApi(RecordStore& store, Options options);

  // True when the path is under /subscriptions/*/resourceGroups/*/providers/
  // Microsoft.Network/dnsZones (ARM paths compare case-insensitively).
  static bool handles(const http::Request& request);
  http::Response handle(const http::Request& request);

 private:
  struct Target;
  http::Response dispatch(const http::Request& request, const Target& target);
  http::Response list_zones(const http::Request& request, const Target& target);
  http::Response list_record_sets(const http::Request& request, const Target& target);
  http::Response record_set(const http::Request& request, const Target& target);

  RecordStore& store_;
  Options options_;
};

}  // namespace frankenetes::sim::dns
