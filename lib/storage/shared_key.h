#pragma once
// Shared Key authorization for the Blob service ("Authorize with Shared Key", the string-to-sign
// of version 2015-02-21 and later): the canonical string of a request and its HMAC-SHA256 with
// the account key. Pure apart from OpenSSL's HMAC, so a fixed request has one exact answer that
// tests compare with one computed independently.
//
// The string-to-sign covers the verb, eleven standard headers (Content-Length empty when the body
// is empty), every x-ms-* header (lower-cased, sorted, values with runs of whitespace folded)
// and the resource: "/" + account + the URL's path as sent (percent-encoded; with path-style
// URLs the account appears twice, "/devstoreaccount1/devstoreaccount1/c/b") followed by the
// query parameters, names lower-cased and sorted, values decoded, as "\nname:v1,v2".
// So every header that is signed must be set before signing, and the request must not change
// afterwards (HttpClient adds only Host, User-Agent and framing, none of them signed).

#include <string>
#include <string_view>

#include "core/result.h"
#include "core/secret.h"
#include "http/transport.h"

namespace frankenetes::storage {

// kTerminal Error when the request's URL cannot be parsed.
core::Result<std::string> shared_key_string_to_sign(std::string_view account,
                                                    const http::ClientRequest& request);

// base64(HMAC-SHA256(key, string_to_sign)); `key` is the account key's bytes (base64-decoded).
std::string shared_key_signature(const core::Secret& key, std::string_view string_to_sign);

// Sets "Authorization: SharedKey <account>:<signature>" on `request`.
core::Status sign_with_shared_key(std::string_view account, const core::Secret& key,
                                  http::ClientRequest& request);

}  // namespace frankenetes::storage
