#pragma once
// URLs of the Blob service and the rules for the names in them. Pure, so every encoding is
// table-tested. Used by BlobService (blob_service.h) for every request.
//
// The endpoint is the account's blob endpoint without a trailing slash: virtual-host style
// ("https://frankenetesdata.blob.core.windows.net") or path style, where the account is the first
// path segment (Azurite: "http://127.0.0.1:10000/devstoreaccount1"). Either way the container and
// blob are appended as path segments, and Shared Key signs the path as sent (shared_key.h).

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "storage/blob_types.h"

namespace frankenetes::storage {

// Query parameters, unencoded, in the order they are sent.
using QueryParams = std::vector<std::pair<std::string, std::string>>;

// A blob name the client accepts: 1..1024 characters, no control characters, not ending in '.'
// or '/' ("Naming and referencing containers, blobs, and metadata": such names cannot be
// addressed reliably), and no "." or ".." segment (URL normalisation would change the path).
// '/' is allowed and kept as the virtual directory separator. An Error (kTerminal) says why.
core::Status check_blob_name(std::string_view name);

// A metadata name: [a-z_][a-z0-9_]* (a C# identifier, lowercase: see Metadata), at most 256.
bool is_metadata_name(std::string_view name);
// A metadata value travels in a header: non-empty, printable ASCII and spaces only, no leading
// or trailing space (HTTP trims them), at most 8 KiB.
bool is_metadata_value(std::string_view value);
// Both, for every entry; an Error names the first bad name (values are never quoted).
core::Status check_metadata(const Metadata& metadata);

// The path of a container or blob: every byte percent-encoded except RFC 3986 unreserved
// characters and, in blob names, '/'. `blob` empty: the container itself.
std::string encode_blob_path(std::string_view container, std::string_view blob);

// endpoint + "/" + encoded path + "?" + encoded query (names and values percent-encoded).
std::string blob_url(std::string_view endpoint, std::string_view container, std::string_view blob,
                     const QueryParams& query = {});

// Block ids: base64 of a fixed-width decimal counter ("00000000" -> "MDAwMDAwMDA="), so every id
// of a blob has the same length, as Put Block requires. The order of the blocks is the order of
// the ids in Put Block List, not of the ids themselves.
std::string block_id(std::size_t index);

// Blob Storage's limits that the client checks before sending.
inline constexpr std::size_t kMaxBlocksPerBlob = 50000;
inline constexpr std::size_t kMaxBlockBytes = std::size_t{4000} * 1024 * 1024;
inline constexpr int kMaxListResults = 5000;

}  // namespace frankenetes::storage
