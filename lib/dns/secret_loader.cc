#include "dns/secret_loader.h"

#include <array>
#include <fstream>
#include <string>

namespace frankenetes::dns {
namespace {

constexpr std::size_t kMaxSecretFile = std::size_t{64} * 1024;

core::Error invalid(std::string message) {
  return core::make_error(core::ErrorKind::kInvalidConfig, std::move(message));
}

}  // namespace

core::Result<core::Secret> load_secret(const config::SecretSource& source, std::string_view what) {
  std::string value;
  if (source.value) {
    value = source.value->reveal();
  } else if (source.file) {
    std::ifstream in(*source.file, std::ios::binary);
    if (!in) return invalid(std::string(what) + ": cannot read file '" + *source.file + "'");
    std::string content;
    std::array<char, 4096> buffer{};
    while (in.read(buffer.data(), buffer.size()) || in.gcount() > 0) {
      content.append(buffer.data(), static_cast<std::size_t>(in.gcount()));
      if (content.size() > kMaxSecretFile) {
        return invalid(std::string(what) + ": file '" + *source.file + "' is larger than 64 KiB");
      }
    }
    value = std::move(content);
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
