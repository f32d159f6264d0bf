// Probes of real servers on loopback (HttpServer, plain and HTTPS with generated certificates)
// through the clients build_probe_clients() makes from a configuration: the paths an operator
// takes with probe.caFile and probe.insecureSkipVerify, and how each failure is classified.
// Every exchange is bounded by the probe timeout; nothing sleeps.

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "http/certificates.h"
#include "http/server_harness.h"
#include "probe/probe_clients.h"
#include "probe/prober.h"
#include "support/cached_tls.h"
#include "support/fake_time_source.h"

namespace frankenetes::probe {
namespace {

using namespace std::chrono_literals;
using frankenetes::testing::loopback_tls;
using frankenetes::testing::tls_for;
using http::GeneratedTls;
using http::testing::ServerHarness;

const std::string kConfigFile = "/etc/frankenetes/frankenetes.yaml";

// Valid and from a CA we may trust, but for another name than the probed address.
const GeneratedTls& other_name_tls() { return tls_for({"other.example"}, {}); }

std::string write_temp_file(const std::string& name, const std::string& content) {
  std::string path =
      ::testing::TempDir() + "/probe_tls_test_" + std::to_string(::getpid()) + "_" + name;
  std::ofstream(path) << content;
  return path;
}

std::unique_ptr<ServerHarness> start_server(const GeneratedTls* tls) {
  http::ServerOptions options;
  options.listen = "127.0.0.1:0";
  if (tls) options.tls = http::TlsServerCredentials{tls->server_cert_pem, tls->server_key_pem};
  auto server = std::make_unique<ServerHarness>(
      options, http::make_sync_handler([](const http::Request&) {
        return http::Response::json(200, R"({"health":"true","reason":""})");
      }));
  if (auto started = server->start(); !started) throw std::runtime_error(started.error().message);
  return server;
}

struct ProbeSettings {
  std::optional<std::string> ca_file;
  bool insecure_skip_verify = false;
};

config::MemberConfig member(const std::string& name, const std::string& url,
                            ProbeSettings settings = {}) {
  config::MemberConfig m;
  m.name = name;
  m.role = config::MemberRole::kEtcd;
  m.container_group = name;
  config::ProbeConfig probe;
  probe.url = url;
  probe.period = 10s;
  probe.timeout = 5s;  // only reached when something is broken
  probe.ca_file = settings.ca_file;
  probe.insecure_skip_verify = settings.insecure_skip_verify;
  m.probe = probe;
  return m;
}

config::Config config_with(std::vector<config::MemberConfig> members) {
  config::Config config;
  config::ClusterConfig cluster;
  cluster.name = "prod";
  cluster.members = std::move(members);
  config.clusters.push_back(std::move(cluster));
  return config;
}

std::string https_url(const ServerHarness& server, const std::string& host = "127.0.0.1") {
  return "https://" + host + ":" + std::to_string(server.port()) + "/health";
}

// Builds the clients for `config` as the daemon does, and a Prober over them.
struct Probing {
  explicit Probing(const config::Config& config) {
    auto built = build_probe_clients(config, kConfigFile, http::HttpClientOptions{});
    if (!built.ok()) throw std::runtime_error(built.problems.front().to_string());
    clients = built.clients;
    prober = std::make_unique<Prober>(clients, time);
  }

  ProbeResult probe(const config::MemberConfig& m) {
    auto result = prober->probe(m, ProbeTarget{"127.0.0.1", std::nullopt});
    if (!result) throw std::runtime_error("member was not probed");
    return *result;
  }

  testing::FakeTimeSource time;
  std::shared_ptr<const ProbeClients> clients;
  std::unique_ptr<Prober> prober;
};

TEST(ProbeTls, PrivateCaViaCaFileSucceeds) {
  auto server = start_server(&loopback_tls());
  const auto etcd = member("etcd", https_url(*server),
                           {write_temp_file("private-ca.pem", loopback_tls().ca_pem), false});
  Probing probing(config_with({etcd}));
  const auto result = probing.probe(etcd);
  EXPECT_TRUE(result.success) << result.error;
  EXPECT_EQ(result.outcome, model::ProbeOutcome::kOk);
  EXPECT_EQ(result.error, "");
}

TEST(ProbeTls, WithoutCaFileThePrivateCertificateIsATlsFailure) {
  auto server = start_server(&loopback_tls());
  const auto etcd = member("etcd", https_url(*server));
  Probing probing(config_with({etcd}));
  const auto result = probing.probe(etcd);
  EXPECT_FALSE(result.success);
  EXPECT_EQ(result.outcome, model::ProbeOutcome::kTls);
  EXPECT_EQ(result.error.rfind(
                "TLS handshake with 127.0.0.1:" + std::to_string(server->port()) + " failed: ", 0),
            0u)
      << result.error;
  EXPECT_NE(result.error.find("unable to get local issuer certificate"), std::string::npos)
      << result.error;
  // What the planner reads.
  const auto observed = apply_probe_result({}, result, core::MonotonicTime(1h));
  EXPECT_EQ(observed.last_outcome, model::ProbeOutcome::kTls);
  EXPECT_EQ(observed.consecutive_failures, 1);
}

TEST(ProbeTls, InsecureSkipVerifySucceedsWhateverTheCertificate) {
  // Neither the CA nor the name would pass verification.
  auto server = start_server(&other_name_tls());
  const auto insecure = member("etcd", https_url(*server), {std::nullopt, true});
  // caFile alongside insecureSkipVerify is ignored (and warned about), even a CA that would
  // not verify this certificate.
  const auto insecure_with_ca =
      member("etcd2", https_url(*server),
             {write_temp_file("unrelated-ca.pem", loopback_tls().ca_pem), true});
  Probing probing(config_with({insecure, insecure_with_ca}));
  EXPECT_EQ(probing.clients->size(), 1u);
  for (const auto& m : {insecure, insecure_with_ca}) {
    const auto result = probing.probe(m);
    EXPECT_TRUE(result.success) << m.name << ": " << result.error;
    EXPECT_EQ(result.outcome, model::ProbeOutcome::kOk);
  }
}

TEST(ProbeTls, CertificateForAnotherNameIsATlsFailure) {
  auto server = start_server(&other_name_tls());
  const auto etcd = member("etcd", https_url(*server),
                           {write_temp_file("other-ca.pem", other_name_tls().ca_pem), false});
  Probing probing(config_with({etcd}));
  const auto result = probing.probe(etcd);
  EXPECT_FALSE(result.success);
  EXPECT_EQ(result.outcome, model::ProbeOutcome::kTls);
  EXPECT_NE(result.error.find("certificate verify failed: IP address mismatch"), std::string::npos)
      << result.error;
}

TEST(ProbeTls, HttpsToAPlainHttpServerIsATlsFailure) {
  auto server = start_server(nullptr);
  const auto etcd = member("etcd", https_url(*server));
  Probing probing(config_with({etcd}));
  const auto result = probing.probe(etcd);
  EXPECT_EQ(result.outcome, model::ProbeOutcome::kTls) << result.error;
}

TEST(ProbeTls, PlainHttpIsUnaffected) {
  auto server = start_server(nullptr);
  const std::string url = "http://{ip}:" + std::to_string(server->port()) + "/health";
  const auto plain = member("etcd", url);
  const auto plain_with_tls_settings =
      member("apiserver", url, {write_temp_file("plain-ca.pem", loopback_tls().ca_pem), false});
  const auto plain_insecure = member("scheduler", url, {std::nullopt, true});
  Probing probing(config_with({plain, plain_with_tls_settings, plain_insecure}));
  for (const auto& m : {plain, plain_with_tls_settings, plain_insecure}) {
    const auto result = probing.probe(m);
    EXPECT_TRUE(result.success) << m.name << ": " << result.error;
    EXPECT_EQ(result.outcome, model::ProbeOutcome::kOk);
  }
}

TEST(ProbeTls, EachMemberUsesItsOwnSettingsInOneConfiguration) {
  auto server = start_server(&loopback_tls());
  const std::string ca_file = write_temp_file("shared-ca.pem", loopback_tls().ca_pem);
  const auto etcd = member("etcd", https_url(*server), {ca_file, false});
  const auto apiserver = member("apiserver", https_url(*server, "localhost"), {ca_file, false});
  const auto untrusting = member("scheduler", https_url(*server));
  Probing probing(config_with({etcd, apiserver, untrusting}));
  EXPECT_EQ(probing.clients->size(), 2u);  // etcd and apiserver share one client
  EXPECT_TRUE(probing.probe(etcd).success);
  EXPECT_TRUE(probing.probe(apiserver).success);
  EXPECT_EQ(probing.probe(untrusting).outcome, model::ProbeOutcome::kTls);
}

// The daemon builds new clients on every reload, so a CA file replaced on disk takes effect on
// SIGHUP even when the configuration text did not change.
TEST(ProbeTls, RebuiltClientsReadTheCaFileAgain) {
  auto server = start_server(&loopback_tls());
  const std::string ca_file = write_temp_file("rotated-ca.pem", other_name_tls().ca_pem);
  const auto etcd = member("etcd", https_url(*server), {ca_file, false});
  const auto config = config_with({etcd});
  Probing probing(config);
  EXPECT_EQ(probing.probe(etcd).outcome, model::ProbeOutcome::kTls);

  std::ofstream(ca_file, std::ios::trunc) << loopback_tls().ca_pem;
  auto rebuilt = build_probe_clients(config, kConfigFile, http::HttpClientOptions{});
  ASSERT_TRUE(rebuilt.ok());
  probing.prober->set_clients(rebuilt.clients);
  EXPECT_TRUE(probing.probe(etcd).success);
}

TEST(BuildProbeClients, UnusableCaFileIsAConfigProblemWithFileAndKeyPath) {
  const std::string garbage = write_temp_file("garbage-ca.pem", "not a certificate\n");
  const std::string good = write_temp_file("good-ca.pem", loopback_tls().ca_pem);
  const auto config = config_with({
      member("etcd", "https://{ip}:2379/health", {"/nonexistent/etcd-ca.pem", false}),
      member("apiserver", "https://{ip}:6443/livez", {good, false}),
      member("scheduler", "https://{ip}:10259/healthz", {garbage, false}),
      member("controller-manager", "https://{ip}:10257/healthz",
             {"/nonexistent/etcd-ca.pem", false}),
  });
  const auto built = build_probe_clients(config, kConfigFile, http::HttpClientOptions{});
  EXPECT_FALSE(built.ok());
  EXPECT_EQ(built.clients, nullptr);
  ASSERT_EQ(built.problems.size(), 3u);
  EXPECT_EQ(built.problems[0].to_string(),
            kConfigFile +
                ": clusters[0].members[0].probe.caFile: CA file /nonexistent/etcd-ca.pem: cannot "
                "be read");
  EXPECT_EQ(built.problems[1].key_path, "clusters[0].members[2].probe.caFile");
  EXPECT_EQ(built.problems[1].file, kConfigFile);
  EXPECT_EQ(built.problems[1].message.rfind("CA file " + garbage + ": no PEM certificate", 0), 0u)
      << built.problems[1].message;
  EXPECT_EQ(built.problems[2].key_path, "clusters[0].members[3].probe.caFile");
}

TEST(BuildProbeClients, NoProbesNoClients) {
  config::MemberConfig unprobed;
  unprobed.name = "etcd";
  const auto built =
      build_probe_clients(config_with({unprobed}), kConfigFile, http::HttpClientOptions{});
  ASSERT_TRUE(built.ok());
  EXPECT_EQ(built.clients->size(), 0u);
}

TEST(ProbeTlsOf, InsecureDropsTheCaFile) {
  config::ProbeConfig probe;
  EXPECT_EQ(probe_tls_of(probe), (ProbeTls{"", false}));
  probe.ca_file = "/etc/ca.pem";
  EXPECT_EQ(probe_tls_of(probe), (ProbeTls{"/etc/ca.pem", false}));
  probe.insecure_skip_verify = true;
  EXPECT_EQ(probe_tls_of(probe), (ProbeTls{"", true}));
}

TEST(ProbeTlsWarnings, InsecureAndUnusedSettingsNameTheMember) {
  config::MemberConfig unprobed;
  unprobed.name = "kube-proxy";
  const auto config = config_with({
      member("etcd", "https://{ip}:2379/health", {std::nullopt, true}),
      member("apiserver", "https://{ip}:6443/livez", {"/etc/ca.pem", true}),
      member("scheduler", "HTTP://{ip}:10251/healthz", {"/etc/ca.pem", true}),
      member("controller-manager", "https://{ip}:10257/healthz", {"/etc/ca.pem", false}),
      unprobed,
  });
  const auto warnings = probe_tls_warnings(config);
  ASSERT_EQ(warnings.size(), 4u);
  using Kind = ProbeTlsWarning::Kind;
  EXPECT_EQ(warnings[0].kind, Kind::kInsecure);
  EXPECT_EQ(warnings[0].cluster, "prod");
  EXPECT_EQ(warnings[0].member, "etcd");
  EXPECT_EQ(warnings[0].url, "https://{ip}:2379/health");
  EXPECT_EQ(warnings[0].key, "probe.insecureSkipVerify");
  EXPECT_EQ(warnings[0].ignored_ca_file, "");
  EXPECT_EQ(warnings[1].kind, Kind::kInsecure);
  EXPECT_EQ(warnings[1].member, "apiserver");
  EXPECT_EQ(warnings[1].ignored_ca_file, "/etc/ca.pem");
  EXPECT_EQ(warnings[2].kind, Kind::kUnused);
  EXPECT_EQ(warnings[2].member, "scheduler");
  EXPECT_EQ(warnings[2].key, "probe.caFile");
  EXPECT_EQ(warnings[3].kind, Kind::kUnused);
  EXPECT_EQ(warnings[3].key, "probe.insecureSkipVerify");
}

}  // namespace
}  // namespace frankenetes::probe
