#pragma once
// BlobService: the request layer of the Blob Storage client — one storage account endpoint, one
// way to authorize, one transport. Every request carries x-ms-version (kStorageVersion, pinned),
// x-ms-date from the TimeSource, a fresh x-ms-client-request-id (to find it in the account's
// logs), User-Agent: frankenetesd/<version> and an operation label ("blob.put_block", …) for the
// request metrics; the BlobAuthorizer signs it last.
//
// Like AciClient it does not retry, throttle or count: compose the transport for that —
//   BlobService -> [ReauthorizingTransport for Entra] -> StopAwareTransport
//               -> RetryingTransport -> ObservingTransport -> HttpClient
// RetryingTransport retries the idempotent methods Blob Storage uses (GET, HEAD, PUT, DELETE) on
// 408/429/5xx and transport errors and obeys Retry-After; a retried request is the same signed
// request (its x-ms-date stays well within the service's 15-minute window). The HttpClient's
// response body limit must allow the download chunk size (blob_transfer.h).
//
// It interprets no status: BlobClient and BlobLeaseClient do.

#include <chrono>
#include <string>
#include <string_view>

#include "azure/client_request_id.h"
#include "core/result.h"
#include "core/time_source.h"
#include "http/transport.h"
#include "storage/blob_auth.h"
#include "storage/blob_paths.h"

namespace frankenetes::storage {

// The REST API version every request asks for. Documents all features used (Put Block List,
// ranged Get Blob with If-Match, List Blobs with metadata, Lease Blob with change/break) and
// bearer tokens (2017-11-09 and later); Azurite 3.35 accepts it without --skipApiVersionCheck.
inline constexpr std::string_view kStorageVersion = "2024-11-04";

struct BlobServiceSettings {
  std::string account;
  // The blob endpoint without a trailing slash (config::StorageConfig::endpoint).
  std::string endpoint;
  std::string version = "0.0.0";  // User-Agent: frankenetesd/<version>
  std::string user_agent{};       // when set, the User-Agent instead (the replica's, issue 13)
  // Deadline of one exchange; a block of 4 MiB must fit through the slowest link in it.
  core::Duration request_timeout{std::chrono::seconds(60)};
};

// One request before the service's headers and the signature are added.
// Every member has a default member initializer, so designated initializers may name only
// what they set.
struct BlobRequest {
  std::string method{};
  std::string container{};
  std::string blob{};  // "" for a request on the container
  QueryParams query{};
  http::Headers headers{};
  std::string body{};
  std::string_view operation{};
};

class BlobService {
 public:
  BlobService(http::HttpTransport& transport, BlobAuthorizer& authorizer, core::TimeSource& time,
              BlobServiceSettings settings,
              azure::ClientRequestIdGenerator request_ids = azure::ClientRequestIdGenerator());

  // The response, whatever its status; an Error (prefixed with the operation) when none came
  // or the request could not be authorized.
  core::Result<http::Response> send(BlobRequest request);

  const BlobServiceSettings& settings() const { return settings_; }
  // A fresh GUID (proposed lease ids).
  std::string new_guid() { return request_ids_.next(); }

 private:
  http::HttpTransport& transport_;
  BlobAuthorizer& authorizer_;
  core::TimeSource& time_;
  const BlobServiceSettings settings_;
  azure::ClientRequestIdGenerator request_ids_;
};

}  // namespace frankenetes::storage
