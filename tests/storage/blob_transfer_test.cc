// Streamed upload and download against a scripted FakeTransport: how a source is cut into
// requests, that memory stays bounded by the block size, and that a blob replaced mid-download
// is an error.

#include "storage/blob_transfer.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "azure/fake_token_credential.h"
#include "storage/blob_xml.h"
#include "support/fake_transport.h"

namespace frankenetes::storage {
namespace {

using frankenetes::testing::FakeTimeSource;
using frankenetes::testing::FakeTokenCredential;
using frankenetes::testing::FakeTransport;

// Hands out `data` in pieces of at most `piece` bytes and records the buffer sizes it was given.
struct StringReader {
  std::string data;
  std::size_t piece = 3;
  std::size_t position = 0;
  std::size_t largest_buffer = 0;
  int calls_after_end = 0;

  BlobReader reader() {
    return [this](std::span<char> buffer) -> core::Result<std::size_t> {
      largest_buffer = std::max(largest_buffer, buffer.size());
      if (position == data.size()) ++calls_after_end;
      const auto n = std::min({piece, buffer.size(), data.size() - position});
      std::copy_n(data.begin() + static_cast<std::ptrdiff_t>(position), n, buffer.begin());
      position += n;
      return n;
    };
  }
};

http::Headers etag(const std::string& value) {
  http::Headers h;
  h["ETag"] = value;
  return h;
}

class TransferTest : public ::testing::Test {
 protected:
  TransferTest() {
    BlobServiceSettings settings;
    settings.account = "acct";
    settings.endpoint = "https://acct.blob.core.windows.net";
    service_ = std::make_unique<BlobService>(transport_, authorizer_, time_, settings);
    blobs_ = std::make_unique<BlobClient>(*service_, "snapshots");
  }

  UploadOptions blocks_of(std::size_t size) {
    UploadOptions options;
    options.block_size = size;
    return options;
  }

  FakeTimeSource time_;
  FakeTransport transport_;
  FakeTokenCredential credential_;
  BearerTokenAuthorizer authorizer_{credential_};
  std::unique_ptr<BlobService> service_;
  std::unique_ptr<BlobClient> blobs_;
};

TEST_F(TransferTest, ASourceThatFitsOneBlockIsOnePutBlob) {
  StringReader source{"0123456789"};
  transport_.push(201, "", etag("\"0x1\""));
  const auto result = upload_blob(*blobs_, "etcd/small", source.reader(), blocks_of(16));
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->blocks, 0u);
  EXPECT_EQ(result->size, 10u);
  EXPECT_EQ(result->written.etag, "\"0x1\"");
  ASSERT_EQ(transport_.requests().size(), 1u);
  EXPECT_EQ(transport_.requests()[0].operation, "blob.put");
  EXPECT_EQ(transport_.requests()[0].body, "0123456789");
}

TEST_F(TransferTest, AnEmptySourceIsAnEmptyBlob) {
  StringReader source{""};
  transport_.push(201, "", etag("\"0x1\""));
  const auto result = upload_blob(*blobs_, "etcd/empty", source.reader());
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(transport_.requests()[0].body, "");
}

TEST_F(TransferTest, ALargerSourceGoesUpInBlocksThenOneBlockList) {
  StringReader source{"0123456789"};
  for (int i = 0; i < 3; ++i) transport_.push(201);
  transport_.push(201, "", etag("\"0x2\""));
  auto options = blocks_of(4);
  options.put.metadata = {{"revision", "9"}};
  options.put.conditions.lease_id = "lease-1";
  const auto result = upload_blob(*blobs_, "etcd/big", source.reader(), options);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->blocks, 3u);
  EXPECT_EQ(result->size, 10u);
  EXPECT_LE(source.largest_buffer, 4u);  // the client never asked for more than one block
  const auto& requests = transport_.requests();
  ASSERT_EQ(requests.size(), 4u);
  const std::vector<std::string> bodies{"0123", "4567", "89"};
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(requests[i].operation, "blob.put_block");
    EXPECT_EQ(requests[i].body, bodies[i]);
    EXPECT_EQ(requests[i].headers.at("x-ms-lease-id"), "lease-1");
    EXPECT_NE(requests[i].url.find("blockid=" + http::percent_encode_component(block_id(i))),
              std::string::npos);
  }
  EXPECT_EQ(requests[3].operation, "blob.put_block_list");
  EXPECT_EQ(requests[3].body, block_list_xml({block_id(0), block_id(1), block_id(2)}));
  EXPECT_EQ(requests[3].headers.at("x-ms-meta-revision"), "9");
  EXPECT_EQ(requests[3].headers.at("x-ms-lease-id"), "lease-1");
}

TEST_F(TransferTest, MetadataKnownOnlyAtTheEndGoesOnTheCommittingRequest) {
  for (const std::size_t block : {std::size_t{16}, std::size_t{4}}) {  // Put Blob; blocks
    StringReader source{"0123456789"};
    const std::size_t requests_before = transport_.requests().size();
    const std::size_t expected = block == 16 ? 1 : 4;
    for (std::size_t i = 0; i < expected; ++i) transport_.push(201, "", etag("\"0x9\""));
    auto options = blocks_of(block);
    options.put.metadata = {{"revision", "9"}};
    bool called_after_end = false;
    options.metadata_at_end = [&]() -> core::Result<Metadata> {
      called_after_end = source.position == source.data.size();
      return Metadata{{"sha256", "abc"}, {"revision", "10"}};
    };
    const auto result = upload_blob(*blobs_, "etcd/meta", source.reader(), options);
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_TRUE(called_after_end);
    ASSERT_EQ(transport_.requests().size(), requests_before + expected);
    const auto& last = transport_.requests().back();
    EXPECT_EQ(last.headers.at("x-ms-meta-sha256"), "abc");
    EXPECT_EQ(last.headers.at("x-ms-meta-revision"), "10") << "the later value wins";
  }
}

TEST_F(TransferTest, AnErrorFromMetadataAtEndCommitsNothing) {
  StringReader source{"0123456789"};
  transport_.push(201);
  transport_.push(201);
  transport_.push(201);
  auto options = blocks_of(4);
  options.metadata_at_end = []() -> core::Result<Metadata> {
    return core::make_error(core::ErrorKind::kTerminal, "checksum mismatch");
  };
  const auto result = upload_blob(*blobs_, "etcd/meta", source.reader(), options);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message, "checksum mismatch");
  for (const auto& request : transport_.requests()) {
    EXPECT_NE(request.operation, "blob.put_block_list");
  }
}

TEST_F(TransferTest, AnExactMultipleOfTheBlockSizeNeedsNoEmptyBlock) {
  StringReader source{"01234567", 8};
  transport_.push(201);
  transport_.push(201);
  transport_.push(201, "", etag("\"0x3\""));
  const auto result = upload_blob(*blobs_, "etcd/exact", source.reader(), blocks_of(4));
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->blocks, 2u);
  EXPECT_EQ(source.calls_after_end, 1);  // asked once more, told "end", never again
}

TEST_F(TransferTest, AFailureStopsBeforeTheBlockList) {
  StringReader source{"0123456789"};
  transport_.push(201);
  transport_.push(403, "", [] {
    http::Headers h;
    h["x-ms-error-code"] = "AuthenticationFailed";
    return h;
  }());
  const auto result = upload_blob(*blobs_, "etcd/big", source.reader(), blocks_of(4));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().azure_code, "AuthenticationFailed");
  EXPECT_TRUE(result.error().message.starts_with("upload: block 2: blob.put_block: "));
  EXPECT_EQ(transport_.requests().size(), 2u);

  BlobReader failing = [](std::span<char>) -> core::Result<std::size_t> {
    return core::make_error(core::ErrorKind::kTerminal, "disk read error");
  };
  const auto unread = upload_blob(*blobs_, "etcd/x", failing);
  ASSERT_FALSE(unread.ok());
  EXPECT_EQ(unread.error().message, "upload: reading the data: disk read error");
  EXPECT_EQ(transport_.requests().size(), 2u);

  BlobReader lying = [](std::span<char> buffer) -> core::Result<std::size_t> {
    return buffer.size() + 1;
  };
  EXPECT_FALSE(upload_blob(*blobs_, "etcd/x", lying).ok());
  EXPECT_FALSE(upload_blob(*blobs_, "etcd/x", source.reader(), blocks_of(0)).ok());
}

http::Headers properties(std::uint64_t size, const std::string& tag) {
  http::Headers h;
  h["Content-Length"] = std::to_string(size);
  h["ETag"] = tag;
  return h;
}

http::Headers range(std::uint64_t first, std::uint64_t last, std::uint64_t total,
                    const std::string& tag) {
  http::Headers h;
  h["Content-Range"] =
      "bytes " + std::to_string(first) + "-" + std::to_string(last) + "/" + std::to_string(total);
  h["ETag"] = tag;
  return h;
}

TEST_F(TransferTest, DownloadReadsRangesOfOneVersionInOrder) {
  transport_.push(200, "", properties(10, "\"v1\""));
  transport_.push(206, "0123", range(0, 3, 10, "\"v1\""));
  transport_.push(206, "4567", range(4, 7, 10, "\"v1\""));
  transport_.push(206, "89", range(8, 9, 10, "\"v1\""));
  std::vector<std::string> chunks;
  DownloadOptions options;
  options.chunk_size = 4;
  const auto result = download_blob(
      *blobs_, "etcd/s",
      [&](std::string_view chunk) {
        chunks.emplace_back(chunk);
        return core::Status();
      },
      options);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->etag, "\"v1\"");
  EXPECT_EQ(chunks, (std::vector<std::string>{"0123", "4567", "89"}));
  const auto& requests = transport_.requests();
  ASSERT_EQ(requests.size(), 4u);
  EXPECT_EQ(requests[0].method, "HEAD");
  EXPECT_EQ(requests[3].headers.at("x-ms-range"), "bytes=8-9");  // no more than is left
  for (std::size_t i = 1; i < 4; ++i) EXPECT_EQ(requests[i].headers.at("If-Match"), "\"v1\"");
}

TEST_F(TransferTest, AnEmptyBlobNeedsNoRange) {
  transport_.push(200, "", properties(0, "\"v1\""));
  int calls = 0;
  const auto result = download_blob(*blobs_, "etcd/e", [&](std::string_view) {
    ++calls;
    return core::Status();
  });
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(transport_.requests().size(), 1u);
}

TEST_F(TransferTest, ABlobReplacedMidDownloadIsAConflict) {
  DownloadOptions options;
  options.chunk_size = 4;
  auto ignore = [](std::string_view) { return core::Status(); };

  transport_.push(200, "", properties(10, "\"v1\""));
  transport_.push(206, "0123", range(0, 3, 10, "\"v1\""));
  http::Headers not_met;
  not_met["x-ms-error-code"] = "ConditionNotMet";
  transport_.push(412, "", not_met);
  const auto refused = download_blob(*blobs_, "etcd/s", ignore, options);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().kind, core::ErrorKind::kConflict);
  EXPECT_TRUE(refused.error().message.starts_with("download: \"etcd/s\" changed during download"))
      << refused.error().message;

  // A service that ignored If-Match must not get past the ETag check either.
  transport_.push(200, "", properties(10, "\"v1\""));
  transport_.push(206, "0123", range(0, 3, 10, "\"v2\""));
  const auto swapped = download_blob(*blobs_, "etcd/s", ignore, options);
  ASSERT_FALSE(swapped.ok());
  EXPECT_EQ(swapped.error().kind, core::ErrorKind::kConflict);
}

TEST_F(TransferTest, AWriterErrorStopsTheDownload) {
  transport_.push(200, "", properties(10, "\"v1\""));
  transport_.push(206, "0123", range(0, 3, 10, "\"v1\""));
  DownloadOptions options;
  options.chunk_size = 4;
  const auto result = download_blob(
      *blobs_, "etcd/s",
      [](std::string_view) { return core::make_error(core::ErrorKind::kTerminal, "disk full"); },
      options);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message, "download: writing the data: disk full");
  EXPECT_EQ(transport_.requests().size(), 2u);
}

}  // namespace
}  // namespace frankenetes::storage
