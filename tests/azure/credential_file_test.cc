#include "azure/credential_file.h"

#include <gtest/gtest.h>

#include "azure/credential_fakes.h"
#include "azure/credential_static.h"
#include "core/small_file.h"
#include "support/fake_time_source.h"

namespace frankenetes::azure {
namespace {

using namespace credential_testing;

TEST(CredentialFileTest, TrimsSurroundingWhitespace) {
  ScratchDir dir;
  const auto secret = read_secret_file(dir.write("s", "\n  value with inner space \r\n"), "test");
  ASSERT_TRUE(secret.ok());
  EXPECT_EQ(secret->reveal(), "value with inner space");
}

TEST(CredentialFileTest, MissingEmptyAndOversizedFilesAreConfigErrors) {
  ScratchDir dir;
  const std::vector<std::string> paths{
      dir.path("absent"), dir.write("empty", "\n\t "),
      dir.write("big", std::string(core::kMaxSecretFileBytes + 1, 'x'))};
  for (const auto& path : paths) {
    const auto secret = read_secret_file(path, "client secret");
    ASSERT_FALSE(secret.ok()) << path;
    EXPECT_EQ(secret.error().kind, core::ErrorKind::kInvalidConfig);
    EXPECT_NE(secret.error().message.find("client secret file " + path), std::string::npos)
        << secret.error().message;
    EXPECT_EQ(secret.error().message.find("xxxx"), std::string::npos);
  }
}

TEST(StaticTokenCredentialTest, ReadsTheFileOnEveryCall) {
  ScratchDir dir;
  testing::FakeTimeSource time;
  StaticTokenCredential credential(dir.write("token", "static-1\n"), time);
  auto first = credential.get_token(kArmScope);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->token.reveal(), "static-1");
  EXPECT_EQ(first->expires_on, time.system_time() + kStaticTokenLifetime);
  dir.write("token", "static-2");
  EXPECT_EQ(credential.get_token("any-scope")->token.reveal(), "static-2");
  EXPECT_EQ(credential.name(), "static");
}

TEST(StaticTokenCredentialTest, MissingFileNamesThePath) {
  ScratchDir dir;
  testing::FakeTimeSource time;
  StaticTokenCredential credential(dir.path("none"), time);
  const auto token = credential.get_token(kArmScope);
  ASSERT_FALSE(token.ok());
  EXPECT_NE(token.error().message.find(dir.path("none")), std::string::npos);
}

}  // namespace
}  // namespace frankenetes::azure
