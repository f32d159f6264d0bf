// FileShareClient against frankenetes-sim's Azure Files endpoint over real HTTPS (the sim's CA,
// Shared Key with the key the sim wrote): a directory tree uploaded lands byte for byte in the
// share directory the sim's containers mount, and delete_tree removes it again. The sim's own
// conformance test (tests/sim/conformance/files_conformance.py) signs independently.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "http/client.h"
#include "storage/blob_auth.h"
#include "storage/file_share.h"
#include "support/temp_dir.h"
#include "sim_process.h"

namespace frankenetes::storage {
namespace {

using std::chrono::seconds;

std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(SimFiles, UploadTreeAndDeleteTreeOverTheSimsFileService) {
  frankenetes::testing::TempDir dir;
  const auto scenario = dir.write("scenario.yaml",
                                  "resourceGroups: [frankenetes]\nmode: virtual\n"
                                  "storageAccounts: [{name: frankenetes, shares: [etcd]}]\n");
  sim::testing::SimProcess sim({"--scenario", scenario, "--ip-pool", sim::testing::kFreeIpPool});
  ASSERT_TRUE(sim.wait_ready(seconds(15))) << sim.log();
  const auto& e = sim.endpoints();
  ASSERT_TRUE(e.contains("fileBaseUrl")) << e.dump();

  http::HttpClientOptions options;
  options.ca_file = e["caFile"].get<std::string>();
  auto client = http::HttpClient::create(options);
  ASSERT_TRUE(client.ok()) << client.error().message;
  config::SecretSource source;
  source.file = e["storageKeyFiles"]["frankenetes"].get<std::string>();
  auto key = AccountKey::create(source);
  ASSERT_TRUE(key.ok()) << key.error().message;
  SharedKeyAuthorizer authorizer("frankenetes", std::move(*key));
  core::RealTimeSource clock;
  BlobServiceSettings settings;
  settings.account = "frankenetes";
  settings.endpoint = e["fileBaseUrl"].get<std::string>() + "/frankenetes";  // path style
  BlobService service(**client, authorizer, clock, settings);
  FileShareClient share(service, "etcd");

  // A restored etcd data directory in miniature: a backend larger than one range, a
  // preallocated (all-zero) WAL file, nested directories.
  const auto local = dir.path() / "restored";
  std::filesystem::create_directories(local / "member" / "snap");
  std::filesystem::create_directories(local / "member" / "wal");
  std::string db(kMaxFileRangeBytes + 12345, '\0');
  std::mt19937 random(7);
  for (auto& c : db) c = static_cast<char>(random());
  std::ofstream(local / "member" / "snap" / "db", std::ios::binary) << db;
  std::ofstream(local / "member" / "wal" / "0.wal", std::ios::binary) << std::string(1 << 20, '\0');

  auto uploaded = upload_tree(share, local, "data");
  ASSERT_TRUE(uploaded.ok()) << uploaded.error().describe();
  EXPECT_EQ(uploaded->files, 2u);
  const std::filesystem::path on_disk = sim.state_dir() + "/shares/frankenetes/etcd/data";
  EXPECT_EQ(read_all(on_disk / "member" / "snap" / "db"), db);
  EXPECT_EQ(std::filesystem::file_size(on_disk / "member" / "wal" / "0.wal"), 1u << 20);
  EXPECT_EQ(read_all(on_disk / "member" / "wal" / "0.wal"), std::string(1 << 20, '\0'));

  auto listed = share.list("data/member");
  ASSERT_TRUE(listed.ok()) << listed.error().describe();
  EXPECT_EQ(listed->size(), 2u);

  auto removed = delete_tree(share, "data");
  ASSERT_TRUE(removed.ok()) << removed.error().describe();
  EXPECT_EQ(removed->files, 2u);
  EXPECT_EQ(removed->directories, 4u);  // data, member, snap, wal
  EXPECT_FALSE(std::filesystem::exists(on_disk));
  EXPECT_TRUE(std::filesystem::exists(on_disk.parent_path())) << "the share itself stays";
}

}  // namespace
}  // namespace frankenetes::storage
