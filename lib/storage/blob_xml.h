#pragma once
// The XML of the Blob service that the client reads and writes. Pure (over xml_document.h).
//
// List Blobs is read strictly where a decision could depend on a value: every <Blob> needs a
// <Name>, an <Etag> and a <Content-Length> that is a non-negative integer, and a <Last-Modified>
// that is present must be an HTTP date; anything else is an Error naming the blob and field,
// never a default. Elements the client does not know are ignored (newer service versions add
// some).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "storage/blob_types.h"

namespace frankenetes::storage {

// <EnumerationResults><Blobs><Blob>…</Blob></Blobs><NextMarker>…</NextMarker></EnumerationResults>.
// A name sent with Encoded="true" (characters XML 1.0 cannot carry) is percent-decoded.
// Metadata names are lower-cased. kTerminal Error on anything malformed.
core::Result<BlobListPage> parse_blob_list(std::string_view xml);

// <Error><Code>…</Code><Message>…</Message></Error>; nullopt when the body is not that.
struct StorageErrorBody {
  std::string code;
  std::string message;
};
std::optional<StorageErrorBody> parse_storage_error(std::string_view xml);

// The body of Put Block List committing `block_ids` in order, all from the uncommitted list.
std::string block_list_xml(const std::vector<std::string>& block_ids);

}  // namespace frankenetes::storage
