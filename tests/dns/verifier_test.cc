// DnsVerifier's polling logic on fake time: a scripted RecordQuerier answers per server and
// per query, FakeSleeper advances FakeTimeSource, so deadlines and intervals are exact numbers
// and no test sleeps. The real ldns queries are in verifier_bind_test.cc.

#include "dns/verifier.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <stop_token>
#include <string>
#include <vector>

#include "support/fake_sleeper.h"
#include "support/fake_time_source.h"

namespace frankenetes::dns {
namespace {

using namespace std::chrono_literals;
using QueryResult = core::Result<std::optional<RecordSet>>;

RecordSet a_set(std::vector<std::string> ips, uint32_t ttl = 60) {
  RecordSet s;
  s.fqdn = "cp-etcd.example.com";
  s.type = RecordType::kA;
  s.ttl = ttl;
  s.values = std::move(ips);
  return s;
}

core::Error error(core::ErrorKind kind, std::string message) {
  core::Error e;
  e.kind = kind;
  e.message = std::move(message);
  return e;
}

QueryResult answer(RecordSet set) { return std::optional<RecordSet>(std::move(set)); }
QueryResult no_answer() { return std::optional<RecordSet>(); }
QueryResult failure(core::ErrorKind kind, std::string message) {
  return error(kind, std::move(message));
}

// Answers from a per-server script: the n-th query to a server gets script[n] (the last entry
// repeats). Each query takes `latency` of fake time, as a real round trip would.
class ScriptedQuerier final : public RecordQuerier {
 public:
  explicit ScriptedQuerier(testing::FakeTimeSource& time) : time_(time) {}

  void script(const std::string& server, std::vector<QueryResult> answers) {
    scripts_.insert_or_assign(server, std::move(answers));
  }
  void set_latency(core::Duration latency) { latency_ = latency; }

  QueryResult query(const config::HostPort& server, const std::string& fqdn, RecordType type,
                    core::Duration timeout) override {
    const std::string key = server.to_string();
    calls_.push_back({key, fqdn, type, timeout});
    time_.advance(std::min(latency_, timeout));
    const auto it = scripts_.find(key);
    if (it == scripts_.end()) return error(core::ErrorKind::kTransient, "no script for " + key);
    const std::size_t n = count(key) - 1;
    return it->second[std::min(n, it->second.size() - 1)];
  }

  struct Call {
    std::string server;
    std::string fqdn;
    RecordType type;
    core::Duration timeout;
  };
  const std::vector<Call>& calls() const { return calls_; }
  std::size_t count(const std::string& server) const {
    return static_cast<std::size_t>(std::count_if(
        calls_.begin(), calls_.end(), [&](const Call& c) { return c.server == server; }));
  }

 private:
  testing::FakeTimeSource& time_;
  std::map<std::string, std::vector<QueryResult>> scripts_;
  std::vector<Call> calls_;
  core::Duration latency_{0};
};

class VerifierTest : public ::testing::Test {
 protected:
  VerificationResult verify(const Expectation& expected, std::vector<std::string> servers,
                            core::Duration timeout = 5s, core::Duration interval = 1s) {
    VerifyOptions options;
    options.servers = std::move(servers);
    options.timeout = timeout;
    options.interval = interval;
    options.query_timeout = 2s;
    return DnsVerifier(querier_, time_, sleeper_).verify(expected, options);
  }

  testing::FakeTimeSource time_;
  testing::FakeSleeper sleeper_{time_};
  ScriptedQuerier querier_{time_};
  const Expectation want_{"cp-etcd.example.com", RecordType::kA, {"10.0.0.2"}};
  const std::string ns1_ = "127.0.0.1:5301";
  const std::string ns2_ = "127.0.0.2:5302";
};

TEST_F(VerifierTest, EveryServerRightAtOnceNeedsOneRoundAndNoSleep) {
  querier_.script(ns1_, {answer(a_set({"10.0.0.2"}))});
  querier_.script(ns2_, {answer(a_set({"10.0.0.2"}))});
  const auto r = verify(want_, {ns1_, ns2_});
  EXPECT_TRUE(r.consistent) << r.describe();
  EXPECT_EQ(r.rounds, 1);
  EXPECT_EQ(r.elapsed, 0ms);
  EXPECT_TRUE(sleeper_.sleeps().empty());
  ASSERT_EQ(r.servers.size(), 2u);
  EXPECT_EQ(r.servers[0].server, ns1_);
  EXPECT_EQ(r.servers[1].matched_after, 0ms);
  EXPECT_EQ(r.describe(), "consistent after 0s (2 servers, 1 round)");
  ASSERT_EQ(querier_.calls().size(), 2u);
  EXPECT_EQ(querier_.calls()[0].fqdn, "cp-etcd.example.com");
  EXPECT_EQ(querier_.calls()[0].type, RecordType::kA);
}

TEST_F(VerifierTest, LaggingServerIsPolledEveryIntervalAndTheOtherIsNotAskedAgain) {
  querier_.script(ns1_, {answer(a_set({"10.0.0.2"}))});
  querier_.script(ns2_, {answer(a_set({"10.0.0.1"})), answer(a_set({"10.0.0.1"})),
                         answer(a_set({"10.0.0.2"}))});
  const auto r = verify(want_, {ns1_, ns2_});
  EXPECT_TRUE(r.consistent) << r.describe();
  EXPECT_EQ(r.rounds, 3);
  EXPECT_EQ(sleeper_.sleeps(), (std::vector<core::Duration>{1s, 1s}));
  EXPECT_EQ(r.elapsed, 2s);
  EXPECT_EQ(querier_.count(ns1_), 1u);
  EXPECT_EQ(querier_.count(ns2_), 3u);
  EXPECT_EQ(r.servers[0].matched_after, 0ms);
  EXPECT_EQ(r.servers[1].matched_after, 2s);
  EXPECT_EQ(r.servers[1].queries, 3);
}

TEST_F(VerifierTest, DeadlineEndsPollingWithALastLookExactlyAtTheDeadline) {
  querier_.script(ns1_, {answer(a_set({"10.0.0.2"}))});
  querier_.script(ns2_, {answer(a_set({"10.0.0.1"}))});
  const auto r = verify(want_, {ns1_, ns2_}, 5s, 2s);
  EXPECT_FALSE(r.consistent);
  EXPECT_EQ(sleeper_.sleeps(), (std::vector<core::Duration>{2s, 2s, 1s}));
  EXPECT_EQ(r.rounds, 4);
  EXPECT_EQ(r.elapsed, 5s);
  EXPECT_TRUE(r.servers[0].matches);
  EXPECT_FALSE(r.servers[1].matches);
  EXPECT_EQ(r.servers[1].describe(), "A 10.0.0.1");
  EXPECT_EQ(r.describe(), "inconsistent after 5s (2 servers, 4 rounds): 127.0.0.2:5302 A 10.0.0.1");
}

TEST_F(VerifierTest, QueryTimeTakesFromTheDeadlineAndTheLastQueryIsCapped) {
  // Each query takes 1.5s: round 1 at 0s (ends 1.5s), sleep 1s, round 2 at 2.5s (ends 4s),
  // sleep 1s, round 3 at 5s: past the deadline, so no more rounds after it.
  querier_.set_latency(1500ms);
  querier_.script(ns1_, {answer(a_set({"10.0.0.1"}))});
  const auto r = verify(want_, {ns1_}, 5s, 1s);
  EXPECT_FALSE(r.consistent);
  ASSERT_EQ(querier_.calls().size(), 3u);
  EXPECT_EQ(querier_.calls()[0].timeout, 2s);
  EXPECT_EQ(querier_.calls()[1].timeout, 2s);  // 2.5s left
  EXPECT_EQ(querier_.calls()[2].timeout, 100ms) << "never less than a usable minimum";
  EXPECT_EQ(sleeper_.sleeps(), (std::vector<core::Duration>{1s, 1s}));
}

TEST_F(VerifierTest, TransientErrorsAreRetriedAndClearedByAnAnswer) {
  querier_.script(ns1_, {failure(core::ErrorKind::kTransient, "timeout after 2s"),
                         answer(a_set({"10.0.0.2"}))});
  const auto r = verify(want_, {ns1_});
  EXPECT_TRUE(r.consistent) << r.describe();
  EXPECT_FALSE(r.servers[0].error.has_value());
  EXPECT_EQ(r.servers[0].queries, 2);
}

TEST_F(VerifierTest, PersistentErrorIsReportedPerServer) {
  querier_.script(ns1_, {failure(core::ErrorKind::kTerminal, "REFUSED")});
  const auto r = verify(want_, {ns1_}, 3s, 1s);
  EXPECT_FALSE(r.consistent);
  EXPECT_EQ(querier_.count(ns1_), 4u) << "terminal answers may be a server still loading";
  ASSERT_TRUE(r.servers[0].error.has_value());
  EXPECT_NE(r.describe().find("REFUSED"), std::string::npos) << r.describe();
}

TEST_F(VerifierTest, InvalidConfigErrorsAreNotRetried) {
  querier_.script(ns1_, {failure(core::ErrorKind::kInvalidConfig, "bad name")});
  const auto r = verify(want_, {ns1_});
  EXPECT_FALSE(r.consistent);
  EXPECT_EQ(querier_.count(ns1_), 1u);
  EXPECT_TRUE(sleeper_.sleeps().empty());
}

TEST_F(VerifierTest, UnparsableServerIsReportedAndNeverQueried) {
  querier_.script(ns1_, {answer(a_set({"10.0.0.2"}))});
  const auto r = verify(want_, {"not an address:xx", ns1_});
  EXPECT_FALSE(r.consistent);
  EXPECT_EQ(querier_.calls().size(), 1u);
  ASSERT_TRUE(r.servers[0].error.has_value());
  EXPECT_EQ(r.servers[0].error->kind, core::ErrorKind::kInvalidConfig);
  EXPECT_TRUE(r.servers[1].matches);
  EXPECT_TRUE(sleeper_.sleeps().empty()) << "nothing left that could still change";
}

TEST_F(VerifierTest, NoServersIsAProblemNotASuccess) {
  const auto r = verify(want_, {});
  EXPECT_FALSE(r.consistent);
  EXPECT_NE(r.problem.find("dns.verify.nameservers"), std::string::npos);
  EXPECT_NE(r.describe().find("not verified"), std::string::npos);
  EXPECT_TRUE(querier_.calls().empty());
}

TEST_F(VerifierTest, DeletionIsVerifiedByAbsence) {
  const Expectation gone{"cp-etcd.example.com", RecordType::kA, {}};
  querier_.script(ns1_, {answer(a_set({"10.0.0.1"})), no_answer()});
  const auto r = verify(gone, {ns1_});
  EXPECT_TRUE(r.consistent) << r.describe();
  EXPECT_EQ(r.servers[0].describe(), "absent");
  EXPECT_EQ(r.rounds, 2);
}

TEST_F(VerifierTest, ZeroIntervalStillYieldsAndEnds) {
  querier_.script(ns1_, {answer(a_set({"10.0.0.1"}))});
  const auto r = verify(want_, {ns1_}, 10ms, 0ms);
  EXPECT_FALSE(r.consistent);
  EXPECT_EQ(sleeper_.sleeps().size(), 10u);
}

// The daemon stopping: its StopSignal wakes the sleep, and the stop token ends the polling
// before another round instead of querying until the deadline.
TEST_F(VerifierTest, StopEndsPollingBeforeTheNextRound) {
  class StoppingSleeper final : public core::Sleeper {
   public:
    explicit StoppingSleeper(std::stop_source& stop) : stop_(stop) {}
    void sleep_for(core::Duration) override { stop_.request_stop(); }

   private:
    std::stop_source& stop_;
  };
  std::stop_source stop;
  StoppingSleeper sleeper(stop);
  querier_.script(ns1_, {answer(a_set({"10.0.0.1"}))});
  VerifyOptions options;
  options.servers = {ns1_};
  options.timeout = 30s;
  options.stop = stop.get_token();
  const auto r = DnsVerifier(querier_, time_, sleeper).verify(want_, options);
  EXPECT_TRUE(r.cancelled);
  EXPECT_FALSE(r.consistent);
  EXPECT_EQ(r.rounds, 1);
  EXPECT_EQ(querier_.count(ns1_), 1u);
  EXPECT_EQ(r.describe(), "cancelled after 0s");
}

TEST_F(VerifierTest, StopBeforeTheFirstRoundAsksNobody) {
  std::stop_source stop;
  stop.request_stop();
  VerifyOptions options;
  options.servers = {ns1_};
  options.stop = stop.get_token();
  const auto r = DnsVerifier(querier_, time_, sleeper_).verify(want_, options);
  EXPECT_TRUE(r.cancelled);
  EXPECT_TRUE(querier_.calls().empty());
}

struct MatchCase {
  std::string name;
  Expectation expected;
  std::optional<RecordSet> answer;
  bool matches;
};

class AnswerMatches : public ::testing::TestWithParam<MatchCase> {};

TEST_P(AnswerMatches, Table) {
  EXPECT_EQ(answer_matches(GetParam().expected, GetParam().answer), GetParam().matches);
}

RecordSet cname_set(std::string target) {
  RecordSet s;
  s.fqdn = "cp-etcd.example.com";
  s.type = RecordType::kCname;
  s.values = {std::move(target)};
  return s;
}

const Expectation kWantA{"cp-etcd.example.com", RecordType::kA, {"10.0.0.2"}};
const Expectation kWantTwo{"cp-etcd.example.com", RecordType::kA, {"10.0.0.3", "10.0.0.2"}};
const Expectation kWantCname{
    "cp-etcd.example.com", RecordType::kCname, {"etcd.westeurope.azurecontainer.io"}};
const Expectation kWantAbsent{"cp-etcd.example.com", RecordType::kA, {}};

INSTANTIATE_TEST_SUITE_P(
    Verifier, AnswerMatches,
    ::testing::Values(MatchCase{"Same", kWantA, a_set({"10.0.0.2"}), true},
                      MatchCase{"TtlIgnored", kWantA, a_set({"10.0.0.2"}, 3600), true},
                      MatchCase{"Different", kWantA, a_set({"10.0.0.1"}), false},
                      MatchCase{"Extra", kWantA, a_set({"10.0.0.1", "10.0.0.2"}), false},
                      MatchCase{"Absent", kWantA, std::nullopt, false},
                      MatchCase{"OrderIgnored", kWantTwo, a_set({"10.0.0.2", "10.0.0.3"}), true},
                      MatchCase{"CnameCaseAndRootDot", kWantCname,
                                cname_set("Etcd.WestEurope.azurecontainer.io."), true},
                      MatchCase{"CnameWrongTarget", kWantCname, cname_set("other.example.com"),
                                false},
                      MatchCase{"TypeMismatch", kWantCname, a_set({"10.0.0.2"}), false},
                      MatchCase{"AbsentWanted", kWantAbsent, std::nullopt, true},
                      MatchCase{"AbsentWantedButPresent", kWantAbsent, a_set({"10.0.0.2"}), false}),
    [](const auto& test_info) { return test_info.param.name; });

TEST(VerifyServers, ConfiguredNameserversWinOverTheProvidersServers) {
  config::DnsVerifyConfig verify;
  EXPECT_EQ(choose_verify_servers(verify, {"127.0.0.1:5300"}),
            std::vector<std::string>{"127.0.0.1:5300"});
  verify.nameservers = {{"ns1.example.net", 53}, {"::1", 5353}};
  EXPECT_EQ(choose_verify_servers(verify, {"127.0.0.1:5300"}),
            (std::vector<std::string>{"ns1.example.net:53", "[::1]:5353"}));
}

}  // namespace
}  // namespace frankenetes::dns
