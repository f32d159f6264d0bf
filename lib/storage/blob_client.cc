#include "storage/blob_client.h"

#include <set>

#include "azure/arm_error.h"
#include "core/strings.h"
#include "core/timestamps.h"
#include "storage/blob_paths.h"
#include "storage/blob_xml.h"
#include "storage/storage_error.h"

namespace frankenetes::storage {
namespace {

const std::string* header(const http::Headers& headers, std::string_view name) {
  const auto it = headers.find(name);
  return it == headers.end() ? nullptr : &it->second;
}

void add_metadata(http::Headers& headers, const Metadata& metadata) {
  for (const auto& [name, value] : metadata) headers["x-ms-meta-" + name] = value;
}

void add_conditions(http::Headers& headers, const WriteConditions& conditions) {
  if (conditions.lease_id) headers["x-ms-lease-id"] = *conditions.lease_id;
  if (conditions.if_match) headers["If-Match"] = *conditions.if_match;
  if (conditions.if_none_exists) headers["If-None-Match"] = "*";
}

core::Status check_put(const std::string& name, const PutOptions& options) {
  if (auto ok = check_blob_name(name); !ok.ok()) return ok;
  return check_metadata(options.metadata);
}

core::Result<BlobWritten> written(const http::Response& response, std::string_view operation) {
  BlobWritten out;
  const std::string* etag = header(response.headers, "ETag");
  if (etag == nullptr || etag->empty()) {
    return azure::malformed_response_error(response, operation, "no ETag");
  }
  out.etag = *etag;
  if (const std::string* modified = header(response.headers, "Last-Modified")) {
    out.last_modified = core::parse_http_date(*modified);
  }
  return out;
}

// Get Blob Properties puts everything in headers (x-ms-meta-* for the metadata).
core::Result<BlobProperties> properties_from(const http::Response& response,
                                             const std::string& name) {
  BlobProperties out;
  out.name = name;
  const std::string* length = header(response.headers, "Content-Length");
  const auto size = length ? core::parse_uint64(*length) : std::nullopt;
  if (!size) {
    return azure::malformed_response_error(response, kOpGetProperties,
                                           "Content-Length missing or not a number");
  }
  out.content_length = *size;
  const std::string* etag = header(response.headers, "ETag");
  if (etag == nullptr || etag->empty()) {
    return azure::malformed_response_error(response, kOpGetProperties, "no ETag");
  }
  out.etag = *etag;
  if (const std::string* modified = header(response.headers, "Last-Modified")) {
    out.last_modified = core::parse_http_date(*modified);
    if (!out.last_modified) {
      return azure::malformed_response_error(response, kOpGetProperties,
                                             "Last-Modified is not an HTTP date");
    }
  }
  if (const std::string* type = header(response.headers, "Content-Type")) out.content_type = *type;
  if (const std::string* state = header(response.headers, "x-ms-lease-state")) {
    out.lease_state = parse_lease_state(*state);
  }
  if (const std::string* duration = header(response.headers, "x-ms-lease-duration")) {
    out.lease_duration = *duration;
  }
  constexpr std::string_view kMetaPrefix = "x-ms-meta-";
  for (const auto& [key, value] : response.headers) {
    const auto lower = core::to_lower(key);
    if (lower.starts_with(kMetaPrefix)) out.metadata[lower.substr(kMetaPrefix.size())] = value;
  }
  return out;
}

// "bytes <first>-<last>/<total>" (RFC 9110 §14.4).
struct ContentRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;
  std::uint64_t total = 0;
};
std::optional<ContentRange> parse_content_range(std::string_view text) {
  if (!text.starts_with("bytes ")) return std::nullopt;
  text.remove_prefix(6);
  const auto dash = text.find('-');
  const auto slash = text.find('/');
  if (dash == std::string_view::npos || slash == std::string_view::npos || slash < dash) {
    return std::nullopt;
  }
  const auto first = core::parse_uint64(text.substr(0, dash));
  const auto last = core::parse_uint64(text.substr(dash + 1, slash - dash - 1));
  const auto total = core::parse_uint64(text.substr(slash + 1));
  if (!first || !last || !total || *first > *last || *last >= *total) return std::nullopt;
  return ContentRange{*first, *last, *total};
}

}  // namespace

core::Result<http::Response> BlobClient::send(BlobRequest request) {
  request.container = container_;
  return service_.send(std::move(request));
}

core::Result<bool> BlobClient::create_container() {
  auto result =
      send({.method = "PUT", .query = {{"restype", "container"}}, .operation = kOpCreateContainer});
  if (!result.ok()) return result.error();
  if (result->status == 201) return true;
  auto error = storage_error(*result, kOpCreateContainer);
  if (error.azure_code == "ContainerAlreadyExists") return false;
  return error;
}

core::Result<BlobWritten> BlobClient::put_blob(const std::string& name, std::string body,
                                               const PutOptions& options) {
  if (auto ok = check_put(name, options); !ok.ok()) return ok.error();
  BlobRequest request{.method = "PUT", .blob = name, .operation = kOpPutBlob};
  request.headers["x-ms-blob-type"] = "BlockBlob";
  request.headers["Content-Type"] = options.content_type;
  add_metadata(request.headers, options.metadata);
  add_conditions(request.headers, options.conditions);
  request.body = std::move(body);
  auto result = send(std::move(request));
  if (!result.ok()) return result.error();
  if (result->status != 201) return storage_error(*result, kOpPutBlob);
  return written(*result, kOpPutBlob);
}

core::Status BlobClient::put_block(const std::string& name, const std::string& block_id,
                                   std::string body, const std::optional<std::string>& lease_id) {
  if (auto ok = check_blob_name(name); !ok.ok()) return ok;
  if (body.empty() || body.size() > kMaxBlockBytes) {
    return core::make_error(core::ErrorKind::kTerminal,
                            std::string(kOpPutBlock) + ": a block holds 1 byte to 4000 MiB, got " +
                                std::to_string(body.size()));
  }
  BlobRequest request{.method = "PUT",
                      .blob = name,
                      .query = {{"comp", "block"}, {"blockid", block_id}},
                      .operation = kOpPutBlock};
  if (lease_id) request.headers["x-ms-lease-id"] = *lease_id;
  request.body = std::move(body);
  auto result = send(std::move(request));
  if (!result.ok()) return result.error();
  if (result->status != 201) return storage_error(*result, kOpPutBlock);
  return {};
}

core::Result<BlobWritten> BlobClient::put_block_list(const std::string& name,
                                                     const std::vector<std::string>& block_ids,
                                                     const PutOptions& options) {
  if (auto ok = check_put(name, options); !ok.ok()) return ok.error();
  if (block_ids.size() > kMaxBlocksPerBlob) {
    return core::make_error(core::ErrorKind::kTerminal,
                            std::string(kOpPutBlockList) + ": more than " +
                                std::to_string(kMaxBlocksPerBlob) + " blocks");
  }
  BlobRequest request{.method = "PUT",
                      .blob = name,
                      .query = {{"comp", "blocklist"}},
                      .operation = kOpPutBlockList};
  // Content-Type describes this request's XML; the blob's own type goes in its own header.
  request.headers["Content-Type"] = "application/xml";
  request.headers["x-ms-blob-content-type"] = options.content_type;
  add_metadata(request.headers, options.metadata);
  add_conditions(request.headers, options.conditions);
  request.body = block_list_xml(block_ids);
  auto result = send(std::move(request));
  if (!result.ok()) return result.error();
  if (result->status != 201) return storage_error(*result, kOpPutBlockList);
  return written(*result, kOpPutBlockList);
}

core::Result<BlobRange> BlobClient::get_range(const std::string& name, std::uint64_t offset,
                                              std::uint64_t length,
                                              const std::optional<std::string>& if_match) {
  if (auto ok = check_blob_name(name); !ok.ok()) return ok.error();
  if (length == 0) {
    return core::make_error(core::ErrorKind::kTerminal,
                            std::string(kOpGetBlob) + ": empty range requested");
  }
  BlobRequest request{.method = "GET", .blob = name, .operation = kOpGetBlob};
  request.headers["x-ms-range"] =
      "bytes=" + std::to_string(offset) + "-" + std::to_string(offset + length - 1);
  if (if_match) request.headers["If-Match"] = *if_match;
  auto result = send(std::move(request));
  if (!result.ok()) return result.error();
  auto& response = *result;
  if (response.status != 206) return storage_error(response, kOpGetBlob);
  const std::string* range_header = header(response.headers, "Content-Range");
  const auto range = range_header ? parse_content_range(*range_header) : std::nullopt;
  if (!range)
    return azure::malformed_response_error(response, kOpGetBlob, "no valid Content-Range");
  const auto expected_last = std::min(offset + length, range->total) - 1;
  if (range->first != offset || range->last != expected_last) {
    return azure::malformed_response_error(
        response, kOpGetBlob, "Content-Range " + *range_header + " is not the range asked");
  }
  if (response.body.size() != range->last - range->first + 1) {
    return azure::malformed_response_error(
        response, kOpGetBlob,
        "body of " + std::to_string(response.body.size()) + " bytes for " + *range_header);
  }
  const std::string* etag = header(response.headers, "ETag");
  if (etag == nullptr || etag->empty()) {
    return azure::malformed_response_error(response, kOpGetBlob, "no ETag");
  }
  return BlobRange{std::move(response.body), *etag, range->total};
}

core::Result<BlobProperties> BlobClient::get_properties(const std::string& name) {
  if (auto ok = check_blob_name(name); !ok.ok()) return ok.error();
  auto result = send({.method = "HEAD", .blob = name, .operation = kOpGetProperties});
  if (!result.ok()) return result.error();
  if (result->status != 200) return storage_error(*result, kOpGetProperties);
  return properties_from(*result, name);
}

core::Result<BlobListPage> BlobClient::list_blobs(const ListBlobsOptions& options) {
  if (options.max_results < 1 || options.max_results > kMaxListResults) {
    return core::make_error(
        core::ErrorKind::kTerminal,
        std::string(kOpListBlobs) + ": max_results must be 1.." + std::to_string(kMaxListResults));
  }
  BlobRequest request{.method = "GET",
                      .query = {{"restype", "container"}, {"comp", "list"}},
                      .operation = kOpListBlobs};
  if (!options.prefix.empty()) request.query.emplace_back("prefix", options.prefix);
  if (options.marker) request.query.emplace_back("marker", *options.marker);
  request.query.emplace_back("maxresults", std::to_string(options.max_results));
  if (options.include_metadata) request.query.emplace_back("include", "metadata");
  auto result = send(std::move(request));
  if (!result.ok()) return result.error();
  if (result->status != 200) return storage_error(*result, kOpListBlobs);
  auto page = parse_blob_list(result->body);
  if (!page.ok())
    return azure::malformed_response_error(*result, kOpListBlobs, page.error().message);
  return page;
}

core::Result<std::vector<BlobProperties>> BlobClient::list_all_blobs(ListBlobsOptions options,
                                                                     std::size_t max_pages) {
  std::vector<BlobProperties> blobs;
  std::set<std::string> markers;
  for (std::size_t page = 0; page < max_pages; ++page) {
    auto result = list_blobs(options);
    if (!result.ok()) return result.error();
    for (auto& blob : result->blobs) blobs.push_back(std::move(blob));
    if (!result->next_marker) return blobs;
    if (!markers.insert(*result->next_marker).second) {
      return core::make_error(core::ErrorKind::kTerminal,
                              std::string(kOpListBlobs) + ": NextMarker repeats an earlier page");
    }
    options.marker = result->next_marker;
  }
  return core::make_error(
      core::ErrorKind::kTerminal,
      std::string(kOpListBlobs) + ": more than " + std::to_string(max_pages) + " pages; giving up");
}

core::Status BlobClient::delete_blob(const std::string& name, const WriteConditions& conditions) {
  if (auto ok = check_blob_name(name); !ok.ok()) return ok;
  BlobRequest request{.method = "DELETE", .blob = name, .operation = kOpDeleteBlob};
  request.headers["x-ms-delete-snapshots"] = "include";
  add_conditions(request.headers, conditions);
  auto result = send(std::move(request));
  if (!result.ok()) return result.error();
  if (result->status != 202) return storage_error(*result, kOpDeleteBlob);
  return {};
}

}  // namespace frankenetes::storage
