#pragma once
// TempDir: a fresh directory under the system's temporary directory, removed with everything in
// it when the object goes. For tests that write files (secrets, keys, data directories).

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace frankenetes::testing {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "fk-test") {
    std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // Empty when the directory could not be made.
  const std::filesystem::path& path() const { return path_; }

  // Writes `content` to `name` in the directory (replacing it in place) and returns its path.
  std::string write(const std::string& name, const std::string& content) const {
    const auto file = (path_ / name).string();
    std::ofstream(file, std::ios::binary | std::ios::trunc) << content;
    return file;
  }
  // Replaces `name` by renaming a new file over it, as tools that write secrets atomically do.
  std::string replace(const std::string& name, const std::string& content) const {
    const auto staged = write(name + ".new", content);
    const auto file = (path_ / name).string();
    std::filesystem::rename(staged, file);
    return file;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace frankenetes::testing
