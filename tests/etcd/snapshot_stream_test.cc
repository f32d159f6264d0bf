#include "etcd/snapshot_stream.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "etcd/snapshot_fixtures.h"

namespace frankenetes::etcd {
namespace {

using testing::gateway_body;
using testing::hex;
using testing::make_snapshot;
using testing::sha256_raw;

// 3 chunks of 32 KiB and a partial one: remaining_bytes on all but the last data line.
const std::string& sample_snapshot() {
  static const std::string snapshot = make_snapshot(512 * 200);
  return snapshot;
}

struct Decoded {
  std::string bytes;
  core::Result<VerifiedSnapshot> verified = core::make_error(core::ErrorKind::kTerminal, "unset");
};

// Feeds `body` cut at `cuts` (ascending offsets) and finishes.
Decoded decode(const std::string& body, const std::vector<std::size_t>& cuts,
               std::size_t max_line = kDefaultMaxSnapshotLineBytes) {
  SnapshotDecoder decoder(max_line);
  Decoded out;
  std::size_t at = 0;
  std::vector<std::size_t> ends = cuts;
  ends.push_back(body.size());
  for (const std::size_t end : ends) {
    std::string piece_out;
    auto fed = decoder.feed(std::string_view(body).substr(at, end - at), piece_out);
    out.bytes += piece_out;
    if (!fed) {
      out.verified = fed.error();
      return out;
    }
    at = end;
  }
  out.verified = decoder.finish();
  return out;
}

Decoded decode(const std::string& body) { return decode(body, {}); }

TEST(SnapshotDecoder, WholeBodyInOnePiece) {
  const std::string& snapshot = sample_snapshot();
  const auto got = decode(gateway_body(snapshot));
  ASSERT_TRUE(got.verified) << got.verified.error().message;
  EXPECT_EQ(got.bytes, snapshot);
  EXPECT_EQ(got.verified->size, snapshot.size());
  EXPECT_EQ(got.verified->sha256, hex(snapshot.substr(snapshot.size() - 32)));
  EXPECT_EQ(got.verified->sha256, hex(sha256_raw(snapshot.substr(0, snapshot.size() - 32))));
  EXPECT_EQ(got.verified->file_sha256, hex(sha256_raw(snapshot)));
}

TEST(SnapshotDecoder, FedOneByteAtATime) {
  const std::string snapshot = make_snapshot(512 * 3);
  const std::string body = gateway_body(snapshot, 500);  // several lines, odd blob sizes
  SnapshotDecoder decoder;
  std::string out;
  for (const char c : body) {
    const std::size_t before = out.size();
    ASSERT_TRUE(decoder.feed(std::string_view(&c, 1), out));
    // Output appears only when a line completes, never more than one line's worth.
    EXPECT_LE(out.size() - before, 500u);
  }
  auto verified = decoder.finish();
  ASSERT_TRUE(verified) << verified.error().message;
  EXPECT_EQ(out, snapshot);
  EXPECT_EQ(decoder.decoded_bytes(), snapshot.size());
}

TEST(SnapshotDecoder, RandomSplitsGiveTheSameBytes) {
  const std::string& snapshot = sample_snapshot();
  const std::string body = gateway_body(snapshot);
  std::mt19937 random(42);
  for (int round = 0; round < 20; ++round) {
    std::vector<std::size_t> cuts;
    std::uniform_int_distribution<std::size_t> gap(1, round % 2 == 0 ? 50 : 70000);
    for (std::size_t at = gap(random); at < body.size(); at += gap(random)) cuts.push_back(at);
    const auto got = decode(body, cuts);
    ASSERT_TRUE(got.verified) << "round " << round << ": " << got.verified.error().message;
    EXPECT_EQ(got.bytes, snapshot) << "round " << round;
  }
}

TEST(SnapshotDecoder, AcceptsCrLfVersionFieldAndNumbers) {
  const std::string snapshot = make_snapshot(512);
  std::string body = gateway_body(snapshot, 32 * 1024, "\r\n");
  // Newer etcd puts "version" in the first object; a remaining_bytes number is tolerated too.
  body.insert(body.find("\"blob\""), "\"version\":\"3.6.0\",\"remaining_bytes\":0,");
  const auto got = decode(body);
  ASSERT_TRUE(got.verified) << got.verified.error().message;
  EXPECT_EQ(got.bytes, snapshot);
}

TEST(SnapshotDecoder, OneFlippedDataByteIsRefused) {
  std::string snapshot = sample_snapshot();
  const std::string trailer = hex(snapshot.substr(snapshot.size() - 32));
  snapshot[40000] = static_cast<char>(snapshot[40000] ^ 0x01);
  const std::string actual = hex(sha256_raw(snapshot.substr(0, snapshot.size() - 32)));
  const auto got = decode(gateway_body(snapshot));
  ASSERT_FALSE(got.verified);
  EXPECT_EQ(got.verified.error().kind, core::ErrorKind::kTerminal);
  EXPECT_EQ(got.verified.error().message,
            "snapshot SHA-256 mismatch: trailer says " + trailer + ", data hashes to " + actual);
}

TEST(SnapshotDecoder, OneFlippedTrailerByteIsRefused) {
  std::string snapshot = sample_snapshot();
  snapshot.back() = static_cast<char>(snapshot.back() ^ 0x80);
  const auto got = decode(gateway_body(snapshot));
  ASSERT_FALSE(got.verified);
  EXPECT_NE(got.verified.error().message.find("snapshot SHA-256 mismatch"), std::string::npos)
      << got.verified.error().message;
}

TEST(SnapshotDecoder, StreamWithoutTrailerIsRefused) {
  const std::string& snapshot = sample_snapshot();
  std::string body = gateway_body(snapshot);
  body.erase(body.rfind("{\"result\""));  // the trailer line is gone, data lines complete
  const auto got = decode(body);
  ASSERT_FALSE(got.verified);
  EXPECT_NE(got.verified.error().message.find("snapshot SHA-256 mismatch"), std::string::npos)
      << got.verified.error().message;
}

TEST(SnapshotDecoder, StreamEndingWhileEtcdAnnouncedMoreIsRefused) {
  const std::string& snapshot = sample_snapshot();
  std::string body = gateway_body(snapshot);
  body.erase(body.find('\n') + 1);  // only the first 32 KiB line
  const auto got = decode(body);
  ASSERT_FALSE(got.verified);
  EXPECT_EQ(got.verified.error().kind, core::ErrorKind::kTransient);
  EXPECT_EQ(got.verified.error().message,
            "snapshot stream ended after 32768 bytes while etcd announced " +
                std::to_string(512 * 200 - 32768) + " more");
}

TEST(SnapshotDecoder, StreamCutInsideALineIsRefused) {
  std::string body = gateway_body(sample_snapshot());
  body.erase(body.size() - 10);
  const auto got = decode(body);
  ASSERT_FALSE(got.verified);
  EXPECT_EQ(got.verified.error().message,
            "snapshot stream ended inside line 5 after " + std::to_string(512 * 200) + " bytes");
}

TEST(SnapshotDecoder, BadBase64IsRefusedNamingTheLine) {
  std::string body = gateway_body(make_snapshot(512 * 100));
  body[body.find('\n') + 100] = '!';  // inside the blob of line 2
  const auto got = decode(body);
  ASSERT_FALSE(got.verified);
  EXPECT_EQ(got.verified.error().kind, core::ErrorKind::kTerminal);
  EXPECT_NE(
      got.verified.error().message.find("snapshot stream line 2: \"blob\" is not valid base64"),
      std::string::npos)
      << got.verified.error().message;
  EXPECT_EQ(got.bytes.size(), 32768u);  // line 1 was delivered before
}

TEST(SnapshotDecoder, ErrorObjectsCarryEtcdsMessage) {
  const std::string first_line = gateway_body(sample_snapshot()).substr(0, 200);
  struct Case {
    std::string line;
    std::string message;
  };
  const std::vector<Case> cases = {
      {R"({"error":{"grpc_code":14,"http_code":503,"message":"etcdserver: leader changed","http_status":"Service Unavailable"}})",
       "snapshot stream line 1: etcd reported an error: etcdserver: leader changed (gRPC code 14)"},
      {R"({"error":"rpc error","message":"etcdserver: request timed out","code":4})",
       "snapshot stream line 1: etcd reported an error: etcdserver: request timed out (gRPC code "
       "4)"},
      {R"({"code":2,"message":")" + std::string(1000, 'x') + "\\u0001\"}",
       "snapshot stream line 1: etcd reported an error: " + std::string(300, 'x') +
           "... (gRPC code 2)"},
  };
  for (const auto& c : cases) {
    const auto got = decode(c.line + "\n");
    ASSERT_FALSE(got.verified);
    EXPECT_EQ(got.verified.error().kind, core::ErrorKind::kTransient);
    EXPECT_EQ(got.verified.error().message, c.message);
  }
}

TEST(SnapshotDecoder, NonJsonAndNonResultLinesAreRefused) {
  auto got = decode("<html>502 Bad Gateway</html>\n");
  ASSERT_FALSE(got.verified);
  EXPECT_EQ(got.verified.error().message,
            "snapshot stream line 1: not JSON: <html>502 Bad Gateway</html>");
  got = decode("{\"header\":{}}\n");
  ASSERT_FALSE(got.verified);
  EXPECT_EQ(got.verified.error().message,
            "snapshot stream line 1: no \"result\" object: {\"header\":{}}");
  got = decode("{\"result\":{\"blob\":7}}\n");
  ASSERT_FALSE(got.verified);
  EXPECT_EQ(got.verified.error().message,
            "snapshot stream line 1: \"blob\" is an integer, expected a string");
}

TEST(SnapshotDecoder, LineOverTheLimitIsRefusedBeforeItEnds) {
  SnapshotDecoder decoder(1000);
  std::string out;
  ASSERT_TRUE(decoder.feed("{\"result\":{\"blob\":\"" + std::string(900, 'A'), out));
  auto fed = decoder.feed(std::string(200, 'A'), out);  // no newline yet: refused anyway
  ASSERT_FALSE(fed);
  EXPECT_EQ(fed.error().message, "snapshot stream line 1 is longer than 1000 bytes");
  // Spent: every later call repeats the error.
  EXPECT_EQ(decoder.feed("\n", out).error().message, fed.error().message);
  EXPECT_EQ(decoder.finish().error().message, fed.error().message);
}

TEST(SnapshotDecoder, ASnapshotEtcdctlWouldNotRestoreIsRefused) {
  // Whole and hashed, but 100 + 32 bytes: not a bbolt file of 512-byte pages.
  const auto got = decode(gateway_body(make_snapshot(100)));
  ASSERT_FALSE(got.verified);
  EXPECT_EQ(got.verified.error().message,
            "snapshot size 132 is not 512*n + 32 as etcdctl snapshot restore expects");
  const auto empty = decode("");
  ASSERT_FALSE(empty.verified);
  EXPECT_EQ(empty.verified.error().message,
            "snapshot too short: 0 bytes, less than its 32-byte SHA-256 trailer");
}

TEST(SnapshotVerifier, PiecesOfAnySizeGiveTheSameAnswer) {
  const std::string& snapshot = sample_snapshot();
  const auto whole = verify_snapshot_bytes(snapshot);
  ASSERT_TRUE(whole) << whole.error().message;
  for (const std::size_t piece :
       {std::size_t{1}, std::size_t{31}, std::size_t{32}, std::size_t{33}, std::size_t{4096}}) {
    SnapshotVerifier verifier;
    for (std::size_t at = 0; at < snapshot.size(); at += piece) {
      verifier.update(std::string_view(snapshot).substr(at, piece));
    }
    auto verified = verifier.finish();
    ASSERT_TRUE(verified) << "piece " << piece << ": " << verified.error().message;
    EXPECT_EQ(verified->sha256, whole->sha256);
    EXPECT_EQ(verified->file_sha256, whole->file_sha256);
    EXPECT_EQ(verified->size, snapshot.size());
  }
  std::string damaged = snapshot;
  damaged[0] = static_cast<char>(damaged[0] ^ 0x10);
  EXPECT_FALSE(verify_snapshot_bytes(damaged));
}

}  // namespace
}  // namespace frankenetes::etcd
