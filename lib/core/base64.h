#pragma once
// Base64 with the standard alphabet and '=' padding (RFC 4648 §4), as Azure Storage writes
// account keys, Shared Key signatures and block ids. Pure.
//
// Decoding is strict on purpose: the input is a key an operator pasted into a file, and a
// lenient decoder (skipping whitespace or stray characters, accepting missing padding) would
// turn a damaged key into a different key whose every request is refused with no hint why.
// Callers trim the surrounding whitespace of a file themselves.

#include <optional>
#include <string>
#include <string_view>

namespace frankenetes::core {

std::string base64_encode(std::string_view bytes);

// nullopt unless `text` is whole groups of four characters from the standard alphabet, with
// '=' only as the padding of the last group and the unused bits of that group zero (RFC 4648
// §3.5: so each byte string has exactly one encoding).
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace frankenetes::core
