#pragma once
// The Azure Storage Shared Key scheme as the File service checks it (version 2015-02-21 and
// later; "Authorize with Shared Key" in the Storage REST docs): the string-to-sign of a
// request and its HMAC-SHA256 signature. The sim's own implementation, written from the docs,
// deliberately not shared with the daemon's signer (lib/storage), so the two cannot agree
// merely because they are the same code. Used by FileService. Pure.

#include <string>
#include <string_view>

#include "http/message.h"

namespace frankenetes::sim {

// VERB, the eleven standard headers (Content-Length empty when 0; Date empty when x-ms-date
// is sent), the canonicalized x-ms-* headers and the canonicalized resource
// "/<account><encoded URI path>" followed by "\n<name>:<value>" per query parameter (names
// lower-cased and sorted, values decoded, several values sorted and joined with ',').
std::string shared_key_string_to_sign(const http::Request& request, const std::string& account);

// base64(HMAC-SHA256(key, string_to_sign)); `key` is the decoded account key.
std::string shared_key_signature(std::string_view key, std::string_view string_to_sign);

}  // namespace frankenetes::sim
