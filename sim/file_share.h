#pragma once
// FileShare: the filesystem side of the simulated Azure Files service. A share is a real
// directory, <state-dir>/shares/<account>/<share>/ (process mode mounts the same directory
// into containers), and every operation maps to plain POSIX calls on it. Paths arrive already
// split and checked by parse_share_path(); symbolic links are never followed (an entry that
// is one counts as absent), so nothing outside the share is reachable. Knows no HTTP: the
// FileService turns its outcomes into the File service's status codes.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/time_source.h"

namespace frankenetes::sim {

// A path inside a share, one element per directory level; empty = the share's root.
using SharePath = std::vector<std::string>;

// Splits a decoded path ("dir/sub/file", one trailing '/' allowed) and checks it against the
// File service's naming rules: components of 1..255 characters without control characters or
// any of " \ : | < > * ?, not "." or "..", the whole path at most 2048 characters. Returns the
// problem as text otherwise.
std::variant<SharePath, std::string> parse_share_path(std::string_view path);

// Share names: 3..63 of a-z, 0-9 and '-', starting and ending with a letter or digit, no "--".
bool is_valid_share_name(std::string_view name);
// Storage account names: 3..24 of a-z and 0-9.
bool is_valid_storage_account_name(std::string_view name);

enum class ShareOutcome {
  kOk,
  kNotFound,        // the item does not exist
  kParentNotFound,  // a directory on the way does not exist (or is a file)
  kAlreadyExists,
  kNotEmpty,
  kTypeMismatch,    // a file where a directory is needed, or the other way round
  kInvalidRange,    // outside the file
  kIoError,
};

struct ShareItem {
  bool directory = false;
  std::uint64_t size = 0;
  core::SystemTime modified;
};

struct ShareEntry {
  std::string name;
  bool directory = false;
  std::uint64_t size = 0;
};

class FileShare {
 public:
  explicit FileShare(std::filesystem::path root) : root_(std::move(root)) {}

  ShareOutcome create_directory(const SharePath& path);
  ShareOutcome delete_directory(const SharePath& path);
  // Sorted by name (byte order); only regular files and directories.
  ShareOutcome list(const SharePath& directory, std::vector<ShareEntry>* entries);
  // Creates or replaces the file: `length` bytes, all zero (sparse).
  ShareOutcome create_file(const SharePath& path, std::uint64_t length);
  // Writes `data` at `offset`; the range must lie within the file.
  ShareOutcome write_range(const SharePath& path, std::uint64_t offset, std::string_view data);
  // Zeroes `length` bytes at `offset`; the range must lie within the file.
  ShareOutcome clear_range(const SharePath& path, std::uint64_t offset, std::uint64_t length);
  // Reads [offset, offset + length) clipped to the file's end; kInvalidRange if offset >= size.
  ShareOutcome read_range(const SharePath& path, std::uint64_t offset, std::uint64_t length, std::string* out);
  ShareOutcome delete_file(const SharePath& path);
  // Details of the file or directory at `path` (the root when empty).
  ShareOutcome stat(const SharePath& path, ShareItem* item);

  // The last system error behind a kIoError, for the log and the error message.
  const std::string& last_error() const { return last_error_; }

 private:
  // Checks that every directory on the way exists; the full path of the item.
  std::optional<std::filesystem::path> resolve_parent(const SharePath& path) const;
  // Opens the regular file at `path` (O_NOFOLLOW) and reads its size; closes it on failure.
  ShareOutcome open_file(const SharePath& path, int flags, int* fd, std::uint64_t* size);
  ShareOutcome write_at(const SharePath& path, std::uint64_t offset, std::uint64_t length, const char* data);
  ShareOutcome io_error(const std::string& what);

  std::filesystem::path root_;
  std::string last_error_;
};

}  // namespace frankenetes::sim
