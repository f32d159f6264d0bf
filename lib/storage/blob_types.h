#pragma once
// Value types of the Blob Storage client (blob_client.h, blob_lease.h, blob_transfer.h): what a
// blob looks like from outside, what a List Blobs page holds, and the options of the operations.
// Plain structs; no I/O.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time_source.h"

namespace frankenetes::storage {

// User metadata (x-ms-meta-<name>: <value>). Names are lower-cased on the way out and on the
// way back (HTTP header names have no case; Azure keeps the case it was given, proxies may not),
// so callers write and compare lowercase names. A name is a C# identifier: [a-z_][a-z0-9_]*.
using Metadata = std::map<std::string, std::string>;

// Lease state as Blob Storage reports it (x-ms-lease-state / <LeaseState>).
enum class LeaseState { kUnknown, kAvailable, kLeased, kExpired, kBreaking, kBroken };
const char* to_string(LeaseState state);
LeaseState parse_lease_state(std::string_view text);  // kUnknown for anything else

// What Get Blob Properties (and each List Blobs entry) says about one blob. Fields the service
// did not send are empty / nullopt, never a made-up default.
struct BlobProperties {
  std::string name;
  std::uint64_t content_length = 0;
  std::string etag;  // as sent, with its quotes: "\"0x8DC…\""
  std::optional<core::SystemTime> last_modified;
  std::string content_type;
  Metadata metadata;
  LeaseState lease_state = LeaseState::kUnknown;
  std::string lease_duration;  // "infinite" | "fixed" | "" (not leased)

  bool operator==(const BlobProperties&) const = default;
};

// One page of List Blobs. `next_marker` is set when there is more: pass it as
// ListBlobsOptions::marker for the next page.
struct BlobListPage {
  std::vector<BlobProperties> blobs;
  std::optional<std::string> next_marker;
};

struct ListBlobsOptions {
  std::string prefix;                 // only names that start with it ("" = all)
  std::optional<std::string> marker;  // from the previous page
  int max_results = 1000;             // 1..5000, the service's page size limit
  bool include_metadata = false;
};

// Conditions and lease for the requests that write or delete a blob.
struct WriteConditions {
  std::optional<std::string> lease_id;  // required while the blob is leased
  std::optional<std::string> if_match;  // an ETag: write only over that version
  bool if_none_exists = false;          // If-None-Match: * — never overwrite
};

// Put Blob / Put Block List: what the new blob is.
struct PutOptions {
  std::string content_type = "application/octet-stream";
  Metadata metadata;
  WriteConditions conditions;
};

// The result of a write: the new version's ETag.
struct BlobWritten {
  std::string etag;
  std::optional<core::SystemTime> last_modified;
};

// One ranged Get Blob (x-ms-range).
struct BlobRange {
  std::string body;
  std::string etag;
  std::uint64_t total_length = 0;  // the whole blob's size, from Content-Range
};

}  // namespace frankenetes::storage
