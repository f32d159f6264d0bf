#pragma once
// Streaming a blob of any size through bounded memory — what an etcd snapshot of several GiB
// needs. Built on BlobClient's single requests.
//
// upload_blob pulls the bytes from a reader callback one block at a time: a source that fits in
// one block goes up as a single Put Blob; anything larger as Put Block after Put Block (ids from
// blob_paths.h block_id) and one Put Block List at the end, so the blob appears whole or not at
// all (uncommitted blocks of a failed upload are discarded by the service after a week). The
// client holds one block at a time (the HttpClient makes one copy of it while sending).
//
// download_blob reads Get Blob Properties, then the bytes in ranged GETs of `chunk_size`, each
// with If-Match on the ETag it first saw, and hands each chunk to a writer callback in order. A
// blob replaced while it is being read is an Error (kConflict, "changed during download"), never a
// file stitched from two versions; every range is checked for offset, length and total size.
//
// Both are sequential (one request in flight): simple, and plenty for a snapshot every half
// hour. Not here yet: parallel blocks, transactional MD5/CRC64 per block, resuming a transfer.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "core/result.h"
#include "storage/blob_client.h"

namespace frankenetes::storage {

inline constexpr std::size_t kDefaultBlockSize = std::size_t{4} * 1024 * 1024;

// Fills `buffer` from its start with up to buffer.size() bytes and returns how many; 0 means the
// end of the data. It may return fewer bytes than asked before the end (it is called again).
using BlobReader = std::function<core::Result<std::size_t>(std::span<char> buffer)>;
// Takes the next chunk of the blob, in order; an Error stops the download and is returned.
using BlobWriter = std::function<core::Status(std::string_view chunk)>;

struct UploadOptions {
  PutOptions put;  // content type, metadata, lease and conditions of the finished blob
  std::size_t block_size = kDefaultBlockSize;  // 1 byte .. kMaxBlockBytes
  // Called once the reader has reached the end, before the request that makes the blob
  // visible (Put Blob, or Put Block List): metadata known only then (a checksum of the whole
  // stream, say), added to put.metadata. An Error aborts the upload: nothing is committed.
  std::function<core::Result<Metadata>()> metadata_at_end;
};

struct UploadResult {
  BlobWritten written;
  std::uint64_t size = 0;
  std::size_t blocks = 0;  // 0: one Put Blob
};

core::Result<UploadResult> upload_blob(BlobClient& blobs, const std::string& name,
                                       const BlobReader& reader, const UploadOptions& options = {});

struct DownloadOptions {
  // Bytes per ranged GET: at most the HttpClient's response body limit.
  std::size_t chunk_size = kDefaultBlockSize;
};

// The properties of the version that was read (size, ETag, metadata).
core::Result<BlobProperties> download_blob(BlobClient& blobs, const std::string& name,
                                           const BlobWriter& writer,
                                           const DownloadOptions& options = {});

}  // namespace frankenetes::storage
