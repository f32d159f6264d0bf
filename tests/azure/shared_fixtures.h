#pragma once
// Locates ../shared/fixtures (real example payloads, never copied into the repo): env
// FRANKENETES_SHARED_DIR, else ${FRANKENETES_SOURCE_DIR}/../shared (set by ctest). Tests call
// FK_REQUIRE_ACI_FIXTURES() to GTEST_SKIP with a clear message when the directory is absent.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

namespace frankenetes::testing {

inline std::optional<std::filesystem::path> shared_dir() {
  if (const char* dir = std::getenv("FRANKENETES_SHARED_DIR"); dir != nullptr && *dir != '\0') {
    return std::filesystem::path(dir);
  }
  if (const char* src = std::getenv("FRANKENETES_SOURCE_DIR"); src != nullptr && *src != '\0') {
    return std::filesystem::path(src) / ".." / "shared";
  }
  return std::nullopt;
}

inline std::optional<std::filesystem::path> aci_fixture_dir() {
  const auto dir = shared_dir();
  if (!dir) return std::nullopt;
  auto aci = *dir / "fixtures" / "aci";
  std::error_code ec;
  if (!std::filesystem::is_directory(aci, ec)) return std::nullopt;
  return aci;
}

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace frankenetes::testing

#define FK_REQUIRE_ACI_FIXTURES(var)                                                        \
  const auto var##_opt = ::frankenetes::testing::aci_fixture_dir();                         \
  if (!var##_opt) {                                                                         \
    GTEST_SKIP() << "shared ACI fixtures not found: set FRANKENETES_SHARED_DIR or run via " \
                    "ctest (FRANKENETES_SOURCE_DIR/../shared/fixtures/aci)";                \
  }                                                                                         \
  const std::filesystem::path var = *var##_opt
