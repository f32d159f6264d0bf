#include "storage/file_share.h"

#include <algorithm>
#include <fstream>

#include "core/strings.h"
#include "storage/storage_error.h"
#include "storage/xml_document.h"

namespace frankenetes::storage {

namespace {

core::Error malformed(std::string_view operation, const std::string& why) {
  return core::make_error(core::ErrorKind::kTerminal, std::string(operation) + ": " + why);
}

std::string join(const std::string& parent, const std::string& name) {
  return parent.empty() ? name : parent + "/" + name;
}

}  // namespace

core::Result<http::Response> FileShareClient::send(BlobRequest request) {
  request.container = share_;
  return service_.send(std::move(request));
}

core::Result<bool> FileShareClient::create_directory(const std::string& path) {
  auto result = send({.method = "PUT",
                      .blob = path,
                      .query = {{"restype", "directory"}},
                      .operation = kOpFileCreateDirectory});
  if (!result.ok()) return result.error();
  if (result->status == 201) return true;
  auto error = storage_error(*result, kOpFileCreateDirectory);
  if (error.azure_code == "ResourceAlreadyExists") return false;
  return error;
}

core::Status FileShareClient::delete_directory(const std::string& path) {
  auto result = send({.method = "DELETE",
                      .blob = path,
                      .query = {{"restype", "directory"}},
                      .operation = kOpFileDeleteDirectory});
  if (!result.ok()) return result.error();
  if (result->status != 202) return storage_error(*result, kOpFileDeleteDirectory);
  return {};
}

core::Result<std::vector<FileEntry>> FileShareClient::list(const std::string& path) {
  std::vector<FileEntry> out;
  std::string marker;
  for (int page = 0; page < 10000; ++page) {
    BlobRequest request{.method = "GET",
                        .blob = path,
                        .query = {{"restype", "directory"}, {"comp", "list"}},
                        .operation = kOpFileList};
    if (!marker.empty()) request.query.emplace_back("marker", marker);
    auto result = send(std::move(request));
    if (!result.ok()) return result.error();
    if (result->status != 200) return storage_error(*result, kOpFileList);
    auto doc = parse_xml(result->body);
    if (!doc.ok()) return malformed(kOpFileList, doc.error().message);
    if (doc->name != "EnumerationResults") {
      return malformed(kOpFileList, "expected EnumerationResults, got <" + doc->name + ">");
    }
    if (const auto* entries = doc->child("Entries")) {
      for (const auto& e : entries->children) {
        if (e.name != "File" && e.name != "Directory") continue;
        const auto* name = e.child("Name");
        if (name == nullptr || name->text.empty() || name->text.find('/') != std::string::npos) {
          return malformed(kOpFileList, "an entry without a valid Name");
        }
        FileEntry entry{name->text, e.name == "Directory", 0};
        if (!entry.directory) {
          const auto* props = e.child("Properties");
          const auto* length = props ? props->child("Content-Length") : nullptr;
          const auto size = length ? core::parse_uint64(length->text) : std::nullopt;
          if (!size) return malformed(kOpFileList, "file " + name->text + " without a Content-Length");
          entry.size = *size;
        }
        out.push_back(std::move(entry));
      }
    }
    const auto* next = doc->child("NextMarker");
    if (next == nullptr || next->text.empty()) return out;
    if (next->text == marker) return malformed(kOpFileList, "the service repeated its NextMarker");
    marker = next->text;
  }
  return malformed(kOpFileList, "more than 10000 pages");
}

core::Status FileShareClient::create_file(const std::string& path, std::uint64_t size) {
  BlobRequest request{.method = "PUT", .blob = path, .operation = kOpFileCreate};
  request.headers["x-ms-type"] = "file";
  request.headers["x-ms-content-length"] = std::to_string(size);
  auto result = send(std::move(request));
  if (!result.ok()) return result.error();
  if (result->status != 201) return storage_error(*result, kOpFileCreate);
  return {};
}

core::Status FileShareClient::put_range(const std::string& path, std::uint64_t offset,
                                        std::string bytes) {
  if (bytes.empty() || bytes.size() > kMaxFileRangeBytes) {
    return core::make_error(core::ErrorKind::kTerminal,
                            std::string(kOpFilePutRange) + ": a range holds 1 byte to 4 MiB, got " +
                                std::to_string(bytes.size()));
  }
  BlobRequest request{.method = "PUT",
                      .blob = path,
                      .query = {{"comp", "range"}},
                      .operation = kOpFilePutRange};
  request.headers["x-ms-write"] = "update";
  request.headers["x-ms-range"] =
      "bytes=" + std::to_string(offset) + "-" + std::to_string(offset + bytes.size() - 1);
  request.body = std::move(bytes);
  auto result = send(std::move(request));
  if (!result.ok()) return result.error();
  if (result->status != 201) return storage_error(*result, kOpFilePutRange);
  return {};
}

core::Status FileShareClient::delete_file(const std::string& path) {
  auto result = send({.method = "DELETE", .blob = path, .operation = kOpFileDelete});
  if (!result.ok()) return result.error();
  if (result->status != 202) return storage_error(*result, kOpFileDelete);
  return {};
}

core::Result<TreeReport> delete_tree(FileShareClient& share, const std::string& path) {
  TreeReport report;
  auto entries = share.list(path);
  if (!entries.ok()) {
    if (entries.error().kind == core::ErrorKind::kNotFound) return report;  // nothing there
    return entries.error();
  }
  for (const auto& entry : *entries) {
    const auto child = join(path, entry.name);
    if (entry.directory) {
      auto below = delete_tree(share, child);
      if (!below.ok()) return below.error();
      report.files += below->files;
      report.directories += below->directories;
      report.bytes += below->bytes;
      continue;
    }
    if (auto deleted = share.delete_file(child); !deleted.ok()) return deleted.error();
    ++report.files;
    report.bytes += entry.size;
  }
  if (!path.empty()) {
    if (auto deleted = share.delete_directory(path); !deleted.ok()) return deleted.error();
    ++report.directories;
  }
  return report;
}

namespace {

core::Status create_parents(FileShareClient& share, const std::string& path) {
  std::string prefix;
  for (const auto& part : core::split(path, '/')) {
    if (part.empty()) continue;
    prefix = join(prefix, std::string(part));
    auto created = share.create_directory(prefix);
    if (!created.ok()) return created.error();
  }
  return {};
}

core::Status upload_file(FileShareClient& share, const std::filesystem::path& local,
                         const std::string& remote, std::uint64_t size) {
  if (auto created = share.create_file(remote, size); !created.ok()) return created;
  std::ifstream in(local, std::ios::binary);
  if (!in) {
    return core::make_error(core::ErrorKind::kTerminal, "cannot read " + local.string());
  }
  std::string chunk;
  std::uint64_t offset = 0;
  while (offset < size) {
    const auto length = static_cast<std::size_t>(std::min<std::uint64_t>(kMaxFileRangeBytes, size - offset));
    chunk.resize(length);
    if (!in.read(chunk.data(), static_cast<std::streamsize>(length))) {
      return core::make_error(core::ErrorKind::kTerminal,
                              local.string() + " changed while it was uploaded (short read)");
    }
    // An all-zero range needs no request: Create File made the file zero-filled.
    if (std::any_of(chunk.begin(), chunk.end(), [](char c) { return c != 0; })) {
      if (auto put = share.put_range(remote, offset, chunk); !put.ok()) return put;
    }
    offset += length;
  }
  return {};
}

}  // namespace

core::Result<TreeReport> upload_tree(FileShareClient& share, const std::filesystem::path& local,
                                     const std::string& path,
                                     const std::function<void(const std::string&)>& progress) {
  std::error_code ec;
  if (!std::filesystem::is_directory(local, ec)) {
    return core::make_error(core::ErrorKind::kTerminal, local.string() + " is not a directory");
  }
  if (auto parents = create_parents(share, path); !parents.ok()) return parents.error();
  TreeReport report;
  std::vector<std::filesystem::directory_entry> entries;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(local, ec)) {
    entries.push_back(entry);
  }
  if (ec) return core::make_error(core::ErrorKind::kTerminal, "reading " + local.string() + ": " + ec.message());
  // Parents before children.
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.path() < b.path(); });
  for (const auto& entry : entries) {
    const auto relative = std::filesystem::relative(entry.path(), local).generic_string();
    const auto remote = join(path, relative);
    if (entry.is_symlink()) {
      return core::make_error(core::ErrorKind::kTerminal,
                              entry.path().string() + " is a symbolic link: not copied to a share");
    }
    if (entry.is_directory()) {
      auto created = share.create_directory(remote);
      if (!created.ok()) return created.error();
      ++report.directories;
      continue;
    }
    if (!entry.is_regular_file()) {
      return core::make_error(core::ErrorKind::kTerminal,
                              entry.path().string() + " is neither a file nor a directory");
    }
    const auto size = entry.file_size();
    if (auto uploaded = upload_file(share, entry.path(), remote, size); !uploaded.ok()) {
      return uploaded.error();
    }
    ++report.files;
    report.bytes += size;
    if (progress) progress(remote);
  }
  return report;
}

}  // namespace frankenetes::storage
