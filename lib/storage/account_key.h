#pragma once
// AccountKey: the storage account key that Shared Key signing needs (shared_key.h), held only in
// memory as a core::Secret, never logged and never put into an Error.
//
// It comes from the storage section's SecretSource: a value taken from the environment
// (`key: ${NAME}`), fixed for the life of the process, or a file (`keyFile`). The file is read at
// create() and read again whenever it changes — one stat() before each use compares device,
// inode, size and modification time — so rotating the key needs only a new file: no SIGHUP, no
// restart (README "Runbook: a real storage account"). When the changed file cannot be used
// (unreadable, empty, not base64) the last good key stays in use and
// `storage.account_key.unusable` is logged once for that version of the file; a good new key
// logs `storage.account_key.reloaded`. Neither names anything but the file. Thread-safe.

#include <sys/types.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "config/types.h"
#include "core/result.h"
#include "core/secret.h"

namespace frankenetes::storage {

class AccountKey {
 public:
  // kInvalidConfig when a key is given neither way, or the first read of the file fails, or the
  // key is not base64 (the message names the file, never the content).
  static core::Result<std::unique_ptr<AccountKey>> create(const config::SecretSource& source);

  AccountKey(const AccountKey&) = delete;
  AccountKey& operator=(const AccountKey&) = delete;

  // The key's bytes (base64-decoded): HMAC-SHA256 key material.
  core::Secret current();

 private:
  struct FileVersion {
    dev_t device = 0;
    ino_t inode = 0;
    off_t size = 0;
    long long modified_ns = 0;
    bool operator==(const FileVersion&) const = default;
  };
  AccountKey(std::optional<std::string> file, core::Secret key, std::optional<FileVersion> version);

  static std::optional<FileVersion> stat_file(const std::string& path);
  // Reads and decodes the file; an Error says what is wrong without the content.
  static core::Result<core::Secret> read_key_file(const std::string& path);

  const std::optional<std::string> file_;
  std::mutex mutex_;
  core::Secret key_;
  std::optional<FileVersion> version_;  // of the file content last looked at
};

}  // namespace frankenetes::storage
