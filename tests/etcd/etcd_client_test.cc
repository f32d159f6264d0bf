// EtcdClient over scripted transports: what it sends, how it reads answers, and above all that a
// snapshot reader never reports a clean end for bytes that did not verify.

#include "etcd/etcd_client.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "etcd/snapshot_fixtures.h"
#include "support/fake_streaming_transport.h"
#include "support/fake_transport.h"

namespace frankenetes::etcd {
namespace {

using namespace std::chrono_literals;
using frankenetes::testing::FakeStreamingTransport;
using frankenetes::testing::FakeTransport;
using frankenetes::testing::ScriptedStream;
using testing::gateway_body;
using testing::make_snapshot;

// Cuts `body` into pieces of `size` bytes (the last one shorter).
std::vector<std::string> pieces(const std::string& body, std::size_t size) {
  std::vector<std::string> out;
  for (std::size_t at = 0; at < body.size(); at += size) out.push_back(body.substr(at, size));
  return out;
}

// Reads everything with a buffer of `size`; returns the bytes and the final result (0 or Error).
struct Drained {
  std::string bytes;
  core::Result<std::size_t> last = std::size_t{0};
};
Drained drain(SnapshotReader& reader, std::size_t size) {
  Drained out;
  std::vector<char> buffer(size);
  for (;;) {
    out.last = reader.read(buffer);
    if (!out.last || *out.last == 0) return out;
    EXPECT_LE(*out.last, size);
    out.bytes.append(buffer.data(), *out.last);
  }
}

class EtcdClientTest : public ::testing::Test {
 protected:
  FakeTransport transport_;
  FakeStreamingTransport streams_;
  EtcdClient etcd_{transport_, streams_, "http://10.0.0.4:2379/"};
};

TEST_F(EtcdClientTest, StatusPostsAnEmptyObjectAndParsesTheAnswer) {
  transport_.push(200, R"({"header":{"cluster_id":"9","revision":"1001"},"version":"3.4.23"})");
  auto status = etcd_.status(3s);
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_EQ(status->cluster_id, 9u);
  EXPECT_EQ(status->revision, 1001);
  ASSERT_EQ(transport_.requests().size(), 1u);
  const auto& request = transport_.requests()[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.url, "http://10.0.0.4:2379/v3/maintenance/status");
  EXPECT_EQ(request.body, "{}");
  EXPECT_EQ(request.timeout, 3s);
  EXPECT_EQ(request.operation, "etcd.status");
}

TEST_F(EtcdClientTest, StatusErrorsNameTheMemberStatusAndEtcdsMessage) {
  transport_.push(
      503, R"({"error":"etcdserver: not capable","message":"etcdserver: not capable","code":14})");
  auto status = etcd_.status();
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().kind, core::ErrorKind::kTransient);
  EXPECT_EQ(status.error().http_status, 503);
  EXPECT_EQ(status.error().message,
            "etcd status from http://10.0.0.4:2379: HTTP 503: etcdserver: not capable (gRPC code "
            "14)");

  transport_.push(404, "404 page not found\n");
  status = etcd_.status();
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().message,
            "etcd status from http://10.0.0.4:2379: HTTP 404: 404 page not found");

  transport_.push(200, "<html>proxy</html>");
  status = etcd_.status();
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().message,
            "etcd status from http://10.0.0.4:2379: etcd status: body is not a JSON object: "
            "<html>proxy</html>");

  transport_.push_error(core::ErrorKind::kTransient, "connect to 10.0.0.4:2379: refused");
  status = etcd_.status();
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().message, "connect to 10.0.0.4:2379: refused");
}

TEST_F(EtcdClientTest, SnapshotBytesComeOutWhateverTheNetworkSplit) {
  const std::string snapshot = make_snapshot(512 * 150);
  for (const std::size_t split : {std::size_t{1000}, std::size_t{65536}, std::size_t{7}}) {
    streams_.push(200, pieces(gateway_body(snapshot), split));
    SnapshotOptions options;
    options.open_timeout = 5s;
    options.read_timeout = 7s;
    auto reader = etcd_.open_snapshot(options);
    ASSERT_TRUE(reader) << reader.error().message;
    const auto got = drain(**reader, 10000);
    ASSERT_TRUE(got.last) << got.last.error().message;
    EXPECT_EQ(got.bytes, snapshot);
    ASSERT_TRUE((*reader)->verified().has_value());
    EXPECT_EQ((*reader)->verified()->size, snapshot.size());
    EXPECT_EQ((*reader)->bytes_read(), snapshot.size());
    // After the end, 0 again.
    char buffer[4];
    auto again = (*reader)->read(buffer);
    ASSERT_TRUE(again);
    EXPECT_EQ(*again, 0u);
  }
  const auto& request = streams_.requests().back();
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.url, "http://10.0.0.4:2379/v3/maintenance/snapshot");
  EXPECT_EQ(request.body, "{}");
  EXPECT_EQ(request.operation, "etcd.snapshot");
  EXPECT_EQ(request.timeout, 5s);
  EXPECT_EQ(request.stream_read_timeout, 7s);
}

TEST_F(EtcdClientTest, DamagedSnapshotEndsInAnErrorNeverInZero) {
  std::string snapshot = make_snapshot(512 * 150);
  snapshot[100] = static_cast<char>(snapshot[100] ^ 0x04);
  streams_.push(200, pieces(gateway_body(snapshot), 4096));
  auto reader = etcd_.open_snapshot();
  ASSERT_TRUE(reader) << reader.error().message;
  const auto got = drain(**reader, 8192);
  ASSERT_FALSE(got.last);
  EXPECT_EQ(got.last.error().kind, core::ErrorKind::kTerminal);
  EXPECT_EQ(
      got.last.error().message.rfind(
          "etcd snapshot from http://10.0.0.4:2379: snapshot SHA-256 mismatch: trailer says ", 0),
      0u)
      << got.last.error().message;
  EXPECT_EQ(got.bytes, snapshot);  // everything was handed out; only the end is refused
  EXPECT_FALSE((*reader)->verified().has_value());
  char buffer[4];
  EXPECT_FALSE((*reader)->read(buffer));  // and stays refused
}

TEST_F(EtcdClientTest, ConnectionErrorMidStreamIsPassedOnNamingTheMember) {
  const std::string body = gateway_body(make_snapshot(512 * 150));
  ScriptedStream stream;
  stream.pieces = {body.substr(0, 50000)};
  stream.error_at_end = core::timeout_error(
      "timeout after 60s reading response body from 10.0.0.4:2379 (operation etcd.snapshot)");
  streams_.push(std::move(stream));
  auto reader = etcd_.open_snapshot();
  ASSERT_TRUE(reader) << reader.error().message;
  const auto got = drain(**reader, 8192);
  ASSERT_FALSE(got.last);
  EXPECT_TRUE(got.last.error().timed_out);
  EXPECT_EQ(got.last.error().message,
            "etcd snapshot from http://10.0.0.4:2379: timeout after 60s reading response body "
            "from 10.0.0.4:2379 (operation etcd.snapshot)");
  EXPECT_EQ(got.bytes.size(), 32768u);  // the complete first line only
}

TEST_F(EtcdClientTest, SnapshotRefusedByEtcdIsAnErrorWithItsMessage) {
  streams_.push(403, {R"({"error":"etcdserver: permission denied",)",
                      R"("message":"etcdserver: permission denied","code":7})"});
  auto reader = etcd_.open_snapshot();
  ASSERT_FALSE(reader);
  EXPECT_EQ(reader.error().kind, core::ErrorKind::kTerminal);
  EXPECT_EQ(reader.error().http_status, 403);
  EXPECT_EQ(reader.error().message,
            "etcd snapshot from http://10.0.0.4:2379: HTTP 403: etcdserver: permission denied "
            "(gRPC code 7)");

  streams_.push_error(
      core::make_error(core::ErrorKind::kTls, "TLS handshake with 10.0.0.4:2379 failed"));
  reader = etcd_.open_snapshot();
  ASSERT_FALSE(reader);
  EXPECT_EQ(reader.error().kind, core::ErrorKind::kTls);
}

TEST_F(EtcdClientTest, ErrorObjectInsideTheStreamEndsIt) {
  const std::string body = gateway_body(make_snapshot(512 * 150));
  streams_.push(200, {body.substr(0, body.find('\n') + 1),
                      R"({"error":{"grpc_code":14,"http_code":503,"message":"etcdserver: )"
                      R"(server stopped","http_status":"Service Unavailable"}})"
                      "\n"});
  auto reader = etcd_.open_snapshot();
  ASSERT_TRUE(reader) << reader.error().message;
  const auto got = drain(**reader, 100000);
  ASSERT_FALSE(got.last);
  EXPECT_EQ(got.last.error().kind, core::ErrorKind::kTransient);
  EXPECT_EQ(got.last.error().message,
            "etcd snapshot from http://10.0.0.4:2379: snapshot stream line 2: etcd reported an "
            "error: etcdserver: server stopped (gRPC code 14)");
}

}  // namespace
}  // namespace frankenetes::etcd
