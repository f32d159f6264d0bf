#include "probe/prober.h"

#include <gtest/gtest.h>

#include "azure/fake_transport.h"
#include "support/fake_time_source.h"

namespace frankenetes::probe {
namespace {

using testing::FakeTimeSource;
using testing::FakeTransport;
using testing::make_error;

config::MemberConfig member(config::MemberRole role, std::string url) {
  config::MemberConfig m;
  m.name = "etcd";
  m.role = role;
  m.container_group = "etcd";
  config::ProbeConfig probe;
  probe.url = std::move(url);
  probe.timeout = std::chrono::seconds(2);
  m.probe = probe;
  return m;
}

TEST(SubstituteProbeUrl, ReplacesIpAndFqdn) {
  const ProbeTarget target{"10.0.0.4", "etcd.westeurope.azurecontainer.io"};
  EXPECT_EQ(substitute_probe_url("http://{ip}:2379/health", target), "http://10.0.0.4:2379/health");
  EXPECT_EQ(substitute_probe_url("https://{fqdn}:6443/livez?x={ip}", target),
            "https://etcd.westeurope.azurecontainer.io:6443/livez?x=10.0.0.4");
  EXPECT_EQ(substitute_probe_url("http://fixed:1/", ProbeTarget{}), "http://fixed:1/");
}

TEST(SubstituteProbeUrl, MissingValueMeansNotProbed) {
  EXPECT_EQ(substitute_probe_url("http://{ip}:2379/health", ProbeTarget{}), std::nullopt);
  EXPECT_EQ(substitute_probe_url("http://{fqdn}/", ProbeTarget{"1.2.3.4", std::nullopt}),
            std::nullopt);
  EXPECT_EQ(substitute_probe_url("http://{ip}/", ProbeTarget{"", std::nullopt}), std::nullopt);
}

struct JudgeCase {
  config::MemberRole role;
  int status;
  std::string body;
  std::string expected;  // "" = success
};

class JudgeProbeResponse : public ::testing::TestWithParam<JudgeCase> {};

TEST_P(JudgeProbeResponse, Table) {
  const auto& c = GetParam();
  EXPECT_EQ(judge_probe_response(c.role, c.status, c.body), c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, JudgeProbeResponse,
    ::testing::Values(
        JudgeCase{config::MemberRole::kApiserver, 200, "ok", ""},
        JudgeCase{config::MemberRole::kApiserver, 204, "", ""},
        JudgeCase{config::MemberRole::kApiserver, 500, "boom", "HTTP 500"},
        JudgeCase{config::MemberRole::kApiserver, 301, "", "HTTP 301"},
        JudgeCase{config::MemberRole::kApiserver, 200, R"({"health":"false"})", ""},
        JudgeCase{config::MemberRole::kEtcd, 200, R"({"health":"true","reason":""})", ""},
        JudgeCase{config::MemberRole::kEtcd, 200, R"({"health":true})", ""},
        JudgeCase{config::MemberRole::kEtcd, 200, R"({"health":"false","reason":"RAFT NO LEADER"})",
                  R"(etcd health "false": RAFT NO LEADER)"},
        JudgeCase{config::MemberRole::kEtcd, 200, "ok", ""},
        JudgeCase{config::MemberRole::kEtcd, 503, R"({"health":"true"})", "HTTP 503"}));

TEST(ApplyProbeResult, CountsStreaks) {
  const auto t0 = core::MonotonicTime(std::chrono::hours(1));
  model::ProbeObservation obs;
  obs = apply_probe_result(obs, {false, "HTTP 500", {}}, t0);
  obs = apply_probe_result(obs, {false, "timeout after 2s", {}}, t0 + std::chrono::seconds(5));
  EXPECT_TRUE(obs.configured);
  EXPECT_EQ(obs.last_success, false);
  EXPECT_EQ(obs.consecutive_failures, 2);
  EXPECT_EQ(obs.consecutive_successes, 0);
  EXPECT_EQ(obs.last_error, "timeout after 2s");
  EXPECT_EQ(obs.observed_at, t0 + std::chrono::seconds(5));
  obs = apply_probe_result(obs, {true, "", {}}, t0 + std::chrono::seconds(10));
  EXPECT_EQ(obs.consecutive_failures, 0);
  EXPECT_EQ(obs.consecutive_successes, 1);
  EXPECT_EQ(obs.last_error, "");
}

TEST(Prober, SendsGetWithTimeoutToSubstitutedUrl) {
  FakeTimeSource time;
  FakeTransport transport(&time, std::chrono::milliseconds(30));
  transport.push(200, R"({"health":"true"})");
  Prober prober(transport, time);
  const auto result =
      prober.probe(member(config::MemberRole::kEtcd, "http://{ip}:2379/health"), {"127.1.0.4", {}});
  ASSERT_TRUE(result.has_value());
  EXPECT_TRUE(result->success);
  EXPECT_EQ(result->duration, std::chrono::milliseconds(30));
  ASSERT_EQ(transport.requests().size(), 1u);
  EXPECT_EQ(transport.requests()[0].method, "GET");
  EXPECT_EQ(transport.requests()[0].url, "http://127.1.0.4:2379/health");
  EXPECT_EQ(transport.requests()[0].timeout, std::chrono::seconds(2));
}

TEST(Prober, NoIpNoProbe) {
  FakeTimeSource time;
  FakeTransport transport(&time);
  Prober prober(transport, time);
  EXPECT_EQ(prober.probe(member(config::MemberRole::kEtcd, "http://{ip}:2379/health"), {}),
            std::nullopt);
  config::MemberConfig unprobed;
  EXPECT_EQ(prober.probe(unprobed, {"1.2.3.4", {}}), std::nullopt);
  EXPECT_TRUE(transport.requests().empty());
}

TEST(Prober, ReportsHttpStatusConnectErrorsAndTimeouts) {
  FakeTimeSource time;
  FakeTransport transport(&time);
  transport.push(500, "internal");
  transport.push_error(core::ErrorKind::kTransient, "connect: connection refused");
  transport.push_error(core::ErrorKind::kTransient, "read: operation timed out");
  Prober prober(transport, time);
  const auto m = member(config::MemberRole::kApiserver, "http://{ip}:6443/livez");
  EXPECT_EQ(prober.probe(m, {"1.2.3.4", {}})->error, "HTTP 500");
  EXPECT_EQ(prober.probe(m, {"1.2.3.4", {}})->error, "connect: connection refused");
  const auto timed_out = prober.probe(m, {"1.2.3.4", {}});
  EXPECT_FALSE(timed_out->success);
  EXPECT_EQ(timed_out->error, "timeout after 2s");
}

TEST(Prober, SlowFailureCountsAsTimeout) {
  FakeTimeSource time;
  FakeTransport transport(&time, std::chrono::seconds(2));
  transport.push_error(core::ErrorKind::kTransient, "stream reset");
  Prober prober(transport, time);
  EXPECT_EQ(
      prober.probe(member(config::MemberRole::kOther, "http://{ip}/"), {"1.2.3.4", {}})->error,
      "timeout after 2s");
}

}  // namespace
}  // namespace frankenetes::probe
