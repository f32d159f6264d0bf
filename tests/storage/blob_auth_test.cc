// Entra ID tokens for Blob Storage: the scope asked for, the header set, failures; and the
// factory that picks Shared Key or tokens from the storage section.

#include "storage/blob_auth.h"

#include <gtest/gtest.h>

#include "azure/fake_token_credential.h"
#include "support/temp_dir.h"

namespace frankenetes::storage {
namespace {

using frankenetes::testing::FakeTokenCredential;
using frankenetes::testing::TempDir;

TEST(BearerTokenAuthorizer, AsksForTheStorageScopeAndSetsTheHeader) {
  FakeTokenCredential credential("storage-token-SECRET");
  BearerTokenAuthorizer authorizer(credential);
  http::ClientRequest request;
  request.operation = "blob.get";
  ASSERT_TRUE(authorizer.authorize(request).ok());
  EXPECT_EQ(credential.last_scope(), "https://storage.azure.com/.default");
  EXPECT_EQ(request.headers["Authorization"], "Bearer storage-token-SECRET");
  EXPECT_EQ(authorizer.name(), "entra:fake");
}

TEST(BearerTokenAuthorizer, ACredentialFailureIsTheErrorWithContext) {
  FakeTokenCredential credential;
  credential.fail_with(core::make_error(core::ErrorKind::kTransient, "IMDS timed out"));
  BearerTokenAuthorizer authorizer(credential);
  http::ClientRequest request;
  request.operation = "blob.put_block";
  const auto status = authorizer.authorize(request);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, core::ErrorKind::kTransient);
  EXPECT_EQ(status.error().message,
            "blob.put_block: no access token for Azure Storage (fake): IMDS timed out");
  EXPECT_FALSE(request.headers.contains("Authorization"));
}

TEST(MakeBlobAuthorizer, PicksTokensOrTheKey) {
  FakeTokenCredential credential;
  config::StorageConfig storage;
  storage.account = "frankenetesdata";
  storage.auth = config::StorageAuth::kAzure;
  auto bearer = make_blob_authorizer(storage, credential);
  ASSERT_TRUE(bearer.ok());
  EXPECT_EQ((*bearer)->name(), "entra:fake");

  TempDir dir;
  storage.auth = config::StorageAuth::kSharedKey;
  storage.key = config::SecretSource{std::nullopt, dir.write("key", "a2V5\n")};
  auto shared = make_blob_authorizer(storage, credential);
  ASSERT_TRUE(shared.ok()) << shared.error().message;
  EXPECT_EQ((*shared)->name(), "shared_key");
  http::ClientRequest request;
  request.method = "GET";
  request.url = "https://frankenetesdata.blob.core.windows.net/c/b";
  ASSERT_TRUE((*shared)->authorize(request).ok());
  EXPECT_TRUE(request.headers["Authorization"].starts_with("SharedKey frankenetesdata:"));

  storage.key = config::SecretSource{std::nullopt, (dir.path() / "missing").string()};
  const auto missing = make_blob_authorizer(storage, credential);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, core::ErrorKind::kInvalidConfig);
}

}  // namespace
}  // namespace frankenetes::storage
