#include "storage/blob_paths.h"

#include <algorithm>
#include <cstdio>

#include "core/base64.h"
#include "core/strings.h"
#include "http/message.h"

namespace frankenetes::storage {
namespace {

constexpr std::size_t kMaxBlobNameLength = 1024;
constexpr std::size_t kMaxMetadataNameLength = 256;
constexpr std::size_t kMaxMetadataBytes = std::size_t{8} * 1024;

core::Error name_error(std::string why) {
  return core::make_error(core::ErrorKind::kTerminal, "invalid blob name: " + std::move(why));
}

// Percent-encodes one blob name, keeping '/' between its virtual directories.
std::string encode_blob_name(std::string_view name) {
  std::string out;
  std::size_t start = 0;
  while (true) {
    const auto slash = name.find('/', start);
    out += http::percent_encode_component(name.substr(start, slash - start));
    if (slash == std::string_view::npos) return out;
    out.push_back('/');
    start = slash + 1;
  }
}

}  // namespace

core::Status check_blob_name(std::string_view name) {
  if (name.empty()) return name_error("empty");
  if (name.size() > kMaxBlobNameLength) {
    return name_error("longer than " + std::to_string(kMaxBlobNameLength) + " characters");
  }
  if (std::any_of(name.begin(), name.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; })) {
    return name_error("control characters are not allowed");
  }
  if (name.ends_with('.') || name.ends_with('/')) {
    return name_error("\"" + std::string(name) + "\" ends with '.' or '/'");
  }
  for (const auto& segment : core::split(name, '/')) {
    if (segment == "." || segment == "..") {
      return name_error("\"" + std::string(name) + "\" has a \".\" or \"..\" segment");
    }
  }
  return {};
}

bool is_metadata_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxMetadataNameLength) return false;
  if (name.front() >= '0' && name.front() <= '9') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

bool is_metadata_value(std::string_view value) {
  if (value.empty() || value.size() > kMaxMetadataBytes) return false;
  if (value.front() == ' ' || value.back() == ' ') return false;
  return std::all_of(value.begin(), value.end(), [](char c) { return c >= 0x20 && c < 0x7F; });
}

core::Status check_metadata(const Metadata& metadata) {
  std::size_t total = 0;
  for (const auto& [name, value] : metadata) {
    if (!is_metadata_name(name)) {
      return core::make_error(core::ErrorKind::kTerminal,
                              "invalid metadata name \"" + name +
                                  "\": use lowercase letters, digits and '_', not starting with "
                                  "a digit");
    }
    if (!is_metadata_value(value)) {
      return core::make_error(core::ErrorKind::kTerminal,
                              "invalid value of metadata \"" + name +
                                  "\": use printable ASCII without leading or trailing spaces");
    }
    total += name.size() + value.size();
  }
  if (total > kMaxMetadataBytes) {
    return core::make_error(core::ErrorKind::kTerminal, "metadata larger than 8 KiB");
  }
  return {};
}

std::string encode_blob_path(std::string_view container, std::string_view blob) {
  std::string path = "/" + http::percent_encode_component(container);
  if (!blob.empty()) path += "/" + encode_blob_name(blob);
  return path;
}

std::string blob_url(std::string_view endpoint, std::string_view container, std::string_view blob,
                     const QueryParams& query) {
  std::string url = std::string(endpoint) + encode_blob_path(container, blob);
  char separator = '?';
  for (const auto& [name, value] : query) {
    url.push_back(separator);
    url += http::percent_encode_component(name);
    url.push_back('=');
    url += http::percent_encode_component(value);
    separator = '&';
  }
  return url;
}

std::string block_id(std::size_t index) {
  char digits[32];
  std::snprintf(digits, sizeof digits, "%08zu", index);
  return core::base64_encode(digits);
}

}  // namespace frankenetes::storage
