#include "azure/credential_file.h"

#include <array>
#include <cerrno>
#include <fstream>
#include <system_error>

#include "azure/credential_token_response.h"

namespace frankenetes::azure {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

core::Result<core::Secret> read_secret_file(const std::string& path, std::string_view what) {
  const std::string subject = std::string(what) + " file " + path;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return core::make_error(
        core::ErrorKind::kInvalidConfig,
        "cannot open " + subject + ": " + std::generic_category().message(errno));
  }
  std::string content;
  std::array<char, 4096> buffer{};
  while (in.read(buffer.data(), buffer.size()) || in.gcount() > 0) {
    content.append(buffer.data(), static_cast<std::size_t>(in.gcount()));
    if (content.size() > kMaxCredentialFileSize) {
      return core::make_error(
          core::ErrorKind::kInvalidConfig,
          subject + " is larger than " + std::to_string(kMaxCredentialFileSize) + " bytes");
    }
  }
  if (in.bad()) {
    return core::make_error(core::ErrorKind::kInvalidConfig, "cannot read " + subject);
  }
  std::size_t begin = 0;
  std::size_t end = content.size();
  while (begin < end && is_space(content[begin])) ++begin;
  while (end > begin && is_space(content[end - 1])) --end;
  if (begin == end) return core::make_error(core::ErrorKind::kInvalidConfig, subject + " is empty");
  return core::Secret(content.substr(begin, end - begin));
}

}  // namespace frankenetes::azure
