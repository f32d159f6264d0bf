#include "dns/secret_loader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace frankenetes::dns {
namespace {

class SecretLoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "fk-secret-loader-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& content) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  std::string dir_;
};

TEST_F(SecretLoaderTest, ValueAndFileWithTrailingNewline) {
  config::SecretSource value;
  value.value = core::Secret("abc");
  auto secret = load_secret(value, "test secret");
  ASSERT_TRUE(secret.ok());
  EXPECT_EQ(secret->reveal(), "abc");

  config::SecretSource file;
  file.file = write("token", "from-file\r\n");
  secret = load_secret(file, "test secret");
  ASSERT_TRUE(secret.ok());
  EXPECT_EQ(secret->reveal(), "from-file");
}

TEST_F(SecretLoaderTest, ProblemsAreInvalidConfigAndNameTheSecretNotItsValue) {
  config::SecretSource none;
  auto secret = load_secret(none, "cloudflare 'cf' api token");
  ASSERT_FALSE(secret.ok());
  EXPECT_EQ(secret.error().kind, core::ErrorKind::kInvalidConfig);
  EXPECT_NE(secret.error().message.find("cloudflare 'cf' api token"), std::string::npos);

  config::SecretSource missing;
  missing.file = dir_ + "/absent";
  EXPECT_FALSE(load_secret(missing, "x").ok());

  config::SecretSource empty;
  empty.file = write("empty", "\n");
  EXPECT_FALSE(load_secret(empty, "x").ok());

  config::SecretSource huge;
  huge.file = write("huge", std::string(70 * 1024, 'A'));
  secret = load_secret(huge, "x");
  ASSERT_FALSE(secret.ok());
  EXPECT_NE(secret.error().message.find("64 KiB"), std::string::npos);
  EXPECT_EQ(secret.error().message.find("AAAA"), std::string::npos);
}

}  // namespace
}  // namespace frankenetes::dns
