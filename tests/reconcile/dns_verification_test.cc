// DnsVerification on fake time: which servers it asks, what each outcome means, and that a
// stop of the daemon cancels a verification in progress instead of polling to its deadline.

#include "reconcile/dns_verification.h"

#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "dns_test_util.h"
#include "support/fake_time_source.h"

namespace frankenetes::reconcile {
namespace {

using namespace std::chrono_literals;
using dns::RecordSet;
using dns::RecordType;
using Kind = DnsVerifyOutcome::Kind;

constexpr const char* kName = "etcd.example.com";

class FixedQuerier final : public dns::RecordQuerier {
 public:
  std::vector<std::string> answer;
  std::vector<std::string> servers;  // asked, in order
  core::Result<std::optional<RecordSet>> query(const config::HostPort& server,
                                               const std::string& fqdn, RecordType type,
                                               core::Duration) override {
    servers.push_back(server.to_string());
    return std::optional<RecordSet>(RecordSet{fqdn, type, 60, answer, ""});
  }
};

struct DnsVerificationTest : ::testing::Test {
  DnsVerifyOutcome verify(const config::DnsVerifyConfig& config = {}) {
    return verification.verify(config, provider, want);
  }

  testing::FakeTimeSource time;
  FixedQuerier querier;
  test_util::AdvancingSleeper sleeper{time};
  std::stop_source stop;
  DnsVerification verification{querier, time, sleeper, stop.get_token()};
  test_util::FakeProvider provider;  // authoritative: 127.0.0.1:5353
  const dns::Expectation want{kName, RecordType::kA, {"10.0.0.2"}};
};

TEST_F(DnsVerificationTest, ConsistentWhenTheServersAnswerTheNewAddress) {
  querier.answer = {"10.0.0.2"};
  const auto outcome = verify();
  EXPECT_EQ(outcome.kind, Kind::kConsistent);
  EXPECT_EQ(querier.servers, std::vector<std::string>{"127.0.0.1:5353"});
}

TEST_F(DnsVerificationTest, ConfiguredNameserversAreAskedInsteadOfTheProviders) {
  querier.answer = {"10.0.0.2"};
  config::DnsVerifyConfig config;
  config.nameservers.push_back(config::HostPort{"127.0.0.9", 53});
  EXPECT_EQ(verify(config).kind, Kind::kConsistent);
  EXPECT_EQ(querier.servers, std::vector<std::string>{"127.0.0.9:53"});
}

TEST_F(DnsVerificationTest, InconsistentAfterTheTimeout) {
  querier.answer = {"10.0.0.1"};
  config::DnsVerifyConfig config;
  config.timeout = 3s;
  config.interval = 1s;
  const auto outcome = verify(config);
  EXPECT_EQ(outcome.kind, Kind::kInconsistent);
  EXPECT_EQ(outcome.result.elapsed, 3s);
}

TEST_F(DnsVerificationTest, NobodyToAskIsNoServers) {
  struct NoServers final : dns::DnsProvider {
    std::string name() const override { return "p"; }
    std::string zone() const override { return "example.com"; }
    core::Result<std::vector<RecordSet>> read(const std::string&) override {
      return std::vector<RecordSet>{};
    }
    core::Status apply(const std::vector<dns::Change>&) override { return {}; }
    std::vector<std::string> authoritative_servers() const override { return {}; }
  } none;
  EXPECT_EQ(verification.verify({}, none, want).kind, Kind::kNoServers);
  EXPECT_TRUE(querier.servers.empty());
}

TEST_F(DnsVerificationTest, StopCancelsAVerificationInProgress) {
  querier.answer = {"10.0.0.1"};  // stale: would poll until the 30 s deadline
  sleeper.on_sleep = [&] { stop.request_stop(); };
  const auto outcome = verify();
  EXPECT_EQ(outcome.kind, Kind::kCancelled);
  EXPECT_EQ(querier.servers.size(), 1u);
}

TEST(DnsExpectationAfter, WhatResolversMustSeeAfterAChange) {
  plan::DnsMemberChange change;
  change.fqdn = kName;
  change.old_record = RecordSet{kName, RecordType::kA, 60, {"10.0.0.1"}, ""};
  change.new_record = RecordSet{kName, RecordType::kA, 60, {"10.0.0.2"}, ""};
  auto expected = expectation_after(change);
  ASSERT_TRUE(expected);
  EXPECT_EQ(expected->values, std::vector<std::string>{"10.0.0.2"});

  change.new_record.reset();  // a delete: the old type must be gone
  expected = expectation_after(change);
  ASSERT_TRUE(expected);
  EXPECT_EQ(expected->type, RecordType::kA);
  EXPECT_TRUE(expected->values.empty());

  change.old_record.reset();  // the ownership TXT alone: nothing to see at the name
  EXPECT_FALSE(expectation_after(change));
}

}  // namespace
}  // namespace frankenetes::reconcile
