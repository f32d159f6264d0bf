#pragma once
// FileShareClient: the Azure Files REST operations an etcd restore needs on one share — Create
// Directory, Delete Directory, List Directories and Files, Create File, Put Range, Delete File —
// and two compositions of them: replacing a directory tree on the share with a local one
// (upload_tree) and removing one (delete_tree).
//
// The File service shares the Blob service's request layer: the same URL shape
// (<endpoint>/<share>/<path>, the endpoint being https://<account>.file.core.windows.net),
// x-ms-version, x-ms-date, request ids and Shared Key string-to-sign, so requests go through a
// BlobService built for the file endpoint (storage_service_for_files()). Authorization: Shared
// Key only (the account key of the share's storage account); Entra tokens on the File REST API
// need x-ms-file-request-intent and a role this daemon does not ask for.
//
// Errors are values (storage_error.h): kNotFound for 404 (ResourceNotFound, ParentNotFound,
// ShareNotFound), kConflict for 409 (ResourceAlreadyExists, DirectoryNotEmpty), kTransient for
// 408/429/5xx, kTerminal otherwise — each with the HTTP status and the service's error code.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "storage/blob_service.h"

namespace frankenetes::storage {

inline constexpr std::string_view kOpFileCreateDirectory = "file.create_directory";
inline constexpr std::string_view kOpFileDeleteDirectory = "file.delete_directory";
inline constexpr std::string_view kOpFileList = "file.list";
inline constexpr std::string_view kOpFileCreate = "file.create";
inline constexpr std::string_view kOpFilePutRange = "file.put_range";
inline constexpr std::string_view kOpFileDelete = "file.delete";

// Put Range writes at most 4 MiB per request.
inline constexpr std::size_t kMaxFileRangeBytes = std::size_t{4} * 1024 * 1024;

struct FileEntry {
  std::string name;  // the entry's name inside the listed directory (no slashes)
  bool directory = false;
  std::uint64_t size = 0;  // files only

  bool operator==(const FileEntry&) const = default;
};

class FileShareClient {
 public:
  FileShareClient(BlobService& service, std::string share)
      : service_(service), share_(std::move(share)) {}

  const std::string& share() const { return share_; }

  // Paths are relative to the share's root, "/"-separated, without a leading slash ("" is the
  // root, for listing). true: created; false: it existed.
  core::Result<bool> create_directory(const std::string& path);
  core::Status delete_directory(const std::string& path);  // must be empty
  // Every entry of the directory (all pages).
  core::Result<std::vector<FileEntry>> list(const std::string& path);
  // Creates (or replaces) a file of `size` bytes, all zero until written.
  core::Status create_file(const std::string& path, std::uint64_t size);
  // Writes `bytes` (1 byte .. kMaxFileRangeBytes) at `offset`.
  core::Status put_range(const std::string& path, std::uint64_t offset, std::string bytes);
  core::Status delete_file(const std::string& path);

 private:
  core::Result<http::Response> send(BlobRequest request);

  BlobService& service_;
  std::string share_;
};

// What upload_tree and delete_tree did, for the operator.
struct TreeReport {
  std::uint64_t files = 0;
  std::uint64_t directories = 0;
  std::uint64_t bytes = 0;
};

// Removes `path` and everything below it (files first, then directories, deepest first). A
// missing `path` is not an error (nothing to remove).
core::Result<TreeReport> delete_tree(FileShareClient& share, const std::string& path);

// Copies the local directory `local` to `path` on the share (created if missing, with its
// parents): every subdirectory, and every regular file in ranges of kMaxFileRangeBytes (one range
// in memory at a time). Anything but regular files and directories (symlinks, sockets) is an
// error naming it. `progress` (optional) hears each file written.
core::Result<TreeReport> upload_tree(FileShareClient& share, const std::filesystem::path& local,
                                     const std::string& path,
                                     const std::function<void(const std::string&)>& progress = {});

}  // namespace frankenetes::storage
