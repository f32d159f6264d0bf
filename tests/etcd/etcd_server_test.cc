// EtcdClient and HttpClient against a real etcd (tests/support/etcd_server.h) on loopback: a
// snapshot streamed through bounded buffers into a file must be one that etcdctl accepts, at the
// revision etcd reported, and a stream with one byte changed must be refused. Skipped when etcd
// is not installed, unless CI is set (then it fails).

#include "support/etcd_server.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "core/base64.h"
#include "etcd/etcd_client.h"
#include "http/client.h"
#include "support/child_process.h"
#include "support/temp_dir.h"

namespace frankenetes::etcd {
namespace {

using namespace std::chrono_literals;
using frankenetes::testing::EtcdServer;
using frankenetes::testing::TempDir;

constexpr int kKeys = 1000;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

class EtcdServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto why = EtcdServer::unavailable_reason(); !why.empty()) {
      if (EtcdServer::required()) FAIL() << why << " (CI is set: not skipping)";
      GTEST_SKIP() << why;
    }
    ASSERT_TRUE(etcd_.start()) << etcd_.error();
    auto client = http::HttpClient::create({});
    ASSERT_TRUE(client) << client.error().message;
    http_ = std::move(*client);
  }

  // PUT /v3/kv/put through the gateway: key and value base64 in JSON.
  void put(const std::string& key, const std::string& value) {
    http::ClientRequest request;
    request.method = "POST";
    request.url = etcd_.client_url() + "/v3/kv/put";
    request.body =
        nlohmann::json{{"key", core::base64_encode(key)}, {"value", core::base64_encode(value)}}
            .dump();
    request.timeout = 10s;
    request.operation = "test.etcd.put";
    auto response = http_->send(request);
    ASSERT_TRUE(response) << response.error().message;
    ASSERT_EQ(response->status, 200) << response->body;
  }

  // The raw gateway body of one snapshot, as etcd sent it.
  std::string capture_stream() {
    http::ClientRequest request;
    request.method = "POST";
    request.url = etcd_.client_url() + "/v3/maintenance/snapshot";
    request.body = "{}";
    request.timeout = 10s;
    auto stream = http_->open(request);
    EXPECT_TRUE(stream) << stream.error().message;
    if (!stream) return "";
    std::string body;
    std::vector<char> buffer(16384);
    for (;;) {
      auto n = (*stream)->read(buffer);
      EXPECT_TRUE(n) << n.error().message;
      if (!n || *n == 0) return body;
      body.append(buffer.data(), *n);
    }
  }

  EtcdServer etcd_;
  std::unique_ptr<http::HttpClient> http_;
  TempDir dir_{"fk-etcd-snapshot"};
};

TEST_F(EtcdServerTest, StreamedSnapshotIsWhatEtcdctlAcceptsAtTheStatusRevision) {
  const std::string value(1024, 'v');  // ~1 MiB of values: a snapshot of many 32 KiB chunks
  for (int i = 0; i < kKeys; ++i) {
    ASSERT_NO_FATAL_FAILURE(put("/registry/test/key-" + std::to_string(i), value));
  }
  EtcdClient client(*http_, *http_, etcd_.client_url());
  auto status = client.status();
  ASSERT_TRUE(status) << status.error().message;
  ASSERT_TRUE(status->revision.has_value());
  EXPECT_EQ(*status->revision, kKeys + 1);  // a fresh store starts at revision 1
  EXPECT_TRUE(status->cluster_id.has_value());
  EXPECT_EQ(status->leader, status->member_id);
  EXPECT_TRUE(status->version.has_value());

  SnapshotOptions options;
  options.network_read_bytes = 16 * 1024;
  auto reader = client.open_snapshot(options);
  ASSERT_TRUE(reader) << reader.error().message;
  const std::string file = (dir_.path() / "snapshot.db").string();
  {
    std::ofstream out(file, std::ios::binary);
    std::vector<char> buffer(10000);
    for (;;) {
      auto n = (*reader)->read(buffer);
      ASSERT_TRUE(n) << n.error().message;
      if (*n == 0) break;
      out.write(buffer.data(), static_cast<std::streamsize>(*n));
    }
  }
  ASSERT_TRUE((*reader)->verified().has_value());
  const auto& verified = *(*reader)->verified();
  EXPECT_EQ(verified.size, std::filesystem::file_size(file));
  EXPECT_GT(verified.size, 1024u * 1024u);
  EXPECT_EQ(verified.size % 512, 32u);
  const auto rechecked = verify_snapshot_bytes(read_file(file));
  ASSERT_TRUE(rechecked) << rechecked.error().message;
  EXPECT_EQ(rechecked->file_sha256, verified.file_sha256);
  EXPECT_EQ(http_->idle_connections(), 1u) << "a stream read to its end is pooled";

  const std::string out = (dir_.path() / "etcdctl.out").string();
  ASSERT_EQ(frankenetes::testing::run_logged(
                {EtcdServer::etcdctl(), "snapshot", "status", file, "-w", "json"}, out, 30s),
            0)
      << read_file(out);
  const std::string text = read_file(out);
  const auto json = nlohmann::json::parse(text.substr(std::min(text.find('{'), text.size())),
                                          nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(json.is_object()) << text;
  ASSERT_TRUE(json.contains("revision")) << text;
  EXPECT_EQ(json["revision"].get<std::int64_t>(), *status->revision);
  EXPECT_GE(json["totalKey"].get<std::int64_t>(), kKeys);

  // restore checks the SHA-256 trailer itself (no --skip-hash-check).
  const std::string restored = (dir_.path() / "restored").string();
  ASSERT_EQ(
      frankenetes::testing::run_logged(
          {EtcdServer::etcdctl(), "snapshot", "restore", file, "--data-dir", restored}, out, 30s),
      0)
      << read_file(out);
}

TEST_F(EtcdServerTest, CapturedStreamWithOneByteChangedIsRefused) {
  for (int i = 0; i < 200; ++i) {
    ASSERT_NO_FATAL_FAILURE(put("key-" + std::to_string(i), std::string(512, 'a' + i % 26)));
  }
  const std::string body = capture_stream();
  ASSERT_GT(body.size(), 100u * 1024u) << body.substr(0, 300);

  SnapshotDecoder intact;
  std::string bytes;
  ASSERT_TRUE(intact.feed(body, bytes));
  auto verified = intact.finish();
  ASSERT_TRUE(verified) << verified.error().message;
  EXPECT_EQ(verified->size, bytes.size());

  // Change one base64 digit in the middle of the first blob: still valid base64, one data
  // byte different.
  std::string damaged = body;
  const std::size_t at = damaged.find("\"blob\":\"") + 8 + 1000;
  damaged[at] = damaged[at] == 'A' ? 'B' : 'A';
  SnapshotDecoder decoder;
  bytes.clear();
  ASSERT_TRUE(decoder.feed(damaged, bytes));
  auto refused = decoder.finish();
  ASSERT_FALSE(refused);
  EXPECT_EQ(
      refused.error().message.rfind(
          "snapshot SHA-256 mismatch: trailer says " + verified->sha256 + ", data hashes to ", 0),
      0u)
      << refused.error().message;
}

}  // namespace
}  // namespace frankenetes::etcd
