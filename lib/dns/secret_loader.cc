#include "dns/secret_loader.h"

#include <string>

#include "core/small_file.h"

namespace frankenetes::dns {
namespace {

core::Error invalid(std::string message) {
  return core::make_error(core::ErrorKind::kInvalidConfig, std::move(message));
}

}  // namespace

core::Result<core::Secret> load_secret(const config::SecretSource& source, std::string_view what) {
  std::string value;
  if (source.value) {
    value = source.value->reveal();
  } else if (source.file) {
    auto content =
        core::read_small_file(*source.file, core::kMaxSecretFileBytes, std::string(what) + " file");
    if (!content.ok()) return content.error();
    value = std::move(content).value();
  } else {
    return invalid(std::string(what) + ": no value or file configured");
  }
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r' || value.back() == ' ' ||
                            value.back() == '\t')) {
    value.pop_back();
  }
  if (value.empty()) return invalid(std::string(what) + " is empty");
  return core::Secret(std::move(value));
}

}  // namespace frankenetes::dns
