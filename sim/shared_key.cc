#include "sim/shared_key.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <map>
#include <vector>

#include "core/base64.h"
#include "core/strings.h"

namespace frankenetes::sim {

namespace {

// "Replace any linear whitespace in the header value with a single space" and trim.
std::string canonical_header_value(std::string_view value) {
  std::string out;
  bool space = false;
  for (const char c : core::trim(value)) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      space = true;
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

}  // namespace

std::string shared_key_string_to_sign(const http::Request& request, const std::string& account) {
  const auto header = [&](const char* name) { return request.header(name); };
  auto content_length = header("Content-Length");
  if (content_length == "0") content_length.clear();
  // Clients that send x-ms-date leave Date out of the signature (it may be absent, or set by
  // an HTTP stack after signing).
  const auto date = header("x-ms-date").empty() ? header("Date") : std::string();
  std::string s = request.method + "\n" + header("Content-Encoding") + "\n" + header("Content-Language") + "\n" +
                  content_length + "\n" + header("Content-MD5") + "\n" + header("Content-Type") + "\n" + date +
                  "\n" + header("If-Modified-Since") + "\n" + header("If-Match") + "\n" + header("If-None-Match") +
                  "\n" + header("If-Unmodified-Since") + "\n" + header("Range") + "\n";

  std::map<std::string, std::string> ms_headers;
  for (const auto& [name, value] : request.headers) {
    const auto lower = core::to_lower(name);
    if (core::starts_with(lower, "x-ms-")) ms_headers[lower] = canonical_header_value(value);
  }
  for (const auto& [name, value] : ms_headers) s += name + ":" + value + "\n";

  const auto q = request.target.find('?');
  s += "/" + account + request.target.substr(0, q);
  std::map<std::string, std::vector<std::string>> params;
  for (const auto& [name, value] : request.query) params[core::to_lower(name)].push_back(value);
  for (auto& [name, values] : params) {
    std::sort(values.begin(), values.end());
    s += "\n" + name + ":";
    for (std::size_t i = 0; i < values.size(); ++i) s += (i ? "," : "") + values[i];
  }
  return s;
}

std::string shared_key_signature(std::string_view key, std::string_view string_to_sign) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(string_to_sign.data()), string_to_sign.size(), mac, &length);
  return core::base64_encode(std::string_view(reinterpret_cast<const char*>(mac), length));
}

}  // namespace frankenetes::sim
