#include "storage/blob_paths.h"

#include <gtest/gtest.h>

#include "core/base64.h"

namespace frankenetes::storage {
namespace {

TEST(BlobPaths, EncodesNamesKeepingSlashes) {
  EXPECT_EQ(encode_blob_path("frankenetes", ""), "/frankenetes");
  EXPECT_EQ(encode_blob_path("frankenetes", "etcd/snap-1.db"), "/frankenetes/etcd/snap-1.db");
  EXPECT_EQ(encode_blob_path("c", "a b/c?d#e%f+g&h=i"), "/c/a%20b/c%3Fd%23e%25f%2Bg%26h%3Di");
  EXPECT_EQ(encode_blob_path("c", "über"), "/c/%C3%BCber");
  EXPECT_EQ(encode_blob_path("c", "/lead//double"), "/c//lead//double");
}

TEST(BlobPaths, UrlAppendsPathAndEncodedQuery) {
  EXPECT_EQ(blob_url("http://127.0.0.1:10000/devstoreaccount1", "snapshots", "etcd/a b",
                     {{"comp", "block"}, {"blockid", "MDAwMDAwMDA="}}),
            "http://127.0.0.1:10000/devstoreaccount1/snapshots/etcd/a%20b"
            "?comp=block&blockid=MDAwMDAwMDA%3D");
  EXPECT_EQ(blob_url("https://acct.blob.core.windows.net", "c", "", {{"prefix", "x/y z"}}),
            "https://acct.blob.core.windows.net/c?prefix=x%2Fy%20z");
}

TEST(BlobPaths, BlockIdsHaveOneLength) {
  EXPECT_EQ(block_id(0), "MDAwMDAwMDA=");
  EXPECT_EQ(core::base64_decode(block_id(49999)), "00049999");
  EXPECT_EQ(block_id(7).size(), block_id(49999).size());
}

TEST(BlobPaths, BlobNameRules) {
  EXPECT_TRUE(check_blob_name("etcd/2026-01-01T00:00:00Z.db").ok());
  EXPECT_TRUE(check_blob_name(std::string(1024, 'a')).ok());
  for (const std::string& bad :
       {std::string(), std::string(1025, 'a'), std::string("a\nb"), std::string("dir/"),
        std::string("name."), std::string("a/../b"), std::string("./a"), std::string("a\x7f")}) {
    const auto status = check_blob_name(bad);
    EXPECT_FALSE(status.ok()) << bad;
    if (!status.ok()) {
      EXPECT_EQ(status.error().kind, core::ErrorKind::kTerminal);
    }
  }
}

TEST(BlobPaths, MetadataRules) {
  EXPECT_TRUE(check_metadata({{"etcd_revision", "1234"}, {"_x", "a b"}}).ok());
  EXPECT_FALSE(check_metadata({{"Revision", "1"}}).ok());  // lowercase only
  EXPECT_FALSE(check_metadata({{"1st", "1"}}).ok());
  EXPECT_FALSE(check_metadata({{"a-b", "1"}}).ok());
  EXPECT_FALSE(check_metadata({{"a", ""}}).ok());
  EXPECT_FALSE(check_metadata({{"a", " padded"}}).ok());
  EXPECT_FALSE(check_metadata({{"a", "line\nbreak"}}).ok());
  EXPECT_FALSE(check_metadata({{"a", std::string(9000, 'x')}}).ok());
  const auto status = check_metadata({{"Bad-Name", "s3cret-value"}});
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("Bad-Name"), std::string::npos);
  EXPECT_EQ(status.error().message.find("s3cret-value"), std::string::npos);
}

}  // namespace
}  // namespace frankenetes::storage
