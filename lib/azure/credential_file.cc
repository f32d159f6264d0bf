#include "azure/credential_file.h"

#include "core/small_file.h"
#include "core/strings.h"

namespace frankenetes::azure {

core::Result<core::Secret> read_secret_file(const std::string& path, std::string_view what) {
  const std::string subject = std::string(what) + " file";
  auto content = core::read_small_file(path, core::kMaxSecretFileBytes, subject);
  if (!content.ok()) return content.error();
  const auto secret = core::trim(*content, " \t\r\n");
  if (secret.empty()) {
    return core::make_error(core::ErrorKind::kInvalidConfig, subject + " " + path + " is empty");
  }
  return core::Secret(std::string(secret));
}

}  // namespace frankenetes::azure
