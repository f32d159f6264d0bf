// Rfc2136Provider against a REAL BIND9 (tests/support/bind9_server.h) on a loopback port:
// signed replace, prerequisite conflicts, TSIG failures (BADSIG, BADKEY), REFUSED, hmac-sha512,
// TCP for large messages and truncated answers, atomicity, timeouts. Skipped when BIND9 is not
// installed. One server for the suite (starting named costs ~50 ms of CPU but seconds on a busy
// machine); each test uses its own names.

#include "dns/rfc2136_provider.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <memory>

#include "dns/dns_query.h"
#include "support/bind9_server.h"

namespace frankenetes::dns {
namespace {

using testing::Bind9Server;

class Rfc2136ProviderTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!Bind9Server::available()) return;
    server_ = std::make_unique<Bind9Server>();
    if (!server_->start()) {
      start_error_ = server_->error();
      server_.reset();
    }
  }
  static void TearDownTestSuite() { server_.reset(); }

  void SetUp() override {
    if (!Bind9Server::available()) GTEST_SKIP() << Bind9Server::unavailable_reason();
    ASSERT_TRUE(server_) << "named failed to start: " << start_error_;
  }

  static config::Rfc2136ProviderConfig config(const std::string& key_name = "frankenetes",
                                              std::optional<std::string> secret = std::nullopt) {
    config::Rfc2136ProviderConfig c;
    c.server = {"127.0.0.1", server_->port()};
    c.zone = server_->zone();
    c.timeout = std::chrono::seconds(5);
    config::TsigConfig tsig;
    tsig.name = key_name;
    const auto& key = server_->key(key_name);
    tsig.algorithm = key.algorithm == "hmac-sha512" ? config::TsigAlgorithm::kHmacSha512
                                                    : config::TsigAlgorithm::kHmacSha256;
    tsig.secret.value = core::Secret(secret.value_or(key.secret));
    c.tsig = tsig;
    return c;
  }

  static RecordSet a(const std::string& name, std::vector<std::string> ips, uint32_t ttl = 30) {
    return RecordSet{name + ".example.test", RecordType::kA, ttl, std::move(ips), ""};
  }
  static RecordSet txt(const std::string& name, std::vector<std::string> texts) {
    return RecordSet{name + ".example.test", RecordType::kTxt, 30, std::move(texts), ""};
  }
  static Change upsert(RecordSet desired, std::optional<RecordSet> expected) {
    return Change{Change::Kind::kUpsert, std::move(desired), std::move(expected)};
  }

  static std::unique_ptr<Bind9Server> server_;
  static std::string start_error_;
};

std::unique_ptr<Bind9Server> Rfc2136ProviderTest::server_;
std::string Rfc2136ProviderTest::start_error_;

TEST_F(Rfc2136ProviderTest, CreateThenReplaceARecord) {
  Rfc2136Provider provider("bind", config());
  auto status = provider.apply({upsert(a("api", {"127.0.0.10"}), a("api", {}))});
  ASSERT_TRUE(status.ok()) << status.error().describe() << "\n" << server_->log();
  EXPECT_EQ(server_->dig("api.example.test", "A"), "127.0.0.10");

  auto sets = provider.read("api.example.test");
  ASSERT_TRUE(sets.ok()) << sets.error().describe();
  ASSERT_EQ(sets->size(), 1u);
  EXPECT_EQ(sets->front(), a("api", {"127.0.0.10"}));

  status = provider.apply({upsert(a("api", {"127.0.0.11"}), sets->front())});
  ASSERT_TRUE(status.ok()) << status.error().describe();
  EXPECT_EQ(server_->dig("api.example.test", "A"), "127.0.0.11");
  EXPECT_EQ(provider.authoritative_servers(),
            std::vector<std::string>{"127.0.0.1:" + std::to_string(server_->port())});
}

TEST_F(Rfc2136ProviderTest, PrerequisiteMismatchIsConflictAndRecordUnchanged) {
  Rfc2136Provider provider("bind", config());
  ASSERT_TRUE(provider.apply({upsert(a("etcd", {"127.0.0.5"}), std::nullopt)}).ok());

  auto status = provider.apply({upsert(a("etcd", {"127.0.0.20"}), a("etcd", {"127.0.0.9"}))});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, core::ErrorKind::kConflict);
  EXPECT_NE(status.error().message.find("NXRRSET"), std::string::npos) << status.error().message;
  EXPECT_EQ(server_->dig("etcd.example.test", "A"), "127.0.0.5");

  // "must not exist" while it exists: YXRRSET.
  status = provider.apply({upsert(a("etcd", {"127.0.0.20"}), a("etcd", {}))});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, core::ErrorKind::kConflict);
  EXPECT_NE(status.error().message.find("YXRRSET"), std::string::npos) << status.error().message;
  EXPECT_EQ(server_->dig("etcd.example.test", "A"), "127.0.0.5");
}

TEST_F(Rfc2136ProviderTest, ChangeBehindOurBackIsDetected) {
  Rfc2136Provider provider("bind", config());
  ASSERT_TRUE(provider.apply({upsert(a("behind", {"127.0.0.5"}), a("behind", {}))}).ok());
  auto read = provider.read("behind.example.test");
  ASSERT_TRUE(read.ok());
  ASSERT_EQ(server_->nsupdate("frankenetes",
                              "update delete behind.example.test. A\n"
                              "update add behind.example.test. 30 A 127.0.0.77"),
            0);
  auto status = provider.apply({upsert(a("behind", {"127.0.0.6"}), read->front())});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, core::ErrorKind::kConflict);
  EXPECT_EQ(server_->dig("behind.example.test", "A"), "127.0.0.77");
}

TEST_F(Rfc2136ProviderTest, WrongSecretIsTerminalBadsig) {
  // A valid base64 secret of the right length, but not the server's.
  Rfc2136Provider provider(
      "bind", config("frankenetes", "c2VjcmV0LXRoYXQtaXMtbm90LXRoZS1zZXJ2ZXJzLWtleS0xMjM0NTY="));
  auto status = provider.apply({upsert(a("badsig", {"127.0.0.10"}), std::nullopt)});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, core::ErrorKind::kTerminal);
  EXPECT_NE(status.error().message.find(
                "TSIG BADSIG: the server rejected the signature of key 'frankenetes' — check "
                "tsig.secret"),
            std::string::npos)
      << status.error().message;
  EXPECT_EQ(server_->dig("badsig.example.test", "A"), "");
}

TEST_F(Rfc2136ProviderTest, CorrectedSecretFileIsPickedUpWithoutRebuild) {
  const std::string file = server_->directory() + "/tsig-secret";
  std::ofstream(file) << "c2VjcmV0LXRoYXQtaXMtbm90LXRoZS1zZXJ2ZXJzLWtleS0xMjM0NTY=\n";
  auto c = config();
  c.tsig->secret = {};
  c.tsig->secret.file = file;
  Rfc2136Provider provider("bind", c);
  auto status = provider.apply({upsert(a("rotated", {"127.0.0.40"}), std::nullopt)});
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("BADSIG"), std::string::npos);

  std::ofstream(file) << server_->key("frankenetes").secret << "\n";
  status = provider.apply({upsert(a("rotated", {"127.0.0.40"}), std::nullopt)});
  ASSERT_TRUE(status.ok()) << status.error().describe();
  EXPECT_EQ(server_->dig("rotated.example.test", "A"), "127.0.0.40");
}

TEST_F(Rfc2136ProviderTest, UnknownKeyIsTerminalBadkey) {
  auto c = config();
  c.tsig->name = "nobody";
  Rfc2136Provider provider("bind", c);
  auto status = provider.apply({upsert(a("badkey", {"127.0.0.10"}), std::nullopt)});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, core::ErrorKind::kTerminal);
  EXPECT_NE(status.error().message.find("TSIG BADKEY"), std::string::npos)
      << status.error().message;
  EXPECT_NE(status.error().message.find("'nobody'"), std::string::npos);
}

TEST_F(Rfc2136ProviderTest, WrongAlgorithmIsBadkey) {
  auto c = config();
  c.tsig->algorithm = config::TsigAlgorithm::kHmacSha512;  // the key is hmac-sha256
  Rfc2136Provider provider("bind", c);
  auto status = provider.apply({upsert(a("badalg", {"127.0.0.10"}), std::nullopt)});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, core::ErrorKind::kTerminal);
  EXPECT_NE(status.error().message.find("TSIG BAD"), std::string::npos) << status.error().message;
}

TEST_F(Rfc2136ProviderTest, HmacSha512KeyWorks) {
  Rfc2136Provider provider("bind", config("frankenetes-512"));
  auto status = provider.apply({upsert(a("sha512", {"127.0.0.12"}), a("sha512", {}))});
  ASSERT_TRUE(status.ok()) << status.error().describe();
  EXPECT_EQ(server_->dig("sha512.example.test", "A"), "127.0.0.12");
}

TEST_F(Rfc2136ProviderTest, KeyWithoutGrantIsRefusedByPolicy) {
  Rfc2136Provider provider("bind", config("readonly"));
  auto status = provider.apply({upsert(a("refused", {"127.0.0.10"}), std::nullopt)});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, core::ErrorKind::kTerminal);
  EXPECT_NE(status.error().message.find("update refused by policy"), std::string::npos)
      << status.error().message;

  auto unsigned_config = config();
  unsigned_config.tsig.reset();
  Rfc2136Provider unsigned_provider("bind", unsigned_config);
  status = unsigned_provider.apply({upsert(a("refused", {"127.0.0.10"}), std::nullopt)});
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("update refused by policy"), std::string::npos);
  EXPECT_EQ(server_->dig("refused.example.test", "A"), "");
}

TEST_F(Rfc2136ProviderTest, LargeTxtGoesOverTcpBothWays) {
  Rfc2136Provider provider("bind", config());
  // ~700 octets: the UPDATE is over 512 octets (sent over TCP), and so is the answer to the
  // TXT query (truncated over UDP, retried over TCP).
  std::string text;
  for (int i = 0; i < 70; ++i) text += "chunk-" + std::to_string(1000 + i) + "|";
  ASSERT_GT(text.size(), 512u);
  auto status = provider.apply({upsert(txt("big", {text}), txt("big", {}))});
  ASSERT_TRUE(status.ok()) << status.error().describe();

  auto sets = provider.read("big.example.test");
  ASSERT_TRUE(sets.ok()) << sets.error().describe();
  ASSERT_EQ(sets->size(), 1u);
  EXPECT_EQ(sets->front().values, std::vector<std::string>{text});
  // dig shows the character-strings: 770 octets are 255 + 255 + 255 + 5.
  const std::string dug = server_->dig("big.example.test", "TXT", /*tcp=*/true);
  EXPECT_NE(dug.find("chunk-1068|"), std::string::npos) << dug;
  EXPECT_EQ(std::count(dug.begin(), dug.end(), '"'), 8) << dug;

  // Replacing it with its own value as the prerequisite works (same chunking both ways).
  status = provider.apply({upsert(txt("big", {"small"}), sets->front())});
  ASSERT_TRUE(status.ok()) << status.error().describe();
  EXPECT_EQ(server_->dig("big.example.test", "TXT"), "\"small\"");
}

TEST_F(Rfc2136ProviderTest, ForcedTcpWorks) {
  Rfc2136Settings settings;
  settings.force_tcp = true;
  Rfc2136Provider provider("bind", config(), settings);
  ASSERT_TRUE(provider.apply({upsert(a("tcp", {"127.0.0.13"}), std::nullopt)}).ok());
  auto sets = provider.read("tcp.example.test");
  ASSERT_TRUE(sets.ok());
  ASSERT_EQ(sets->size(), 1u);
  EXPECT_EQ(sets->front().values, std::vector<std::string>{"127.0.0.13"});
}

TEST_F(Rfc2136ProviderTest, ChangeSetIsAtomic) {
  Rfc2136Provider provider("bind", config());
  ASSERT_TRUE(provider.apply({upsert(a("atomic", {"127.0.0.5"}), std::nullopt)}).ok());
  // First change fine, second's prerequisite fails: neither is applied.
  auto status = provider.apply({upsert(txt("_owner.atomic", {"owner=x"}), txt("_owner.atomic", {})),
                                upsert(a("atomic", {"127.0.0.6"}), a("atomic", {"127.0.0.99"}))});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, core::ErrorKind::kConflict);
  EXPECT_EQ(server_->dig("_owner.atomic.example.test", "TXT"), "");
  EXPECT_EQ(server_->dig("atomic.example.test", "A"), "127.0.0.5");
}

TEST_F(Rfc2136ProviderTest, DeleteAndCname) {
  Rfc2136Provider provider("bind", config());
  RecordSet cname{"www.example.test", RecordType::kCname, 30, {"api.example.test"}, ""};
  ASSERT_TRUE(provider.apply({upsert(cname, std::nullopt)}).ok());
  auto sets = provider.read("WWW.example.test.");
  ASSERT_TRUE(sets.ok());
  ASSERT_EQ(sets->size(), 1u);
  EXPECT_EQ(sets->front(), cname);

  ASSERT_TRUE(provider.apply({Change{Change::Kind::kDelete, cname, cname}}).ok());
  sets = provider.read("www.example.test");
  ASSERT_TRUE(sets.ok());
  EXPECT_TRUE(sets->empty());
}

TEST_F(Rfc2136ProviderTest, NameOutsideZoneIsInvalidConfig) {
  Rfc2136Provider provider("bind", config());
  auto status = provider.apply(
      {upsert(RecordSet{"api.example.com", RecordType::kA, 30, {"127.0.0.1"}, ""}, std::nullopt)});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, core::ErrorKind::kInvalidConfig);
  EXPECT_FALSE(provider.read("api.example.com").ok());
}

TEST_F(Rfc2136ProviderTest, InvalidBase64SecretIsInvalidConfig) {
  Rfc2136Provider provider("bind", config("frankenetes", "not base64!"));
  auto status = provider.apply({upsert(a("b64", {"127.0.0.10"}), std::nullopt)});
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, core::ErrorKind::kInvalidConfig);
  EXPECT_EQ(status.error().message.find("not base64!"), std::string::npos);
}

TEST_F(Rfc2136ProviderTest, SilentServerTimesOutAsTransient) {
  // A bound UDP socket that never answers.
  int sock = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(sock, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(getsockname(sock, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  auto c = config();
  c.server.port = ntohs(addr.sin_port);
  c.timeout = std::chrono::milliseconds(300);
  Rfc2136Provider provider("bind", c);
  const auto start = std::chrono::steady_clock::now();
  auto status = provider.apply({upsert(a("silent", {"127.0.0.10"}), std::nullopt)});
  const auto took = std::chrono::steady_clock::now() - start;
  close(sock);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, core::ErrorKind::kTransient);
  EXPECT_LT(took, std::chrono::seconds(3));
}

TEST_F(Rfc2136ProviderTest, QueryRecordSetForVerification) {
  Rfc2136Provider provider("bind", config());
  ASSERT_TRUE(
      provider.apply({upsert(a("verify", {"127.0.0.31", "127.0.0.30"}), std::nullopt)}).ok());
  config::HostPort server{"127.0.0.1", server_->port()};
  auto set = query_record_set(server, "verify.example.test", RecordType::kA);
  ASSERT_TRUE(set.ok()) << set.error().describe();
  ASSERT_TRUE(set->has_value());
  EXPECT_EQ((*set)->values, (std::vector<std::string>{"127.0.0.30", "127.0.0.31"}));
  auto missing = query_record_set(server, "nothing.example.test", RecordType::kA);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  // Not authoritative for another zone: REFUSED is terminal.
  auto other = query_record_set(server, "api.example.com", RecordType::kA);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().kind, core::ErrorKind::kTerminal);
}

}  // namespace
}  // namespace frankenetes::dns
