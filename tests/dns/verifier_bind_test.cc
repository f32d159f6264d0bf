// DnsVerifier with the real LdnsRecordQuerier against a real BIND9 (tests/support/
// bind9_server.h) on a loopback high port: the answers it parses, NXDOMAIN as absence, a
// record changed by a signed dynamic update while the verifier polls, and a dead server.
// Real clock and sleeps, but every wait is bounded by the verifier's own deadline (seconds).

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "core/sleeper.h"
#include "dns/verifier.h"
#include "support/bind9_server.h"

namespace frankenetes::dns {
namespace {

using namespace std::chrono_literals;

// Shared by the suite: starting named costs about a second on a busy machine.
class VerifierBind : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!testing::Bind9Server::available()) return;
    testing::Bind9Options options;
    options.records = {
        "cp-etcd IN A 10.0.0.1",
        "cp-multi IN A 10.0.0.4",
        "cp-multi IN A 10.0.0.3",
        "cp-api IN CNAME API-Prod.westeurope.azurecontainer.io.",
        "_frankenetes.cp-etcd IN TXT \"heritage=frankenetes,frankenetes/owner=prod\"",
    };
    server_ = std::make_unique<testing::Bind9Server>(options);
    if (!server_->start()) {
      start_error_ = server_->error();
      server_.reset();
    }
  }
  static void TearDownTestSuite() { server_.reset(); }

  void SetUp() override {
    if (!testing::Bind9Server::available()) {
      GTEST_SKIP() << testing::Bind9Server::unavailable_reason();
    }
    ASSERT_NE(server_, nullptr) << start_error_;
  }

  static std::string name(const std::string& label) { return label + "." + server_->zone(); }

  VerificationResult verify(const Expectation& expected, std::vector<std::string> servers,
                            core::Duration timeout = 3s, core::Duration interval = 100ms) {
    VerifyOptions options;
    options.servers = std::move(servers);
    options.timeout = timeout;
    options.interval = interval;
    options.query_timeout = 1s;
    return DnsVerifier(querier_, time_, sleeper_).verify(expected, options);
  }

  static std::unique_ptr<testing::Bind9Server> server_;
  static std::string start_error_;
  LdnsRecordQuerier querier_;
  core::RealTimeSource time_;
  core::RealSleeper sleeper_;
};

std::unique_ptr<testing::Bind9Server> VerifierBind::server_;
std::string VerifierBind::start_error_;

TEST_F(VerifierBind, ARecordAlreadyRightIsConsistentInOneRound) {
  const auto r = verify({name("cp-etcd"), RecordType::kA, {"10.0.0.1"}}, {server_->address()});
  EXPECT_TRUE(r.consistent) << r.describe();
  EXPECT_EQ(r.rounds, 1);
  ASSERT_EQ(r.servers.size(), 1u);
  EXPECT_EQ(r.servers[0].describe(), "A 10.0.0.1");
}

TEST_F(VerifierBind, WrongAddressIsInconsistentAtTheDeadlineWithWhatTheServerSaid) {
  const auto start = std::chrono::steady_clock::now();
  const auto r =
      verify({name("cp-etcd"), RecordType::kA, {"10.0.0.2"}}, {server_->address()}, 500ms);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_FALSE(r.consistent);
  EXPECT_GE(r.elapsed, 500ms);
  EXPECT_LT(took, 5s) << "bounded by the deadline plus one query";
  EXPECT_GE(r.rounds, 2);
  EXPECT_EQ(r.servers[0].describe(), "A 10.0.0.1");
  EXPECT_NE(r.describe().find(server_->address() + " A 10.0.0.1"), std::string::npos)
      << r.describe();
}

TEST_F(VerifierBind, SeveralAddressesCompareAsASet) {
  const auto r =
      verify({name("cp-multi"), RecordType::kA, {"10.0.0.3", "10.0.0.4"}}, {server_->address()});
  EXPECT_TRUE(r.consistent) << r.describe();
}

TEST_F(VerifierBind, CnameTargetComparesCaseInsensitively) {
  const auto r =
      verify({name("cp-api"), RecordType::kCname, {"api-prod.westeurope.azurecontainer.io"}},
             {server_->address()});
  EXPECT_TRUE(r.consistent) << r.describe();
}

TEST_F(VerifierBind, OwnershipTxtIsReadBack) {
  const auto r = verify({"_frankenetes." + name("cp-etcd"),
                         RecordType::kTxt,
                         {"heritage=frankenetes,frankenetes/owner=prod"}},
                        {server_->address()});
  EXPECT_TRUE(r.consistent) << r.describe();
}

TEST_F(VerifierBind, NxdomainVerifiesADeletion) {
  const auto r = verify({name("never-existed"), RecordType::kA, {}}, {server_->address()});
  EXPECT_TRUE(r.consistent) << r.describe();
  EXPECT_EQ(r.servers[0].describe(), "absent");
  // And a name that exists with another type only (NOERROR, no data) is absent too.
  const auto nodata = verify({name("cp-etcd"), RecordType::kCname, {}}, {server_->address()});
  EXPECT_TRUE(nodata.consistent) << nodata.describe();
}

TEST_F(VerifierBind, UpdateDuringPollingIsSeenWithinAnInterval) {
  const std::string fqdn = name("cp-moving");
  ASSERT_EQ(server_->nsupdate("frankenetes", "update add " + fqdn + ". 60 A 10.0.1.1"), 0);
  std::thread updater([&] {
    std::this_thread::sleep_for(1s);
    (void)server_->nsupdate(
        "frankenetes", "update delete " + fqdn + ". A\nupdate add " + fqdn + ". 60 A 10.0.1.2");
  });
  const auto r = verify({fqdn, RecordType::kA, {"10.0.1.2"}}, {server_->address()}, 15s, 200ms);
  updater.join();
  EXPECT_TRUE(r.consistent) << r.describe();
  EXPECT_GE(r.rounds, 2) << "the first round saw the old address";
  ASSERT_TRUE(r.servers[0].matched_after.has_value());
  EXPECT_GE(*r.servers[0].matched_after, 1s);
}

TEST_F(VerifierBind, DeadServerIsAnErrorNotAnAnswer) {
  // A port nobody listens on: ICMP port unreachable or a timeout, either way an error.
  const std::string dead = "127.0.0.1:" + std::to_string(server_->port() == 1 ? 2 : 1);
  const auto r = verify({name("cp-etcd"), RecordType::kA, {"10.0.0.1"}}, {server_->address(), dead},
                        700ms, 200ms);
  EXPECT_FALSE(r.consistent);
  EXPECT_TRUE(r.servers[0].matches);
  EXPECT_FALSE(r.servers[1].matches);
  ASSERT_TRUE(r.servers[1].error.has_value()) << r.servers[1].describe();
  EXPECT_NE(r.describe().find(dead), std::string::npos) << r.describe();
}

}  // namespace
}  // namespace frankenetes::dns
