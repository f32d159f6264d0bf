#include "probe/prober.h"

#include <gtest/gtest.h>

#include "support/fake_async_transport.h"
#include "support/fake_time_source.h"
#include "support/fake_transport.h"

namespace frankenetes::probe {
namespace {

using testing::FakeAsyncTransport;
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
        JudgeCase{config::MemberRole::kEtcd, 200, "", ""},
        JudgeCase{config::MemberRole::kEtcd, 200, R"(["health","false"])", ""},
        JudgeCase{config::MemberRole::kEtcd, 200, " \r\n\t{\"health\":\"false\"}\n",
                  R"(etcd health "false")"},
        JudgeCase{config::MemberRole::kEtcd, 200, R"({"health":"false")", ""},
        JudgeCase{config::MemberRole::kEtcd, 503, R"({"health":"true"})", "HTTP 503"}));

ProbeResult failed(std::string error, model::ProbeOutcome outcome) {
  ProbeResult result;
  result.error = std::move(error);
  result.outcome = outcome;
  return result;
}

ProbeResult succeeded() {
  ProbeResult result;
  result.success = true;
  result.outcome = model::ProbeOutcome::kOk;
  return result;
}

TEST(ApplyProbeResult, CountsStreaks) {
  const auto t0 = core::MonotonicTime(std::chrono::hours(1));
  model::ProbeObservation obs;
  EXPECT_EQ(obs.last_outcome, std::nullopt);
  obs = apply_probe_result(obs, failed("HTTP 500", model::ProbeOutcome::kHttpError), t0);
  obs = apply_probe_result(obs, failed("timeout after 2s", model::ProbeOutcome::kTimeout),
                           t0 + std::chrono::seconds(5));
  EXPECT_TRUE(obs.configured);
  EXPECT_EQ(obs.last_success, false);
  EXPECT_EQ(obs.consecutive_failures, 2);
  EXPECT_EQ(obs.consecutive_successes, 0);
  EXPECT_EQ(obs.last_error, "timeout after 2s");
  EXPECT_EQ(obs.last_outcome, model::ProbeOutcome::kTimeout);
  EXPECT_EQ(obs.observed_at, t0 + std::chrono::seconds(5));
  EXPECT_EQ(obs.failing_since, t0);  // the streak's first failure
  obs = apply_probe_result(obs, succeeded(), t0 + std::chrono::seconds(10));
  EXPECT_EQ(obs.failing_since, std::nullopt);
  EXPECT_EQ(obs.consecutive_failures, 0);
  EXPECT_EQ(obs.consecutive_successes, 1);
  EXPECT_EQ(obs.last_error, "");
  EXPECT_EQ(obs.last_outcome, model::ProbeOutcome::kOk);
}

// A TLS failure is a failure like any other for the streak, and says so in last_outcome, the
// field the planner reads to leave it alone.
TEST(ApplyProbeResult, RecordsThatTheLastFailureWasTls) {
  const auto t0 = core::MonotonicTime(std::chrono::hours(1));
  model::ProbeObservation obs;
  obs = apply_probe_result(
      obs,
      failed("connect to 10.0.0.4:2379: Connection refused", model::ProbeOutcome::kConnectError),
      t0);
  obs = apply_probe_result(
      obs,
      failed("TLS handshake with 10.0.0.4:2379 failed: certificate verify failed",
             model::ProbeOutcome::kTls),
      t0 + std::chrono::seconds(5));
  EXPECT_EQ(obs.consecutive_failures, 2);
  EXPECT_EQ(obs.last_outcome, model::ProbeOutcome::kTls);
  EXPECT_EQ(obs.last_error, "TLS handshake with 10.0.0.4:2379 failed: certificate verify failed");
  obs = apply_probe_result(obs, succeeded(), t0 + std::chrono::seconds(10));
  EXPECT_EQ(obs.last_outcome, model::ProbeOutcome::kOk);
}

TEST(ProbeOutcome, Names) {
  EXPECT_EQ(model::to_string(model::ProbeOutcome::kOk), "ok");
  EXPECT_EQ(model::to_string(model::ProbeOutcome::kHttpError), "http_error");
  EXPECT_EQ(model::to_string(model::ProbeOutcome::kConnectError), "connect_error");
  EXPECT_EQ(model::to_string(model::ProbeOutcome::kTimeout), "timeout");
  EXPECT_EQ(model::to_string(model::ProbeOutcome::kTls), "tls");
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
  EXPECT_EQ(result->outcome, model::ProbeOutcome::kOk);
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
  transport.push_error(core::timeout_error("read: operation timed out"));
  Prober prober(transport, time);
  const auto m = member(config::MemberRole::kApiserver, "http://{ip}:6443/livez");
  const auto http_500 = prober.probe(m, {"1.2.3.4", {}});
  EXPECT_EQ(http_500->error, "HTTP 500");
  EXPECT_EQ(http_500->outcome, model::ProbeOutcome::kHttpError);
  const auto refused = prober.probe(m, {"1.2.3.4", {}});
  EXPECT_EQ(refused->error, "connect: connection refused");
  EXPECT_EQ(refused->outcome, model::ProbeOutcome::kConnectError);
  const auto timed_out = prober.probe(m, {"1.2.3.4", {}});
  EXPECT_FALSE(timed_out->success);
  EXPECT_EQ(timed_out->error, "timeout after 2s");
  EXPECT_EQ(timed_out->outcome, model::ProbeOutcome::kTimeout);
}

TEST(Prober, ClassifiesTlsAndMalformedAnswers) {
  FakeTimeSource time;
  FakeTransport transport(&time);
  transport.push_error(core::ErrorKind::kTls,
                       "TLS handshake with 1.2.3.4:6443 failed: certificate verify failed: "
                       "unable to get local issuer certificate");
  transport.push_error(core::ErrorKind::kTerminal, "malformed response from 1.2.3.4:6443: bad");
  transport.push(200, R"({"health":"false"})");
  Prober prober(transport, time);
  const auto tls =
      prober.probe(member(config::MemberRole::kEtcd, "https://{ip}:6443/health"), {"1.2.3.4", {}});
  EXPECT_FALSE(tls->success);
  EXPECT_EQ(tls->outcome, model::ProbeOutcome::kTls);
  EXPECT_EQ(tls->error,
            "TLS handshake with 1.2.3.4:6443 failed: certificate verify failed: unable to get "
            "local issuer certificate");
  const auto malformed =
      prober.probe(member(config::MemberRole::kEtcd, "https://{ip}:6443/health"), {"1.2.3.4", {}});
  EXPECT_EQ(malformed->outcome, model::ProbeOutcome::kHttpError);
  const auto unhealthy =
      prober.probe(member(config::MemberRole::kEtcd, "https://{ip}:6443/health"), {"1.2.3.4", {}});
  EXPECT_EQ(unhealthy->outcome, model::ProbeOutcome::kHttpError);
}

// However long OpenSSL took to say no, a rejected certificate is not a timeout.
TEST(Prober, SlowTlsFailureIsStillTls) {
  FakeTimeSource time;
  FakeTransport transport(&time, std::chrono::seconds(2));
  transport.push_error(core::ErrorKind::kTls, "TLS handshake with 1.2.3.4:443 failed: x");
  Prober prober(transport, time);
  const auto result =
      prober.probe(member(config::MemberRole::kOther, "https://{ip}/"), {"1.2.3.4", {}});
  EXPECT_EQ(result->outcome, model::ProbeOutcome::kTls);
  EXPECT_EQ(result->error, "TLS handshake with 1.2.3.4:443 failed: x");
}

TEST(Prober, SlowFailureCountsAsTimeout) {
  FakeTimeSource time;
  FakeTransport transport(&time, std::chrono::seconds(2));
  transport.push_error(core::ErrorKind::kTransient, "stream reset");
  Prober prober(transport, time);
  const auto result =
      prober.probe(member(config::MemberRole::kOther, "http://{ip}/"), {"1.2.3.4", {}});
  EXPECT_EQ(result->error, "timeout after 2s");
  EXPECT_EQ(result->outcome, model::ProbeOutcome::kTimeout);
}

// The daemon's shape: one client per TLS settings, chosen by the member's probe section, and
// swapped on reload.
TEST(Prober, PicksTheClientForTheMembersTlsSettings) {
  FakeTimeSource time;
  auto system_store = std::make_shared<FakeTransport>(&time);
  auto private_ca = std::make_shared<FakeTransport>(&time);
  system_store->push(200, "system");
  private_ca->push(200, "private");
  Prober prober(std::make_shared<const ProbeClients>(ProbeClients::Transports{
                    {ProbeTls{}, system_store}, {ProbeTls{"/etc/ca.pem", false}, private_ca}}),
                time);
  auto with_ca = member(config::MemberRole::kApiserver, "https://{ip}/livez");
  with_ca.probe->ca_file = "/etc/ca.pem";
  auto insecure = member(config::MemberRole::kApiserver, "https://{ip}/livez");
  insecure.probe->insecure_skip_verify = true;

  EXPECT_TRUE(prober.probe(with_ca, {"1.2.3.4", {}})->success);
  EXPECT_TRUE(
      prober.probe(member(config::MemberRole::kApiserver, "https://{ip}/livez"), {"1.2.3.5", {}})
          ->success);
  EXPECT_EQ(private_ca->requests().size(), 1u);
  EXPECT_EQ(system_store->requests().size(), 1u);
  // Settings the clients were not built for: scheduled under an older configuration, the
  // probe is skipped rather than failed.
  EXPECT_EQ(prober.probe(insecure, {"1.2.3.4", {}}), std::nullopt);

  auto no_verify = std::make_shared<FakeTransport>(&time);
  no_verify->push(200, "ok");
  prober.set_clients(std::make_shared<const ProbeClients>(
      ProbeClients::Transports{{ProbeTls{"", true}, no_verify}}));
  EXPECT_TRUE(prober.probe(insecure, {"1.2.3.4", {}})->success);
  EXPECT_EQ(no_verify->requests().size(), 1u);
  EXPECT_EQ(prober.probe(with_ca, {"1.2.3.4", {}}), std::nullopt);
}

// probe_async(): the same request, and the answer judged exactly as probe() judges it.
TEST(ProberAsync, SendsTheSameRequestAndJudgesTheAnswerAlike) {
  FakeTimeSource time;
  FakeAsyncTransport transport;
  Prober prober(transport, time);
  EXPECT_TRUE(prober.asynchronous());
  std::vector<ProbeResult> results;
  const auto collect = [&](ProbeResult result) { results.push_back(std::move(result)); };
  const auto etcd = member(config::MemberRole::kEtcd, "http://{ip}:2379/health");
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(prober.probe_async(etcd, {"127.1.0.4", {}}, collect));
  ASSERT_EQ(transport.pending(), 5u);
  EXPECT_TRUE(results.empty()) << "nothing is judged before the answer";
  const auto request = transport.requests()[0];
  EXPECT_EQ(request.method, "GET");
  EXPECT_EQ(request.url, "http://127.1.0.4:2379/health");
  EXPECT_EQ(request.timeout, std::chrono::seconds(2));
  EXPECT_EQ(request.operation, "probe");

  time.advance(std::chrono::milliseconds(40));
  transport.answer(200, R"({"health":"true"})");
  transport.answer(200, R"({"health":"false","reason":"RAFT NO LEADER"})");
  transport.answer(core::Result<http::Response>(core::timeout_error("read: timed out")));
  transport.answer(core::Result<http::Response>(
      make_error(core::ErrorKind::kTls, "TLS handshake with 127.1.0.4:2379 failed: x")));
  transport.answer(core::Result<http::Response>(
      make_error(core::ErrorKind::kTransient, "connect to 127.1.0.4:2379: Connection refused")));
  ASSERT_EQ(results.size(), 5u);
  EXPECT_TRUE(results[0].success);
  EXPECT_EQ(results[0].duration, std::chrono::milliseconds(40));
  EXPECT_EQ(results[1].error, R"(etcd health "false": RAFT NO LEADER)");
  EXPECT_EQ(results[1].outcome, model::ProbeOutcome::kHttpError);
  EXPECT_EQ(results[2].error, "timeout after 2s");
  EXPECT_EQ(results[2].outcome, model::ProbeOutcome::kTimeout);
  EXPECT_EQ(results[3].outcome, model::ProbeOutcome::kTls);
  EXPECT_EQ(results[4].outcome, model::ProbeOutcome::kConnectError);
  EXPECT_EQ(results[4].error, "connect to 127.1.0.4:2379: Connection refused");
}

TEST(ProberAsync, NotStartedWithoutAnIpOrAClientForTheSettings) {
  FakeTimeSource time;
  auto system_store = std::make_shared<FakeAsyncTransport>();
  Prober prober(std::make_shared<const ProbeClients>(
                    ProbeClients::Transports{{ProbeTls{}, std::make_shared<FakeTransport>(&time)}},
                    ProbeClients::AsyncTransports{{ProbeTls{}, system_store}}),
                time);
  EXPECT_TRUE(prober.asynchronous());
  bool called = false;
  const auto done = [&](ProbeResult) { called = true; };
  const auto apiserver = member(config::MemberRole::kApiserver, "https://{ip}/livez");
  EXPECT_FALSE(prober.probe_async(apiserver, {}, done)) << "no IP known yet";
  auto insecure = apiserver;
  insecure.probe->insecure_skip_verify = true;
  EXPECT_FALSE(prober.probe_async(insecure, {"1.2.3.4", {}}, done)) << "no client for it";
  EXPECT_EQ(system_store->pending(), 0u);
  EXPECT_TRUE(prober.probe_async(apiserver, {"1.2.3.4", {}}, done));
  EXPECT_EQ(system_store->pending(), 1u);
  EXPECT_FALSE(called);

  // Clients without asynchronous transports (tests, --once): probe() only.
  prober.set_clients(std::make_shared<const ProbeClients>(
      ProbeClients::Transports{{ProbeTls{}, std::make_shared<FakeTransport>(&time)}}));
  EXPECT_FALSE(prober.asynchronous());
  EXPECT_FALSE(prober.probe_async(apiserver, {"1.2.3.4", {}}, done));
}

// stop() lets go of the clients (which stops the asynchronous ones) and refuses new probes,
// also when a reload hands in clients afterwards.
TEST(ProberAsync, StopReleasesTheClientsAndRefusesNewProbes) {
  FakeTimeSource time;
  auto async = std::make_shared<FakeAsyncTransport>();
  std::weak_ptr<FakeAsyncTransport> watched = async;
  Prober prober(std::make_shared<const ProbeClients>(
                    ProbeClients::Transports{{ProbeTls{}, std::make_shared<FakeTransport>(&time)}},
                    ProbeClients::AsyncTransports{{ProbeTls{}, std::move(async)}}),
                time);
  prober.stop();
  EXPECT_TRUE(watched.expired());
  const auto apiserver = member(config::MemberRole::kApiserver, "https://{ip}/livez");
  EXPECT_FALSE(prober.probe_async(apiserver, {"1.2.3.4", {}}, [](ProbeResult) {}));
  prober.set_clients(std::make_shared<const ProbeClients>(
      ProbeClients::Transports{{ProbeTls{}, std::make_shared<FakeTransport>(&time)}},
      ProbeClients::AsyncTransports{{ProbeTls{}, std::make_shared<FakeAsyncTransport>()}}));
  EXPECT_FALSE(prober.asynchronous());
  EXPECT_EQ(prober.probe(apiserver, {"1.2.3.4", {}}), std::nullopt);
}

}  // namespace
}  // namespace frankenetes::probe
