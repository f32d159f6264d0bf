#pragma once
// CloudflareProvider: DnsProvider over the Cloudflare v4 DNS records API
// (api.cloudflare.com/client/v4, "DNS Records for a Zone"). The API token comes from the config's
// SecretSource on every call (a token file is re-read, so rotation needs no reload). The zone is
// the configured id, or is looked up once by name (GET /zones?name=) and cached.
//
// Cloudflare keeps one record per value, so a RecordSet is the records of one type at one
// name; RecordSet::version is their ids, comma-separated in value order. apply() is in order,
// stopping at the first failure. For each change it re-reads the records and compares them
// with expected_current (values, and ids when a version is given): a difference is kConflict
// and nothing is written. A replace updates existing records in place (PUT by id) before it
// creates or deletes any, so a single-value A record never disappears. proxied is always false.
//
// Errors: the v4 envelope's first error code goes into Error::azure_code (the field doubles as
// "provider code") and its message into the message; `success:false` on a 2xx is kTerminal.
// Answers are read field by field (core/json_fields.h): a record whose id, type, name, content
// or ttl is absent or of the wrong type (`"ttl": "60"`), an envelope without a boolean
// `success`, or a page without a usable `result_info.total_pages` (unless it is evidently the
// last) is a kTerminal error naming the field, the provider and the HTTP status; nothing is
// guessed. A record without `proxied` counts as "unknown", so an update re-sends proxied:false.
// 429 and 5xx are kTransient. After a 429 the provider itself sends nothing until retry-after
// (default 60 s, at most http::kMaxRetryAfter = 5 min) has passed and answers kTransient
// "throttled: retry after Ns" at once, so a 429 storm cannot push the token further past its 1200
// requests / 5 min. Retries with back-off belong to the caller or to a RetryingTransport
// underneath. The token never enters an Error.

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "config/types.h"
#include "core/time_source.h"
#include "dns/provider.h"
#include "http/transport.h"

namespace frankenetes::dns {

struct CloudflareSettings {
  std::string user_agent = "frankenetesd";
  core::Duration request_timeout{std::chrono::seconds(30)};
  core::Duration throttle_without_retry_after{std::chrono::seconds(60)};
  int per_page = 100;
  int max_pages = 20;  // a name with more records than per_page * max_pages is an error
};

class CloudflareProvider final : public DnsProvider {
 public:
  CloudflareProvider(std::string name, config::CloudflareProviderConfig config,
                     http::HttpTransport& transport, core::TimeSource& time,
                     CloudflareSettings settings = {});

  std::string name() const override { return name_; }
  // The configured zone name, or the one learnt from the API; "" before the first call when
  // only a zone id is configured.
  std::string zone() const override;
  core::Result<std::vector<RecordSet>> read(const std::string& fqdn) override;
  core::Status apply(const std::vector<Change>& changes) override;
  std::vector<std::string> authoritative_servers() const override { return {}; }

 private:
  // One Cloudflare record as we use it.
  struct Record {
    std::string id;
    RecordType type = RecordType::kA;
    std::string content;
    uint32_t ttl = 1;
    std::optional<bool> proxied;  // nullopt: the answer did not say
  };
  // A 2xx answer whose envelope said success:true; the body is read again by the caller.
  struct Reply {
    int status = 0;
    std::string body;
    std::string ray;  // cf-ray, for support
  };

  core::Status resolve_zone();
  core::Result<std::vector<Record>> list(const std::string& fqdn, std::optional<RecordType> type);
  core::Status upsert(const Change& change);
  core::Status remove(const Change& change);
  // Sends and checks the v4 envelope (status, `success`, `errors`, 429 throttling).
  core::Result<Reply> call(const std::string& method, const std::string& path,
                           const std::string& body, const char* operation);
  // A kTerminal error for a successful answer we cannot read.
  core::Error malformed(const Reply& reply, const char* operation, const std::string& detail) const;

  std::string name_;
  config::CloudflareProviderConfig config_;
  http::HttpTransport& transport_;
  core::TimeSource& time_;
  CloudflareSettings settings_;

  mutable std::mutex mutex_;  // guards the cached zone and the throttle deadline
  std::string zone_id_;
  std::string zone_name_;
  std::optional<core::MonotonicTime> throttled_until_;
};

}  // namespace frankenetes::dns
