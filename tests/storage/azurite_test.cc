// lib/storage against a real Azurite (tests/support/azurite_server.h) over real HTTP sockets on
// loopback, through the daemon's transport stack (RetryingTransport -> ObservingTransport ->
// HttpClient). One Azurite serves the whole binary; each test uses a container of its own.
// Without Azurite the tests are skipped, except under CI (CI set), where they fail.

#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>
#include <random>

#include "core/base64.h"
#include "core/sleeper.h"
#include "http/client.h"
#include "http/observing_transport.h"
#include "http/retrying_transport.h"
#include "storage/blob_lease.h"
#include "storage/blob_transfer.h"
#include "storage/storage_error.h"
#include "support/azurite_server.h"
#include "support/temp_dir.h"

namespace frankenetes::storage {
namespace {

using frankenetes::testing::AzuriteServer;
using frankenetes::testing::TempDir;
constexpr std::size_t kMiB = 1024 * 1024;

class AzuriteTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!AzuriteServer::unavailable_reason().empty()) return;
    server_ = new AzuriteServer();
    if (!server_->start()) start_error_ = new std::string(server_->error());
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
    delete start_error_;
    start_error_ = nullptr;
  }

  void SetUp() override {
    if (const auto why = AzuriteServer::unavailable_reason(); !why.empty()) {
      if (AzuriteServer::required()) FAIL() << why << " (CI is set: not skipping)";
      GTEST_SKIP() << why;
    }
    ASSERT_EQ(start_error_, nullptr) << *start_error_;
    auto client = http::HttpClient::create({});
    ASSERT_TRUE(client.ok()) << client.error().message;
    client_ = std::move(*client);
    observed_ = std::make_unique<http::ObservingTransport>(
        *client_, time_, [this](const http::RequestRecord& record) {
          std::lock_guard lock(records_mutex_);
          records_.push_back(record);
        });
    retrying_ =
        std::make_unique<http::RetryingTransport>(*observed_, budget_, gate_, time_, sleeper_);
    authorizer_ = shared_key(AzuriteServer::kKey);
    ASSERT_NE(authorizer_, nullptr);
    service_ = make_service(*authorizer_);
    // Container names: 3-63 lowercase letters, digits, hyphens.
    static int counter = 0;
    blobs_ = std::make_unique<BlobClient>(*service_, "test-" + std::to_string(++counter));
    const auto created = blobs_->create_container();
    ASSERT_TRUE(created.ok()) << created.error().describe();
    ASSERT_TRUE(*created);
  }

  std::unique_ptr<SharedKeyAuthorizer> shared_key(const std::string& key_text,
                                                  const std::string& file = "account-key") {
    auto key = AccountKey::create({std::nullopt, key_dir_.replace(file, key_text + "\n")});
    if (!key.ok()) return nullptr;
    return std::make_unique<SharedKeyAuthorizer>(AzuriteServer::kAccount, std::move(*key));
  }

  std::unique_ptr<BlobService> make_service(BlobAuthorizer& authorizer) {
    BlobServiceSettings settings;
    settings.account = AzuriteServer::kAccount;
    settings.endpoint = server_->endpoint();
    settings.version = "test";
    return std::make_unique<BlobService>(*retrying_, authorizer, time_, settings);
  }

  std::vector<std::string> operations() {
    std::lock_guard lock(records_mutex_);
    std::vector<std::string> out;
    for (const auto& record : records_) out.push_back(record.operation);
    return out;
  }

  static AzuriteServer* server_;
  static std::string* start_error_;

  core::RealTimeSource time_;
  core::RealSleeper sleeper_;
  http::RetryBudget budget_;
  http::ThrottleGate gate_{time_};
  std::unique_ptr<http::HttpClient> client_;
  std::unique_ptr<http::ObservingTransport> observed_;
  std::unique_ptr<http::RetryingTransport> retrying_;
  std::mutex records_mutex_;
  std::vector<http::RequestRecord> records_;
  TempDir key_dir_{"fk-azurite-key"};
  std::unique_ptr<SharedKeyAuthorizer> authorizer_;
  std::unique_ptr<BlobService> service_;
  std::unique_ptr<BlobClient> blobs_;
};

AzuriteServer* AzuriteTest::server_ = nullptr;
std::string* AzuriteTest::start_error_ = nullptr;

// A deterministic byte stream of any length that never exists whole in memory: the reader
// produces it and the checker compares against it again, one chunk at a time.
class PseudoRandomBytes {
 public:
  explicit PseudoRandomBytes(std::uint64_t seed) : engine_(seed) {}
  void fill(std::span<char> out) {
    for (char& c : out) c = static_cast<char>(engine_() & 0xFF);
  }

 private:
  std::mt19937_64 engine_;
};

BlobWriter collect_into(std::string& out) {
  return [&out](std::string_view chunk) {
    out.append(chunk);
    return core::Status();
  };
}

TEST_F(AzuriteTest, PutAndGetASmallBlob) {
  PutOptions options;
  options.content_type = "text/plain";
  options.metadata = {{"revision", "42"}, {"cluster_id", "cafe"}};
  const auto put = blobs_->put_blob("etcd/hello world.txt", "hello, blob", options);
  ASSERT_TRUE(put.ok()) << put.error().describe();
  EXPECT_FALSE(put->etag.empty());

  std::string body;
  const auto got = download_blob(*blobs_, "etcd/hello world.txt", collect_into(body));
  ASSERT_TRUE(got.ok()) << got.error().describe();
  EXPECT_EQ(body, "hello, blob");
  EXPECT_EQ(got->content_length, 11u);
  EXPECT_EQ(got->etag, put->etag);
  EXPECT_EQ(got->content_type, "text/plain");
  EXPECT_EQ(got->metadata, options.metadata);
  EXPECT_EQ(got->lease_state, LeaseState::kAvailable);
  ASSERT_TRUE(got->last_modified.has_value());
  EXPECT_LT(std::chrono::abs(*got->last_modified - time_.system_time()), std::chrono::minutes(5));
}

TEST_F(AzuriteTest, TwentyMiBStreamInFourMiBBlocksRoundTripsByteExact) {
  constexpr std::size_t kSize = 20 * kMiB;
  PseudoRandomBytes source(20260101);
  std::size_t produced = 0;
  std::size_t largest_read = 0;
  BlobReader reader = [&](std::span<char> buffer) -> core::Result<std::size_t> {
    largest_read = std::max(largest_read, buffer.size());
    // Hand out odd-sized pieces, as a network or pipe would.
    const std::size_t n = std::min({buffer.size(), kSize - produced, std::size_t{1000003}});
    source.fill(buffer.first(n));
    produced += n;
    return n;
  };
  UploadOptions upload_options;
  upload_options.put.metadata = {{"sha", "none"}};
  const auto uploaded = upload_blob(*blobs_, "etcd/snapshot.db", reader, upload_options);
  ASSERT_TRUE(uploaded.ok()) << uploaded.error().describe();
  EXPECT_EQ(uploaded->size, kSize);
  EXPECT_EQ(uploaded->blocks, 5u);
  EXPECT_LE(largest_read, 4 * kMiB);

  PseudoRandomBytes expected(20260101);
  std::size_t checked = 0;
  std::size_t largest_chunk = 0;
  std::size_t mismatches = 0;
  std::string want;
  const auto downloaded = download_blob(*blobs_, "etcd/snapshot.db", [&](std::string_view chunk) {
    largest_chunk = std::max(largest_chunk, chunk.size());
    want.resize(chunk.size());
    expected.fill(want);
    if (chunk != want) ++mismatches;
    checked += chunk.size();
    return core::Status();
  });
  ASSERT_TRUE(downloaded.ok()) << downloaded.error().describe();
  EXPECT_EQ(checked, kSize);
  EXPECT_EQ(mismatches, 0u);
  EXPECT_LE(largest_chunk, 4 * kMiB);
  EXPECT_EQ(downloaded->content_length, kSize);
  EXPECT_EQ(downloaded->metadata.at("sha"), "none");

  const auto ops = operations();
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "blob.put_block"), 5);
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "blob.put_block_list"), 1);
  EXPECT_EQ(std::count(ops.begin(), ops.end(), "blob.get"), 5);
}

TEST_F(AzuriteTest, ListByPrefixWithMetadataAcrossPages) {
  for (int i = 0; i < 5; ++i) {
    PutOptions options;
    options.metadata = {{"index", std::to_string(i)}};
    ASSERT_TRUE(blobs_->put_blob("etcd/snap-" + std::to_string(i), "x", options).ok());
  }
  ASSERT_TRUE(blobs_->put_blob("other/a", "y").ok());
  ASSERT_TRUE(blobs_->put_blob("etcd", "z").ok());

  ListBlobsOptions options;
  options.prefix = "etcd/";
  options.max_results = 2;
  options.include_metadata = true;
  const auto first = blobs_->list_blobs(options);
  ASSERT_TRUE(first.ok()) << first.error().describe();
  EXPECT_EQ(first->blobs.size(), 2u);
  EXPECT_TRUE(first->next_marker.has_value());

  const auto all = blobs_->list_all_blobs(options);
  ASSERT_TRUE(all.ok()) << all.error().describe();
  ASSERT_EQ(all->size(), 5u);
  for (int i = 0; i < 5; ++i) {
    const auto& blob = (*all)[static_cast<std::size_t>(i)];
    EXPECT_EQ(blob.name, "etcd/snap-" + std::to_string(i));
    EXPECT_EQ(blob.content_length, 1u);
    EXPECT_FALSE(blob.etag.empty());
    EXPECT_EQ(blob.metadata, (Metadata{{"index", std::to_string(i)}}));
  }
  const auto ops = operations();
  EXPECT_GE(std::count(ops.begin(), ops.end(), "blob.list"), 4);
}

TEST_F(AzuriteTest, DeletedBlobIsBlobNotFound) {
  ASSERT_TRUE(blobs_->put_blob("etcd/old", "x").ok());
  const auto deleted = blobs_->delete_blob("etcd/old");
  ASSERT_TRUE(deleted.ok()) << deleted.error().describe();
  const auto properties = blobs_->get_properties("etcd/old");
  ASSERT_FALSE(properties.ok());
  EXPECT_EQ(properties.error().kind, core::ErrorKind::kNotFound);
  EXPECT_EQ(properties.error().http_status, 404);
  EXPECT_EQ(properties.error().azure_code, "BlobNotFound");
  EXPECT_FALSE(properties.error().request_id.empty());
  const auto again = blobs_->delete_blob("etcd/old");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().azure_code, "BlobNotFound");
}

TEST_F(AzuriteTest, LeasesFenceWritersAndHandOver) {
  ASSERT_TRUE(blobs_->put_blob("coordination/prod", "").ok());
  BlobLeaseClient leases(*blobs_);
  const auto id = leases.acquire("coordination/prod", std::chrono::seconds(15));
  ASSERT_TRUE(id.ok()) << id.error().describe();

  const auto second = leases.acquire("coordination/prod", std::chrono::seconds(15));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().kind, core::ErrorKind::kConflict);
  EXPECT_EQ(second.error().azure_code, "LeaseAlreadyPresent");
  EXPECT_EQ(leases.acquire("coordination/prod", std::chrono::seconds(15), *id).value(), *id);

  EXPECT_TRUE(leases.renew("coordination/prod", *id).ok());
  const auto wrong_renew = leases.renew("coordination/prod", service_->new_guid());
  ASSERT_FALSE(wrong_renew.ok());
  EXPECT_EQ(wrong_renew.error().azure_code, "LeaseIdMismatchWithLeaseOperation");

  const auto unfenced = blobs_->put_blob("coordination/prod", "intruder");
  ASSERT_FALSE(unfenced.ok());
  EXPECT_EQ(unfenced.error().http_status, 412);
  EXPECT_EQ(unfenced.error().kind, core::ErrorKind::kConflict);
  EXPECT_EQ(unfenced.error().azure_code, "LeaseIdMissing");
  PutOptions holder;
  holder.conditions.lease_id = *id;
  EXPECT_TRUE(blobs_->put_blob("coordination/prod", "holder", holder).ok());
  WriteConditions no_lease;
  EXPECT_EQ(blobs_->delete_blob("coordination/prod", no_lease).error().azure_code,
            "LeaseIdMissing");

  const auto leased = blobs_->get_properties("coordination/prod");
  ASSERT_TRUE(leased.ok());
  EXPECT_EQ(leased->lease_state, LeaseState::kLeased);
  EXPECT_EQ(leased->lease_duration, "fixed");

  const auto changed = leases.change("coordination/prod", *id, service_->new_guid());
  ASSERT_TRUE(changed.ok()) << changed.error().describe();
  EXPECT_TRUE(leases.release("coordination/prod", *changed).ok());
  EXPECT_EQ(blobs_->get_properties("coordination/prod")->lease_state, LeaseState::kAvailable);

  const auto infinite = leases.acquire("coordination/prod", std::nullopt);
  ASSERT_TRUE(infinite.ok()) << infinite.error().describe();
  EXPECT_EQ(leases.break_lease("coordination/prod", std::chrono::seconds(0)).value(),
            std::chrono::seconds(0));
  const auto after_break = leases.renew("coordination/prod", *infinite);
  ASSERT_FALSE(after_break.ok());
  EXPECT_EQ(after_break.error().azure_code, "LeaseIsBrokenAndCannotBeRenewed");

  const auto missing = leases.acquire("coordination/none", std::chrono::seconds(15));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().azure_code, "BlobNotFound");
}

TEST_F(AzuriteTest, ABlobReplacedDuringDownloadIsAnError) {
  std::string content(3 * kMiB, 'a');
  std::size_t offset = 0;
  BlobReader reader = [&](std::span<char> buffer) -> core::Result<std::size_t> {
    const auto n = std::min(buffer.size(), content.size() - offset);
    std::copy_n(content.data() + offset, n, buffer.data());
    offset += n;
    return n;
  };
  UploadOptions options;
  options.block_size = kMiB;
  ASSERT_TRUE(upload_blob(*blobs_, "etcd/moving", reader, options).ok());

  DownloadOptions download;
  download.chunk_size = kMiB;
  int chunks = 0;
  const auto result = download_blob(
      *blobs_, "etcd/moving",
      [&](std::string_view) {
        if (++chunks == 1) {
          EXPECT_TRUE(blobs_->put_blob("etcd/moving", "replaced").ok());
        }
        return core::Status();
      },
      download);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(chunks, 1);
  EXPECT_EQ(result.error().kind, core::ErrorKind::kConflict);
  EXPECT_EQ(result.error().http_status, 412);
  EXPECT_NE(result.error().message.find("changed during download"), std::string::npos)
      << result.error().message;
}

TEST_F(AzuriteTest, AWrongKeyIsRefusedAndARotatedFileIsPickedUp) {
  const std::string wrong = core::base64_encode(std::string(64, '\x42'));
  auto wrong_authorizer = shared_key(wrong, "rotating-key");
  ASSERT_NE(wrong_authorizer, nullptr);
  auto service = make_service(*wrong_authorizer);
  BlobClient blobs(*service, blobs_->container());

  const auto refused = blobs.put_blob("etcd/x", "x");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().http_status, 403);
  EXPECT_EQ(refused.error().kind, core::ErrorKind::kTerminal);
  EXPECT_TRUE(is_authentication_failure(refused.error())) << refused.error().describe();
  EXPECT_NE(refused.error().message.find("check that the key file holds a current key"),
            std::string::npos);
  const auto text = refused.error().describe();
  EXPECT_EQ(text.find(wrong), std::string::npos);
  EXPECT_EQ(text.find(AzuriteServer::kKey), std::string::npos);
  EXPECT_EQ(text.find("SharedKey"), std::string::npos);

  // The operator puts the right key into the file: the next request uses it, no restart.
  key_dir_.replace("rotating-key", std::string(AzuriteServer::kKey) + "\n");
  const auto accepted = blobs.put_blob("etcd/x", "x");
  EXPECT_TRUE(accepted.ok()) << accepted.error().describe();
}

}  // namespace
}  // namespace frankenetes::storage
