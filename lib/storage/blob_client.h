#pragma once
// BlobClient: the Blob Storage operations on one container, each one request over BlobService
// (blob_service.h): Create Container, Put Blob, Put Block, Put Block List, ranged Get Blob, Get
// Blob Properties, List Blobs, Delete Blob. Blocking; runs on worker threads.
//
// Streaming a blob of any size in bounded memory is blob_transfer.h's job (upload_blob,
// download_blob), built on these; leases are BlobLeaseClient's (blob_lease.h).
//
// Errors are values (storage_error.h): kNotFound for 404 (BlobNotFound, ContainerNotFound),
// kConflict for 409/412 (LeaseAlreadyPresent, LeaseIdMissing, ConditionNotMet, …), kTransient for
// 408/429/5xx and transport failures, kTerminal otherwise — with the HTTP status, the storage
// error code in `azure_code` and x-ms-request-id. Names and metadata are checked before anything
// is sent (blob_paths.h).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "storage/blob_service.h"
#include "storage/blob_types.h"

namespace frankenetes::storage {

// Operation labels (the metrics `operation` label; a bounded set).
inline constexpr std::string_view kOpCreateContainer = "blob.create_container";
inline constexpr std::string_view kOpPutBlob = "blob.put";
inline constexpr std::string_view kOpPutBlock = "blob.put_block";
inline constexpr std::string_view kOpPutBlockList = "blob.put_block_list";
inline constexpr std::string_view kOpGetBlob = "blob.get";
inline constexpr std::string_view kOpGetProperties = "blob.get_properties";
inline constexpr std::string_view kOpListBlobs = "blob.list";
inline constexpr std::string_view kOpDeleteBlob = "blob.delete";
inline constexpr std::string_view kOpLease = "blob.lease";

class BlobClient {
 public:
  BlobClient(BlobService& service, std::string container)
      : service_(service), container_(std::move(container)) {}

  const std::string& container() const { return container_; }
  BlobService& service() { return service_; }

  // Creates the container (no public access). true when created, false when it existed.
  core::Result<bool> create_container();

  // Put Blob: the whole blob in one request (for small blobs; upload_blob picks).
  core::Result<BlobWritten> put_blob(const std::string& name, std::string body,
                                     const PutOptions& options = {});
  // Put Block: one uncommitted block (block_id from blob_paths.h), at most kMaxBlockBytes.
  core::Status put_block(const std::string& name, const std::string& block_id, std::string body,
                         const std::optional<std::string>& lease_id = std::nullopt);
  // Put Block List: commits the uncommitted blocks `block_ids`, in order, as the blob.
  core::Result<BlobWritten> put_block_list(const std::string& name,
                                           const std::vector<std::string>& block_ids,
                                           const PutOptions& options = {});

  // Get Blob of bytes [offset, offset + length) (x-ms-range), clipped at the blob's end; with
  // `if_match` only from that version (412 ConditionNotMet, kConflict, once it changed). The
  // answer is checked: 206, a Content-Range for exactly the bytes asked, a body of that size.
  core::Result<BlobRange> get_range(const std::string& name, std::uint64_t offset,
                                    std::uint64_t length,
                                    const std::optional<std::string>& if_match = std::nullopt);

  // Get Blob Properties (HEAD): size, ETag, Last-Modified, content type, metadata, lease.
  core::Result<BlobProperties> get_properties(const std::string& name);

  // One page of List Blobs.
  core::Result<BlobListPage> list_blobs(const ListBlobsOptions& options = {});
  // Every page, following NextMarker; more than `max_pages` pages, or a marker that repeats,
  // is an Error rather than an endless loop.
  core::Result<std::vector<BlobProperties>> list_all_blobs(ListBlobsOptions options,
                                                           std::size_t max_pages = 1000);

  // Delete Blob (with its snapshots, if any). A missing blob is kNotFound.
  core::Status delete_blob(const std::string& name, const WriteConditions& conditions = {});

 private:
  core::Result<http::Response> send(BlobRequest request);

  BlobService& service_;
  const std::string container_;
};

}  // namespace frankenetes::storage
