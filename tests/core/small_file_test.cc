#include "core/small_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace frankenetes::core {
namespace {

class SmallFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() / ("small_file_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& content) {
    const auto path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }
  std::filesystem::path dir_;
};

TEST_F(SmallFileTest, ReadsUpToTheLimit) {
  const auto path = write("ok", std::string(kMaxSecretFileBytes, 'x'));
  const auto content = read_small_file(path, kMaxSecretFileBytes);
  ASSERT_TRUE(content.ok()) << content.error().message;
  EXPECT_EQ(content->size(), kMaxSecretFileBytes);
  EXPECT_EQ(*read_small_file(write("empty", ""), 10), "");
}

TEST_F(SmallFileTest, ErrorsNameTheFileAndNeverItsContent) {
  const auto big = write("big", std::string(kMaxSecretFileBytes + 1, 'x'));
  auto got = read_small_file(big, kMaxSecretFileBytes, "client secret file");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().kind, ErrorKind::kInvalidConfig);
  EXPECT_EQ(got.error().message, "client secret file " + big + " is larger than 64 KiB");

  const auto absent = (dir_ / "absent").string();
  got = read_small_file(absent, 1024 * 1024, "spec file");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().kind, ErrorKind::kInvalidConfig);
  EXPECT_EQ(got.error().message, "cannot read spec file " + absent + ": No such file or directory");

  got = read_small_file(dir_.string(), 1024);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().message, "cannot read file " + dir_.string() + ": Is a directory");

  got = read_small_file(write("odd", "zzzzz"), 4);
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.error().message.find("is larger than 4 bytes"), std::string::npos);
  EXPECT_EQ(got.error().message.find("zzzz"), std::string::npos);
}

}  // namespace
}  // namespace frankenetes::core
