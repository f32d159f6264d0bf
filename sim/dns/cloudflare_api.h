#pragma once
// CloudflareApi: the Cloudflare v4 DNS API over the shared RecordStore. Unlike the Azure
// side, requests reach it straight from the simulator's HTTP listener, so it does its own
// bearer-token authentication and per-token rate limiting. No I/O; provider faults are
// applied by DnsSimulator before it is called.
//
// Routes (prefix /client/v4):
//   GET  /user/tokens/verify
//   GET  /zones                      ?name=&status=&page=&per_page=
//   GET  /zones/{zone_id}
//   GET  /zones/{zone_id}/dns_records ?type=&name=&name.exact|contains|startswith|endswith=
//                                      &content=&proxied=&match=all|any&order=&direction=
//                                      &page=&per_page=
//   POST /zones/{zone_id}/dns_records
//   GET|PUT|PATCH|DELETE /zones/{zone_id}/dns_records/{id}
// Authentication: `Authorization: Bearer <apiToken>`; a token sees only its account's zones.
// Missing header → 400 (9106), malformed → 400 (6003/6111), unknown token → 403 (9109),
// another account's or unknown zone → 403 (10000). Rate limit: per token, refused requests
// answer 429 with `retry-after` and code 971; every authenticated response carries the
// `Ratelimit` and `Ratelimit-Policy` headers. Unauthenticated requests are not counted.

#include <string>
#include <vector>

#include "core/secret.h"
#include "core/time_source.h"
#include "http/message.h"
#include "sim/dns/rate_limiter.h"
#include "sim/dns/record_store.h"

namespace frankenetes::sim::dns {

struct CloudflareToken {
  core::Secret token;
  std::string account_id;
  std::string token_id;  // reported by /user/tokens/verify
};

class CloudflareApi {
 public:
  struct Options {
    std::size_t default_per_page = 100;
    std::uint32_t requests_per_window = 1200;
    core::Duration window = std::chrono::minutes(5);
  };

  CloudflareApi(RecordStore& store, std::vector<CloudflareToken> tokens,
                const core::TimeSource& time, Options options);

  static bool handles(const http::Request& request);  // path under /client/v4/
  http::Response handle(const http::Request& request);

 private:
  struct Call;
  http::Response route(const http::Request& request, Call& call);
  http::Response list_zones(const http::Request& request, const Call& call);
  http::Response list_records(const http::Request& request, const Zone& zone);
  http::Response create_record(const http::Request& request, Zone& zone);
  http::Response record(const http::Request& request, Zone& zone, const std::string& id);
  // 81053/81054/81058 checks for `candidate` (which replaces `replacing_id` if non-empty).
  std::optional<http::Response> conflicts(const Zone& zone, const CloudflareRecord& candidate,
                                          const std::string& replacing_id) const;

  RecordStore& store_;
  std::vector<CloudflareToken> tokens_;
  const core::TimeSource& time_;
  Options options_;
  RequestRateLimiter limiter_;
};

// Response helper shared with the fault injector: an error in the v4 envelope.
http::Response cloudflare_error_response(int status, int code, const std::string& message);

}  // namespace frankenetes::sim::dns
