// AccountKey: read from a file or the environment, re-read when the file changes, and never
// shown — not in an Error, not in a log line.

#include "storage/account_key.h"

#include <gtest/gtest.h>

#include "core/base64.h"
#include "log/event.h"
#include "support/temp_dir.h"

namespace frankenetes::storage {
namespace {

using frankenetes::testing::TempDir;

constexpr std::string_view kKey1 =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
// Another 64-byte key, as a rotation produces.
const std::string kKey2 = core::base64_encode(std::string(64, '\x5a'));

std::string bytes(std::string_view base64) { return *core::base64_decode(base64); }

config::SecretSource from_file(const std::string& path) { return {std::nullopt, path}; }

// Captures what the process logs to stderr while `body` runs, with every level enabled.
template <typename F>
std::string logged_while(F&& body) {
  log::configure(log::Level::kTrace, log::Format::kText);
  ::testing::internal::CaptureStderr();
  body();
  return ::testing::internal::GetCapturedStderr();
}

TEST(AccountKey, ReadsTheFileTrimmingTheNewline) {
  TempDir dir;
  auto key = AccountKey::create(from_file(dir.write("key", std::string(kKey1) + "\n")));
  ASSERT_TRUE(key.ok()) << key.error().message;
  EXPECT_EQ((*key)->current().reveal(), bytes(kKey1));
}

TEST(AccountKey, FromTheEnvironment) {
  auto key = AccountKey::create({core::Secret(std::string(kKey1)), std::nullopt});
  ASSERT_TRUE(key.ok());
  EXPECT_EQ((*key)->current().reveal(), bytes(kKey1));
}

TEST(AccountKey, ARotatedFileIsPickedUpWithoutAReload) {
  TempDir dir;
  auto key = AccountKey::create(from_file(dir.write("key", std::string(kKey1))));
  ASSERT_TRUE(key.ok());
  const auto log = logged_while([&] {
    dir.replace("key", kKey2 + "\n");
    EXPECT_EQ((*key)->current().reveal(), bytes(kKey2));
    EXPECT_EQ((*key)->current().reveal(), bytes(kKey2));  // unchanged file: no second reload
  });
  EXPECT_NE(log.find("storage.account_key.reloaded"), std::string::npos) << log;
  EXPECT_EQ(log.find("reloaded", log.find("reloaded") + 1), std::string::npos) << log;
  EXPECT_EQ(log.find(kKey2), std::string::npos);
}

TEST(AccountKey, ABrokenNewFileKeepsTheLastGoodKey) {
  TempDir dir;
  auto key = AccountKey::create(from_file(dir.write("key", std::string(kKey1))));
  ASSERT_TRUE(key.ok());
  const std::string damaged =
      std::string(kKey1.substr(0, 40)) + "!!" + std::string(kKey1.substr(42));
  const auto log = logged_while([&] {
    dir.replace("key", damaged);
    EXPECT_EQ((*key)->current().reveal(), bytes(kKey1));
    std::filesystem::remove(dir.path() / "key");  // gone for a moment, mid-rotation
    EXPECT_EQ((*key)->current().reveal(), bytes(kKey1));
  });
  EXPECT_NE(log.find("storage.account_key.unusable"), std::string::npos) << log;
  EXPECT_NE(log.find("keeping the previous key"), std::string::npos) << log;
  EXPECT_EQ(log.find(damaged.substr(0, 20)), std::string::npos) << log;
  EXPECT_EQ(log.find(kKey1.substr(0, 20)), std::string::npos) << log;
}

TEST(AccountKey, CreateErrorsNameTheFileNeverTheContent) {
  TempDir dir;
  const auto missing = AccountKey::create(from_file((dir.path() / "absent").string()));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, core::ErrorKind::kInvalidConfig);
  EXPECT_NE(missing.error().message.find("absent"), std::string::npos);

  const std::string not_base64 = "this is my key, not base64";
  const auto bad = AccountKey::create(from_file(dir.write("bad", not_base64)));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, core::ErrorKind::kInvalidConfig);
  EXPECT_NE(bad.error().message.find("is not base64"), std::string::npos);
  EXPECT_EQ(bad.error().describe().find(not_base64), std::string::npos);

  const auto empty = AccountKey::create(from_file(dir.write("empty", "\n")));
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.error().message.find("is empty"), std::string::npos);

  const auto bad_env = AccountKey::create({core::Secret("not base64 either"), std::nullopt});
  ASSERT_FALSE(bad_env.ok());
  EXPECT_EQ(bad_env.error().message.find("either"), std::string::npos);
}

}  // namespace
}  // namespace frankenetes::storage
