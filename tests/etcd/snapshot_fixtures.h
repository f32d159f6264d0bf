#pragma once
// Snapshots and gateway bodies for the tests of lib/etcd, built independently of the code
// under test: the SHA-256 comes from OpenSSL's one-shot SHA256(), the JSON lines are written
// the way etcd 3.4.23's gateway writes them (remaining_bytes a string, omitted when 0;
// 32 KiB blobs; the trailer alone on the last line; "\n" after every object).

#include <openssl/sha.h>

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>

#include "core/base64.h"

namespace frankenetes::etcd::testing {

inline std::string sha256_raw(const std::string& bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof digest);
}

inline std::string hex(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (const unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 0x0f];
  }
  return out;
}

// `data_bytes` of pseudo-random data (a bbolt file is 512*n bytes) followed by its SHA-256.
inline std::string make_snapshot(std::size_t data_bytes, std::uint32_t seed = 1) {
  std::mt19937 random(seed);
  std::string data(data_bytes, '\0');
  for (char& c : data) c = static_cast<char>(random() & 0xff);
  return data + sha256_raw(data);
}

// The gateway's body for `snapshot` (data plus trailer).
inline std::string gateway_body(const std::string& snapshot, std::size_t chunk = 32 * 1024,
                                const std::string& line_end = "\n") {
  const std::size_t data = snapshot.size() - 32;
  std::string body;
  for (std::size_t at = 0; at < data; at += chunk) {
    const std::size_t n = std::min(chunk, data - at);
    const std::size_t remaining = data - at - n;
    body += "{\"result\":{";
    if (remaining > 0) body += "\"remaining_bytes\":\"" + std::to_string(remaining) + "\",";
    body += "\"blob\":\"" + core::base64_encode(snapshot.substr(at, n)) + "\"}}" + line_end;
  }
  return body + "{\"result\":{\"blob\":\"" + core::base64_encode(snapshot.substr(data)) + "\"}}" +
         line_end;
}

}  // namespace frankenetes::etcd::testing
