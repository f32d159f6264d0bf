#include "storage/account_key.h"

#include <sys/stat.h>

#include "core/base64.h"
#include "core/small_file.h"
#include "core/strings.h"
#include "log/event.h"

namespace frankenetes::storage {
namespace {

core::Result<core::Secret> decode(std::string_view text, std::string_view where) {
  const auto trimmed = core::trim(text);
  if (trimmed.empty()) {
    return core::make_error(core::ErrorKind::kInvalidConfig,
                            "the storage account key " + std::string(where) + " is empty");
  }
  auto bytes = core::base64_decode(trimmed);
  if (!bytes) {
    // Never quote the content: it is (a damaged copy of) the key.
    return core::make_error(core::ErrorKind::kInvalidConfig,
                            "the storage account key " + std::string(where) +
                                " is not base64 (copy it as the portal or `az storage account "
                                "keys list` shows it)");
  }
  return core::Secret(std::move(*bytes));
}

}  // namespace

core::Result<std::unique_ptr<AccountKey>> AccountKey::create(const config::SecretSource& source) {
  if (source.value) {
    auto key = decode(source.value->reveal(), "from the environment");
    if (!key.ok()) return key.error();
    return std::unique_ptr<AccountKey>(new AccountKey(std::nullopt, std::move(*key), std::nullopt));
  }
  if (!source.file) {
    return core::make_error(core::ErrorKind::kInvalidConfig, "no storage account key configured");
  }
  const auto version = stat_file(*source.file);
  auto key = read_key_file(*source.file);
  if (!key.ok()) return key.error();
  return std::unique_ptr<AccountKey>(new AccountKey(source.file, std::move(*key), version));
}

AccountKey::AccountKey(std::optional<std::string> file, core::Secret key,
                       std::optional<FileVersion> version)
    : file_(std::move(file)), key_(std::move(key)), version_(version) {}

std::optional<AccountKey::FileVersion> AccountKey::stat_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return FileVersion{st.st_dev, st.st_ino, st.st_size,
                     static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec};
}

core::Result<core::Secret> AccountKey::read_key_file(const std::string& path) {
  auto text = core::read_small_file(path, core::kMaxSecretFileBytes, "storage account key file");
  if (!text.ok()) return text.error();
  return decode(*text, "in " + path);
}

core::Secret AccountKey::current() {
  std::lock_guard lock(mutex_);
  if (!file_) return key_;
  const auto version = stat_file(*file_);
  // A file that vanished for a moment (an editor's rename, a mount being refreshed) is not a
  // new key: keep the one we have until a readable file appears.
  if (!version || version == version_) return key_;
  version_ = version;
  auto key = read_key_file(*file_);
  if (!key.ok()) {
    log::warn(
        "storage.account_key.unusable",
        {{"file", *file_}, {"error", key.error().message}, {"action", "keeping the previous key"}});
    return key_;
  }
  if (*key != key_) {
    key_ = std::move(*key);
    log::info("storage.account_key.reloaded", {{"file", *file_}});
  }
  return key_;
}

}  // namespace frankenetes::storage
