#include "storage/blob_transfer.h"

#include <algorithm>
#include <vector>

#include "storage/blob_paths.h"

namespace frankenetes::storage {
namespace {

core::Error with_context(core::Error error, std::string_view context) {
  error.message = std::string(context) + ": " + error.message;
  return error;
}

// Reads into `block` (sized to the block size) until it is full or the reader is done; leaves
// `block` holding exactly the bytes read and sets `done` at the end of the data.
core::Status fill(const BlobReader& reader, std::string& block, bool& done) {
  const std::size_t capacity = block.size();
  std::size_t used = 0;
  while (used < capacity) {
    auto n = reader(std::span<char>(block.data() + used, capacity - used));
    if (!n.ok()) return with_context(n.error(), "upload: reading the data");
    if (*n > capacity - used) {
      return core::make_error(core::ErrorKind::kTerminal,
                              "upload: the reader returned more bytes than the buffer holds");
    }
    if (*n == 0) {
      done = true;
      break;
    }
    used += *n;
  }
  block.resize(used);
  return {};
}

}  // namespace

core::Result<UploadResult> upload_blob(BlobClient& blobs, const std::string& name,
                                       const BlobReader& reader, const UploadOptions& options) {
  if (options.block_size == 0 || options.block_size > kMaxBlockBytes) {
    return core::make_error(core::ErrorKind::kTerminal,
                            "upload: block size must be 1 byte to 4000 MiB");
  }
  if (auto ok = check_blob_name(name); !ok.ok()) return ok.error();
  UploadResult out;
  bool done = false;
  std::string block(options.block_size, '\0');
  // The finished blob's properties: options.put plus what metadata_at_end adds.
  auto final_put = [&options]() -> core::Result<PutOptions> {
    PutOptions put = options.put;
    if (!options.metadata_at_end) return put;
    auto more = options.metadata_at_end();
    if (!more.ok()) return more.error();
    for (auto& [key, value] : *more) put.metadata[key] = std::move(value);
    return put;
  };
  if (auto ok = fill(reader, block, done); !ok.ok()) return ok.error();
  if (done) {
    // It all fits in one request: one Put Blob, no block list.
    out.size = block.size();
    auto put = final_put();
    if (!put.ok()) return put.error();
    auto written = blobs.put_blob(name, std::move(block), *put);
    if (!written.ok()) return written.error();
    out.written = std::move(*written);
    return out;
  }
  std::vector<std::string> ids;
  while (!block.empty()) {
    if (ids.size() == kMaxBlocksPerBlob) {
      return core::make_error(core::ErrorKind::kTerminal, "upload: more than " +
                                                              std::to_string(kMaxBlocksPerBlob) +
                                                              " blocks; use a larger block size");
    }
    ids.push_back(block_id(ids.size()));
    out.size += block.size();
    auto ok = blobs.put_block(name, ids.back(), std::move(block), options.put.conditions.lease_id);
    if (!ok.ok()) return with_context(ok.error(), "upload: block " + std::to_string(ids.size()));
    if (done) break;
    block.assign(options.block_size, '\0');
    if (auto filled = fill(reader, block, done); !filled.ok()) return filled.error();
  }
  auto put = final_put();
  if (!put.ok()) return put.error();
  auto written = blobs.put_block_list(name, ids, *put);
  if (!written.ok()) return written.error();
  out.written = std::move(*written);
  out.blocks = ids.size();
  return out;
}

core::Result<BlobProperties> download_blob(BlobClient& blobs, const std::string& name,
                                           const BlobWriter& writer,
                                           const DownloadOptions& options) {
  if (options.chunk_size == 0) {
    return core::make_error(core::ErrorKind::kTerminal, "download: chunk size must not be 0");
  }
  auto properties = blobs.get_properties(name);
  if (!properties.ok()) return properties.error();
  const std::string& etag = properties->etag;
  std::uint64_t offset = 0;
  while (offset < properties->content_length) {
    const auto length =
        std::min<std::uint64_t>(options.chunk_size, properties->content_length - offset);
    auto range = blobs.get_range(name, offset, length, etag);
    if (!range.ok()) {
      auto error = range.error();
      if (error.http_status == 412) {
        error.message =
            "download: \"" + name + "\" changed during download (" + error.message + ")";
      }
      return error;
    }
    // If-Match already guards this; a service that ignored it must not get past us either.
    if (range->etag != etag || range->total_length != properties->content_length) {
      return core::make_error(core::ErrorKind::kConflict,
                              "download: \"" + name + "\" changed during download (ETag " + etag +
                                  " became " + range->etag + ")");
    }
    if (range->body.size() != length) {
      return core::make_error(core::ErrorKind::kTerminal,
                              "download: short range at offset " + std::to_string(offset));
    }
    if (auto ok = writer(range->body); !ok.ok()) {
      return with_context(ok.error(), "download: writing the data");
    }
    offset += length;
  }
  return properties;
}

}  // namespace frankenetes::storage
