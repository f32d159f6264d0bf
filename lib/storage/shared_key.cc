#include "storage/shared_key.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <map>
#include <vector>

#include "core/base64.h"
#include "core/strings.h"
#include "http/message.h"
#include "http/url.h"

namespace frankenetes::storage {
namespace {

// The standard headers of the string-to-sign, in its order (Content-Length is handled apart).
constexpr std::array<std::string_view, 11> kStandardHeaders{"Content-Encoding",
                                                            "Content-Language",
                                                            "Content-Length",
                                                            "Content-MD5",
                                                            "Content-Type",
                                                            "Date",
                                                            "If-Modified-Since",
                                                            "If-Match",
                                                            "If-None-Match",
                                                            "If-Unmodified-Since",
                                                            "Range"};

// "Replace any linear whitespace in the header value with a single space", trimmed.
std::string fold_whitespace(std::string_view value) {
  std::string out;
  bool in_space = false;
  for (const char c : core::trim(value)) {
    const bool space = c == ' ' || c == '\t' || c == '\r' || c == '\n';
    if (space && in_space) continue;
    out.push_back(space ? ' ' : c);
    in_space = space;
  }
  return out;
}

std::string canonicalized_headers(const http::Headers& headers) {
  std::vector<std::pair<std::string, std::string>> ms;
  for (const auto& [name, value] : headers) {
    auto lower = core::to_lower(name);
    if (lower.starts_with("x-ms-")) ms.emplace_back(std::move(lower), fold_whitespace(value));
  }
  std::sort(ms.begin(), ms.end());
  std::string out;
  for (const auto& [name, value] : ms) out += name + ":" + value + "\n";
  return out;
}

core::Result<std::string> canonicalized_resource(std::string_view account,
                                                 const std::string& target) {
  const auto question = target.find('?');
  std::string out = "/" + std::string(account) + target.substr(0, question);
  if (question == std::string::npos) return out;
  // Parameters by lower-cased name; several values of one name are sorted and comma-joined.
  std::map<std::string, std::vector<std::string>> params;
  for (const auto& pair : core::split(std::string_view(target).substr(question + 1), '&')) {
    if (pair.empty()) continue;
    const auto equals = pair.find('=');
    bool name_ok = true;
    bool value_ok = true;
    auto name = http::percent_decode_component(pair.substr(0, equals), false, &name_ok);
    auto value = equals == std::string::npos
                     ? std::string()
                     : http::percent_decode_component(pair.substr(equals + 1), false, &value_ok);
    if (!name_ok || !value_ok) {
      return core::make_error(core::ErrorKind::kTerminal,
                              "cannot sign the request: malformed query parameter");
    }
    params[core::to_lower(name)].push_back(std::move(value));
  }
  for (auto& [name, values] : params) {
    std::sort(values.begin(), values.end());
    out += "\n" + name + ":";
    for (std::size_t i = 0; i < values.size(); ++i) out += (i ? "," : "") + values[i];
  }
  return out;
}

}  // namespace

core::Result<std::string> shared_key_string_to_sign(std::string_view account,
                                                    const http::ClientRequest& request) {
  auto url = http::parse_url(request.url);
  if (!url.ok()) return url.error();
  std::string out = request.method + "\n";
  for (const auto name : kStandardHeaders) {
    if (name == "Content-Length") {
      // Since version 2015-02-21 a zero length is signed as the empty string.
      if (!request.body.empty()) out += std::to_string(request.body.size());
    } else if (const auto it = request.headers.find(name); it != request.headers.end()) {
      out += it->second;
    }
    out += "\n";
  }
  out += canonicalized_headers(request.headers);
  auto resource = canonicalized_resource(account, url->target);
  if (!resource.ok()) return resource.error();
  return out + *resource;
}

std::string shared_key_signature(const core::Secret& key, std::string_view string_to_sign) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.reveal().data(), static_cast<int>(key.reveal().size()),
       reinterpret_cast<const unsigned char*>(string_to_sign.data()), string_to_sign.size(),
       mac.data(), &length);
  return core::base64_encode(std::string_view(reinterpret_cast<const char*>(mac.data()), length));
}

core::Status sign_with_shared_key(std::string_view account, const core::Secret& key,
                                  http::ClientRequest& request) {
  const auto string_to_sign = shared_key_string_to_sign(account, request);
  if (!string_to_sign.ok()) return string_to_sign.error();
  request.headers["Authorization"] =
      "SharedKey " + std::string(account) + ":" + shared_key_signature(key, *string_to_sign);
  return {};
}

}  // namespace frankenetes::storage
