#include "sim/file_share.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/strings.h"

namespace frankenetes::sim {

namespace fs = std::filesystem;

namespace {

// "Naming and Referencing Shares, Directories, Files, and Metadata" (File service REST docs).
constexpr std::size_t kMaxComponent = 255;
constexpr std::size_t kMaxPath = 2048;
constexpr std::string_view kReservedCharacters = "\"\\:|<>*?";

enum class Kind { kAbsent, kFile, kDirectory, kOther };

Kind kind_of(const fs::path& p) {
  struct stat st {};
  if (lstat(p.c_str(), &st) != 0) return Kind::kAbsent;
  if (S_ISREG(st.st_mode)) return Kind::kFile;
  if (S_ISDIR(st.st_mode)) return Kind::kDirectory;
  return Kind::kOther;  // symbolic links, sockets, …: not part of what the service shows
}

// kOk for a directory; otherwise what Azure answers when a directory was expected there.
ShareOutcome directory_outcome(const fs::path& p) {
  switch (kind_of(p)) {
    case Kind::kDirectory:
      return ShareOutcome::kOk;
    case Kind::kFile:
      return ShareOutcome::kTypeMismatch;
    default:
      return ShareOutcome::kNotFound;
  }
}

core::SystemTime modified_time(const struct stat& st) {
  return core::SystemTime(std::chrono::duration_cast<core::SystemTime::duration>(
      std::chrono::seconds(st.st_mtim.tv_sec) + std::chrono::nanoseconds(st.st_mtim.tv_nsec)));
}

}  // namespace

std::variant<SharePath, std::string> parse_share_path(std::string_view path) {
  if (path.size() > kMaxPath) return "the path is longer than " + std::to_string(kMaxPath) + " characters";
  if (!path.empty() && path.back() == '/') path.remove_suffix(1);
  SharePath out;
  if (path.empty()) return out;
  for (const auto& component : core::split(path, '/')) {
    if (component.empty()) return std::string("the path has an empty component");
    if (component == "." || component == "..") return "the path component '" + component + "' is not allowed";
    if (component.size() > kMaxComponent) {
      return "a path component is longer than " + std::to_string(kMaxComponent) + " characters";
    }
    for (const char c : component) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || kReservedCharacters.find(c) != std::string_view::npos) {
        return "the path contains a character that is not allowed in a name";
      }
    }
    out.push_back(component);
  }
  return out;
}

bool is_valid_share_name(std::string_view name) {
  if (name.size() < 3 || name.size() > 63) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && c != '-') return false;
    if (c == '-' && (i == 0 || i + 1 == name.size() || name[i - 1] == '-')) return false;
  }
  return true;
}

bool is_valid_storage_account_name(std::string_view name) {
  if (name.size() < 3 || name.size() > 24) return false;
  return std::all_of(name.begin(), name.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); });
}

std::optional<fs::path> FileShare::resolve_parent(const SharePath& path) const {
  fs::path p = root_;
  for (std::size_t i = 0; i + 1 < path.size(); ++i) {
    p /= path[i];
    if (kind_of(p) != Kind::kDirectory) return std::nullopt;
  }
  if (!path.empty()) p /= path.back();
  return p;
}

ShareOutcome FileShare::io_error(const std::string& what) {
  last_error_ = what + ": " + std::strerror(errno);
  return ShareOutcome::kIoError;
}

ShareOutcome FileShare::create_directory(const SharePath& path) {
  if (path.empty()) return ShareOutcome::kAlreadyExists;
  const auto p = resolve_parent(path);
  if (!p) return ShareOutcome::kParentNotFound;
  if (kind_of(*p) != Kind::kAbsent) return ShareOutcome::kAlreadyExists;
  if (mkdir(p->c_str(), 0755) != 0) return errno == EEXIST ? ShareOutcome::kAlreadyExists : io_error("mkdir " + p->string());
  return ShareOutcome::kOk;
}

ShareOutcome FileShare::delete_directory(const SharePath& path) {
  const auto p = resolve_parent(path);
  if (!p) return ShareOutcome::kParentNotFound;
  if (const auto outcome = directory_outcome(*p); outcome != ShareOutcome::kOk) return outcome;
  if (rmdir(p->c_str()) != 0) {
    return errno == ENOTEMPTY || errno == EEXIST ? ShareOutcome::kNotEmpty : io_error("rmdir " + p->string());
  }
  return ShareOutcome::kOk;
}

ShareOutcome FileShare::list(const SharePath& directory, std::vector<ShareEntry>* entries) {
  const auto p = resolve_parent(directory);
  if (!p) return ShareOutcome::kParentNotFound;
  if (const auto outcome = directory_outcome(*p); outcome != ShareOutcome::kOk) return outcome;
  std::error_code ec;
  for (const auto& item : fs::directory_iterator(*p, ec)) {
    struct stat st {};
    if (lstat(item.path().c_str(), &st) != 0) continue;  // gone meanwhile
    if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) continue;
    entries->push_back({item.path().filename().string(), S_ISDIR(st.st_mode),
                        S_ISREG(st.st_mode) ? static_cast<std::uint64_t>(st.st_size) : 0});
  }
  if (ec) {
    errno = ec.value();
    return io_error("list " + p->string());
  }
  std::sort(entries->begin(), entries->end(), [](const ShareEntry& a, const ShareEntry& b) { return a.name < b.name; });
  return ShareOutcome::kOk;
}

ShareOutcome FileShare::create_file(const SharePath& path, std::uint64_t length) {
  if (path.empty()) return ShareOutcome::kTypeMismatch;
  const auto p = resolve_parent(path);
  if (!p) return ShareOutcome::kParentNotFound;
  const auto kind = kind_of(*p);
  if (kind == Kind::kDirectory) return ShareOutcome::kTypeMismatch;
  if (kind == Kind::kOther && unlink(p->c_str()) != 0) return io_error("unlink " + p->string());
  // O_NOFOLLOW: a link put there since the check is refused rather than followed.
  const int fd = open(p->c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) return io_error("create " + p->string());
  const bool sized = ftruncate(fd, static_cast<off_t>(length)) == 0;
  const auto outcome = sized ? ShareOutcome::kOk : io_error("truncate " + p->string());
  close(fd);
  return outcome;
}

ShareOutcome FileShare::open_file(const SharePath& path, int flags, int* fd, std::uint64_t* size) {
  const auto p = resolve_parent(path);
  if (!p) return ShareOutcome::kParentNotFound;
  const auto kind = kind_of(*p);
  if (kind == Kind::kDirectory) return ShareOutcome::kTypeMismatch;
  if (kind != Kind::kFile) return ShareOutcome::kNotFound;
  *fd = open(p->c_str(), flags | O_NOFOLLOW | O_CLOEXEC);
  if (*fd < 0) return io_error("open " + p->string());
  struct stat st {};
  if (fstat(*fd, &st) != 0) {
    const auto outcome = io_error("stat " + p->string());
    close(*fd);
    return outcome;
  }
  *size = static_cast<std::uint64_t>(st.st_size);
  return ShareOutcome::kOk;
}

ShareOutcome FileShare::write_at(const SharePath& path, std::uint64_t offset, std::uint64_t length, const char* data) {
  int fd = -1;
  std::uint64_t size = 0;
  if (const auto o = open_file(path, O_WRONLY, &fd, &size); o != ShareOutcome::kOk) return o;
  if (offset + length > size) {
    close(fd);
    return ShareOutcome::kInvalidRange;
  }
  const std::string zeros(data ? 0 : std::min<std::uint64_t>(length, 1 << 20), '\0');
  std::uint64_t done = 0;
  while (done < length) {
    const auto chunk = data ? length - done : std::min<std::uint64_t>(length - done, zeros.size());
    const auto n = pwrite(fd, data ? data + done : zeros.data(), chunk, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const auto outcome = io_error("write " + path.back());
      close(fd);
      return outcome;
    }
    done += static_cast<std::uint64_t>(n);
  }
  close(fd);
  return ShareOutcome::kOk;
}

ShareOutcome FileShare::write_range(const SharePath& path, std::uint64_t offset, std::string_view data) {
  return write_at(path, offset, data.size(), data.data());
}

ShareOutcome FileShare::clear_range(const SharePath& path, std::uint64_t offset, std::uint64_t length) {
  return write_at(path, offset, length, nullptr);
}

ShareOutcome FileShare::read_range(const SharePath& path, std::uint64_t offset, std::uint64_t length,
                                   std::string* out) {
  int fd = -1;
  std::uint64_t size = 0;
  if (const auto o = open_file(path, O_RDONLY, &fd, &size); o != ShareOutcome::kOk) return o;
  if (offset >= size && !(offset == 0 && size == 0)) {
    close(fd);
    return ShareOutcome::kInvalidRange;
  }
  out->resize(std::min(length, size - offset));
  std::size_t done = 0;
  while (done < out->size()) {
    const auto n = pread(fd, out->data() + done, out->size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const auto outcome = io_error("read " + path.back());
      close(fd);
      return outcome;
    }
    if (n == 0) break;  // truncated meanwhile
    done += static_cast<std::size_t>(n);
  }
  out->resize(done);
  close(fd);
  return ShareOutcome::kOk;
}

ShareOutcome FileShare::delete_file(const SharePath& path) {
  const auto p = resolve_parent(path);
  if (!p) return ShareOutcome::kParentNotFound;
  const auto kind = kind_of(*p);
  if (kind == Kind::kDirectory) return ShareOutcome::kTypeMismatch;
  if (kind != Kind::kFile) return ShareOutcome::kNotFound;
  if (unlink(p->c_str()) != 0) return errno == ENOENT ? ShareOutcome::kNotFound : io_error("unlink " + p->string());
  return ShareOutcome::kOk;
}

ShareOutcome FileShare::stat(const SharePath& path, ShareItem* item) {
  const auto p = resolve_parent(path);
  if (!p) return ShareOutcome::kParentNotFound;
  struct stat st {};
  if (lstat(p->c_str(), &st) != 0 || (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))) return ShareOutcome::kNotFound;
  item->directory = S_ISDIR(st.st_mode);
  item->size = item->directory ? 0 : static_cast<std::uint64_t>(st.st_size);
  item->modified = modified_time(st);
  return ShareOutcome::kOk;
}

}  // namespace frankenetes::sim
