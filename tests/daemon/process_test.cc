// The Process driven through its life with fakes: start → reload (a new member and a DNS
// section; the same file again; a configuration it must refuse) → stop. ARM, Cloudflare and
// the probes answer from FakeAzure behind the HttpClients seam; the reconciler runs on a
// ManualScheduler with FakeTimeSource, all work inline on the test thread; the admin server is
// real, on loopback, and is asked over HTTP what it thinks.

#include "daemon/process.h"

#include <unistd.h>

#include <boost/asio/post.hpp>

#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "config/config.h"
#include "config/config_test_util.h"
#include "daemon/coordination_stack.h"
#include "daemon/dns_stack.h"
#include "http/certificates.h"
#include "http/client.h"
#include "support/fake_time_source.h"
#include "support/manual_scheduler.h"

namespace frankenetes::daemon {
namespace {

using namespace std::chrono_literals;

constexpr const char* kSubscription = "00000000-0000-0000-0000-000000000001";
constexpr const char* kCloudflare = "https://cloudflare.test/client/v4";

// ARM container groups, Cloudflare's DNS API and the members' health endpoints, answered from
// a table of running groups. Records every request as "METHOD url".
class FakeAzure final : public http::HttpTransport {
 public:
  void add_group(const std::string& name, const std::string& ip) {
    std::lock_guard lock(mutex_);
    groups_[name] = ip;
  }

  core::Result<http::Response> send(const http::ClientRequest& request) override {
    std::lock_guard lock(mutex_);
    requests_.push_back(request.method + " " + request.url);
    const auto& url = request.url;
    if (url.rfind(kCloudflare, 0) == 0) {
      return http::Response::json(
          200,
          R"({"success":true,"errors":[],"messages":[],"result":[],)"
          R"("result_info":{"page":1,"per_page":100,"count":0,"total_count":0,"total_pages":1}})");
    }
    if (url.find("/containerGroups?") != std::string::npos) {
      std::string body = R"({"value":[)";
      for (const auto& [name, ip] : groups_) {
        body += (body.back() == '[' ? "" : ",") + group_json(name, ip);
      }
      return http::Response::json(200, body + "]}");
    }
    if (const auto at = url.find("/containerGroups/"); at != std::string::npos) {
      const auto name = url.substr(at + 17, url.find('?') - at - 17);
      const auto it = groups_.find(name);
      if (it == groups_.end()) {
        return http::Response::json(
            404, R"({"error":{"code":"ResourceNotFound","message":"not found"}})");
      }
      return http::Response::json(200, group_json(name, it->second));
    }
    for (const auto& [name, ip] : groups_) {
      if (url.rfind("http://" + ip + ":", 0) == 0) return http::Response::json(200, "{}");
    }
    return http::Response::json(404, "{}");
  }

  // How many requests so far contain `text`.
  std::size_t count(const std::string& text) const {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const auto& r : requests_) n += r.find(text) != std::string::npos ? 1 : 0;
    return n;
  }

 private:
  static std::string group_json(const std::string& name, const std::string& ip) {
    return R"({"id":"/subscriptions/)" + std::string(kSubscription) +
           "/resourceGroups/rg/providers/Microsoft.ContainerInstance/containerGroups/" + name +
           R"(","name":")" + name +
           R"(","location":"eastus","properties":{"provisioningState":"Succeeded",)"
           R"("ipAddress":{"ip":")" +
           ip +
           R"(","type":"Public"},"instanceView":{"state":"Running","events":[]},)"
           R"("containers":[{"name":")" +
           name +
           R"(","properties":{"image":"img","instanceView":{"restartCount":0,)"
           R"("currentState":{"state":"Running","startTime":"2026-01-01T00:00:00Z",)"
           R"("detailStatus":""}}}}]}})";
  }

  mutable std::mutex mutex_;
  std::map<std::string, std::string> groups_;
  std::vector<std::string> requests_;
};

class NoAnswerQuerier final : public dns::RecordQuerier {
 public:
  core::Result<std::optional<dns::RecordSet>> query(const config::HostPort&, const std::string&,
                                                    dns::RecordType, core::Duration) override {
    return std::optional<dns::RecordSet>{};
  }
};

// The config tests' minimal configuration (cluster prod, member etcd), its azure section on
// the fakes (ARM, Entra, a static token), with the admin server on loopback and dry runs. It
// ends in etcd's members list, where the literals below append.
const std::string kBase = [] {
  using config::testing::yaml_text;
  std::string minimal(yaml_text(config::testing::kMinimalConfig));
  const std::string_view azure = "azure:\n";
  minimal.insert(minimal.find(azure) + azure.size(), yaml_text(R"(
  cloud: { resourceManager: "https://arm.test", authority: "https://login.test" }
  auth: { method: static, tokenFile: token }
)"));
  return std::string(yaml_text(R"(
policy: { pollInterval: 10s, dryRun: true }
server: { listen: "127.0.0.1:0" }
log: { level: warn }
stateDirectory: state
)")) + minimal;
}();

constexpr const char* kApiserver = R"(
      - name: apiserver
        role: apiserver
        containerGroup: apiserver
        probe: { url: "http://{ip}:6443/livez", period: 5s, timeout: 1s }
        dns: { provider: cf, name: cp-apiserver.example.test }
dns:
  ownerId: prod-test
  verify: { nameservers: ["127.0.0.1:53"] }
  providers:
    cf: { type: cloudflare, zoneId: zone1, zoneName: example.test, apiTokenFile: token,
          baseUrl: "https://cloudflare.test/client/v4" }
)";

// A new member whose probe CA file does not exist: only the Process finds that out.
constexpr const char* kUnusableProbeCa = R"(
      - name: scheduler
        role: scheduler
        containerGroup: scheduler
        probe: { url: "https://{ip}:10259/healthz", caFile: missing-ca.pem }
)";

class ProcessTest : public ::testing::Test {
 protected:
  ProcessTest()
      : dir_(std::filesystem::temp_directory_path() /
             ("fk-process-test-" + std::to_string(::getpid()))),
        clients_([this](const http::HttpClientOptions& options)
                     -> core::Result<std::shared_ptr<http::HttpTransport>> {
          // The real client checks the options (an unusable CA file); the fake answers.
          auto real = http::HttpClient::create(options);
          if (!real.ok()) return real.error();
          std::lock_guard lock(mutex_);
          user_agents_.insert(options.user_agent);
          return std::shared_ptr<http::HttpTransport>(azure_);
        }) {
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "token") << "test-token\n";
    azure_->add_group("etcd", "10.0.0.1");
    azure_->add_group("apiserver", "10.0.0.2");
    azure_->add_group("scheduler", "10.0.0.3");
  }
  ~ProcessTest() override { std::filesystem::remove_all(dir_); }

  std::shared_ptr<const config::Config> config(const std::string& yaml) {
    auto loaded = config::parse_config(yaml, (dir_ / "frankenetesd.yaml").string(),
                                       [](std::string_view) { return std::nullopt; });
    EXPECT_TRUE(loaded.ok()) << (loaded.ok() ? "" : loaded.problems[0].to_string());
    return std::make_shared<const config::Config>(*loaded.config);
  }

  ProcessDeps deps() {
    return ProcessDeps{.io = io_,
                       .metrics = metrics_,
                       .time = time_,
                       .http_clients = clients_,
                       .dns_querier = querier_,
                       .environment = [](std::string_view) { return std::nullopt; },
                       .config_path = (dir_ / "frankenetesd.yaml").string(),
                       .log_level = std::nullopt,
                       .once = false,
                       .scheduler = &scheduler_};
  }

  // GET `url` (with a bearer token when given); the HTTP status, -1 without an answer.
  static int status_of(http::HttpClient& client, const std::string& url,
                       const std::string& token = "") {
    http::ClientRequest request;
    request.url = url;
    request.timeout = 5s;
    if (!token.empty()) request.headers["Authorization"] = "Bearer " + token;
    auto response = client.send(request);
    return response.ok() ? response->status : -1;
  }
  // GET `path` from the process's admin server over plain HTTP.
  int get(const Process& process, const std::string& path, const std::string& token = "") {
    auto client = http::HttpClient::create({});
    return status_of(**client, "http://" + process.listen_address() + path, token);
  }

  // Stops on the io thread, as the controller does: the server closes, run() returns.
  void stop(Process& process, std::thread& io_thread) {
    std::promise<void> stopped;
    boost::asio::post(io_, [&] {
      process.stop();
      stopped.set_value();
    });
    ASSERT_EQ(stopped.get_future().wait_for(5s), std::future_status::ready);
    io_thread.join();
    EXPECT_TRUE(process.join(std::chrono::steady_clock::now() + 5s));
  }

  void write_token(const std::string& token) { std::ofstream(dir_ / "admin-token") << token << "\n"; }

  std::filesystem::path dir_;
  std::shared_ptr<FakeAzure> azure_ = std::make_shared<FakeAzure>();
  std::mutex mutex_;
  std::set<std::string> user_agents_;
  HttpClients clients_;
  boost::asio::io_context io_;
  status::Metrics metrics_{{"test", "test", "test"}};
  testing::FakeTimeSource time_;
  testing::ManualScheduler scheduler_{time_};
  NoAnswerQuerier querier_;
};

TEST_F(ProcessTest, StartReloadRefuseAndStop) {
  Process process(deps());
  ASSERT_TRUE(process.init(config(kBase)).ok());
  std::size_t passes = 0;
  bool last_pass_ok = false;
  process.on_pass([&](const reconcile::ReconcilerSummary& summary) {
    ++passes;
    last_pass_ok = summary.last_pass_ok;
  });
  ASSERT_TRUE(process.start().ok());
  std::thread io_thread([this] { io_.run(); });

  // The first pass observes etcd; nothing else is configured yet.
  scheduler_.run_due();
  EXPECT_EQ(passes, 1u);
  EXPECT_TRUE(last_pass_ok);
  EXPECT_GE(azure_->count("GET https://arm.test/subscriptions/"), 2u);
  EXPECT_EQ(azure_->count("containerGroups/etcd?"), 1u);
  EXPECT_EQ(azure_->count("containerGroups/apiserver?"), 0u);
  EXPECT_EQ(get(process, "/readyz"), 200);
  EXPECT_EQ(get(process, "/livez"), 200);

  // Reload: a new member with a probe and a DNS record, and the dns section it needs.
  const auto grown = config(std::string(kBase) + kApiserver);
  const auto applied = process.configure(grown);
  ASSERT_TRUE(applied.ok());
  EXPECT_TRUE(applied.changed);
  EXPECT_EQ(process.config(), grown);
  scheduler_.advance(30s);
  EXPECT_GE(azure_->count("containerGroups/apiserver?"), 1u);
  EXPECT_GE(azure_->count("GET http://10.0.0.2:6443/livez"), 1u);
  EXPECT_GE(azure_->count("GET https://cloudflare.test/client/v4/zones/zone1/dns_records"), 1u);

  // The same file again: taken, nothing changes.
  const auto same = process.configure(config(std::string(kBase) + kApiserver));
  EXPECT_TRUE(same.ok());
  EXPECT_FALSE(same.changed);
  EXPECT_EQ(process.config(), grown);

  // A configuration the Process cannot take is refused with its problem; the old graph runs on.
  const auto refused =
      process.configure(config(std::string(kBase) + kUnusableProbeCa + kApiserver));
  ASSERT_FALSE(refused.ok());
  ASSERT_EQ(refused.problems.size(), 1u);
  EXPECT_EQ(refused.problems[0].key_path, "clusters[0].members[1].probe.caFile");
  EXPECT_FALSE(refused.changed);
  EXPECT_EQ(process.config(), grown);
  const auto passes_before = passes;
  const auto apiserver_probes = azure_->count("GET http://10.0.0.2:6443/livez");
  scheduler_.advance(60s);
  EXPECT_GT(passes, passes_before);
  EXPECT_TRUE(last_pass_ok);
  // Healthy members are GET only every getInterval.healthy (5 min); their probes keep going.
  EXPECT_GT(azure_->count("GET http://10.0.0.2:6443/livez"), apiserver_probes);
  EXPECT_EQ(azure_->count("containerGroups/scheduler?"), 0u);
  EXPECT_EQ(azure_->count(":10259/healthz"), 0u);
  EXPECT_EQ(get(process, "/readyz"), 200);

  // Every client came from the one factory, with the daemon's user agent.
  EXPECT_EQ(user_agents_, std::set<std::string>{user_agent()});

  stop(process, io_thread);
  const auto after_stop = passes;
  scheduler_.advance(30s);
  EXPECT_EQ(passes, after_stop);
}

TEST_F(ProcessTest, InitRefusesAnUnusableProbeCaFileWithItsKeyPath) {
  Process process(deps());
  const auto result = process.init(config(std::string(kBase) + kUnusableProbeCa));
  ASSERT_FALSE(result.ok());
  ASSERT_EQ(result.problems.size(), 1u);
  EXPECT_EQ(result.problems[0].key_path, "clusters[0].members[1].probe.caFile");
  EXPECT_FALSE(result.error);
  EXPECT_EQ(azure_->count("GET"), 0u);
}

// The admin token is read at start and on every reload. GET on an admin path answers from the
// router alone: 405 once the token is right, 401 when it is not, 404 while the API is off.
TEST_F(ProcessTest, TheAdminTokenIsReadAtStartAndOnEveryReload) {
  const std::string with_admin =
      std::string(kBase).replace(kBase.find("server: {"), 9, "server: { adminTokenFile: admin-token,");
  write_token("short");
  {
    Process refused(deps());
    const auto result = refused.init(config(with_admin));
    ASSERT_EQ(result.problems.size(), 1u);
    EXPECT_EQ(result.problems[0].key_path, "server.adminTokenFile");
    EXPECT_EQ(result.problems[0].message,
              "the admin token must be at least 16 visible ASCII characters, without spaces");
  }
  write_token("first-admin-token-0123456789");
  Process process(deps());
  ASSERT_TRUE(process.init(config(with_admin)).ok());
  ASSERT_TRUE(process.start().ok());
  std::thread io_thread([this] { io_.run(); });
  scheduler_.run_due();
  EXPECT_EQ(get(process, "/status"), 200);
  EXPECT_EQ(get(process, "/"), 200);
  EXPECT_EQ(get(process, "/admin/reconcile"), 401);
  EXPECT_EQ(get(process, "/admin/reconcile", "first-admin-token-0123456789"), 405);

  // Rotated: the old token stops working at the reload, not before.
  write_token("second-admin-token-0123456789");
  EXPECT_EQ(get(process, "/admin/reconcile", "first-admin-token-0123456789"), 405);
  ASSERT_TRUE(process.configure(config(with_admin)).ok());
  EXPECT_EQ(get(process, "/admin/reconcile", "first-admin-token-0123456789"), 401);
  EXPECT_EQ(get(process, "/admin/reconcile", "second-admin-token-0123456789"), 405);

  // An unreadable token refuses the reload; the running token stays.
  std::filesystem::remove(dir_ / "admin-token");
  const auto unreadable = process.configure(config(with_admin));
  ASSERT_EQ(unreadable.problems.size(), 1u);
  EXPECT_EQ(unreadable.problems[0].key_path, "server.adminTokenFile");
  EXPECT_EQ(get(process, "/admin/reconcile", "second-admin-token-0123456789"), 405);

  // Without adminTokenFile the API is off.
  ASSERT_TRUE(process.configure(config(kBase)).ok());
  EXPECT_EQ(get(process, "/admin/reconcile", "second-admin-token-0123456789"), 404);

  stop(process, io_thread);
}

// server.tls: every endpoint over HTTPS with the configured certificate; plain HTTP gets nowhere.
TEST_F(ProcessTest, ServerTlsServesEveryEndpointOverHttps) {
  auto tls = http::generate_ca_and_server_certificate({"localhost"}, {"127.0.0.1"}, 24h);
  ASSERT_TRUE(tls.ok()) << tls.error().message;
  std::ofstream(dir_ / "ca.pem") << tls->ca_pem;
  std::ofstream(dir_ / "server.crt") << tls->server_cert_pem;
  std::ofstream(dir_ / "server.key") << tls->server_key_pem;
  write_token("tls-admin-token-0123456789");
  const std::string with_tls = std::string(kBase).replace(
      kBase.find("server: {"), 9,
      "server: { adminTokenFile: admin-token, tls: { certFile: server.crt, keyFile: server.key },");
  Process process(deps());
  ASSERT_TRUE(process.init(config(with_tls)).ok());
  ASSERT_TRUE(process.start().ok());
  std::thread io_thread([this] { io_.run(); });
  scheduler_.run_due();

  auto client = http::HttpClient::create({.ca_file = (dir_ / "ca.pem").string()});
  ASSERT_TRUE(client.ok());
  auto https = [&](const std::string& path, const std::string& token) {
    return status_of(**client, "https://" + process.listen_address() + path, token);
  };
  EXPECT_EQ(https("/status", ""), 200);
  EXPECT_EQ(https("/livez", ""), 200);
  EXPECT_EQ(https("/admin/reconcile", ""), 401);
  EXPECT_EQ(https("/admin/reconcile", "tls-admin-token-0123456789"), 405);
  EXPECT_EQ(get(process, "/status"), -1) << "no plain HTTP on a TLS listener";

  stop(process, io_thread);
}

TEST_F(ProcessTest, InitRefusesUnreadableTlsFilesWithTheirKeyPaths) {
  const std::string with_tls = std::string(kBase).replace(
      kBase.find("server: {"), 9, "server: { tls: { certFile: none.crt, keyFile: none.key },");
  Process process(deps());
  const auto result = process.init(config(with_tls));
  ASSERT_EQ(result.problems.size(), 2u);
  EXPECT_EQ(result.problems[0].key_path, "server.tls.certFile");
  EXPECT_EQ(result.problems[1].key_path, "server.tls.keyFile");
}

TEST_F(ProcessTest, InitReportsAGraphThatCannotBeBuilt) {
  // A second process on the same state directory: the lock is taken (exit code 1).
  Process first(deps());
  ASSERT_TRUE(first.init(config(kBase)).ok());
  Process second(deps());
  const auto result = second.init(config(kBase));
  ASSERT_FALSE(result.ok());
  ASSERT_TRUE(result.error);
  EXPECT_NE(result.error->kind, core::ErrorKind::kInvalidConfig);
  EXPECT_TRUE(result.problems.empty());
}

// The coordination section's lease ticks, with the storage service unreachable (this fake
// answers Blob requests 404): they run on a thread of their own from start(), send the
// replica's User-Agent, hold nothing, so the gauge is 0 and /status says so; /readyz does not
// care; stop() ends the thread (release_all) within the join deadline.
TEST_F(ProcessTest, CoordinationTicksOnItsOwnThreadAndHoldingNothingKeepsItReady) {
  std::ofstream(dir_ / "storage-key") << "c2VjcmV0\n";
  const auto coordinated = config(std::string(kBase) + R"(
storage:
  account: devstoreaccount1
  container: frankenetes
  endpoint: "https://blob.test/devstoreaccount1"
  keyFile: storage-key
etcd: { snapshots: { enabled: false } }
coordination: { leaseDuration: 15s, renewEvery: 5s, replicaId: r1 }
)");
  clients_.set_replica_id(replica_id_of(*coordinated));  // as the controller does
  Process process(deps());
  ASSERT_TRUE(process.init(coordinated).ok());
  ASSERT_TRUE(process.start().ok());
  std::thread io_thread([this] { io_.run(); });
  scheduler_.run_due();
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (azure_->count("https://blob.test/") == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_GE(azure_->count("GET https://blob.test/devstoreaccount1/frankenetes?"), 1u);
  EXPECT_EQ(get(process, "/readyz"), 200);
  auto client = http::HttpClient::create({});
  http::ClientRequest request;
  request.timeout = 5s;
  request.url = "http://" + process.listen_address() + "/metrics";
  const auto metrics = (*client)->send(request);
  ASSERT_TRUE(metrics.ok());
  EXPECT_NE(metrics->body.find(R"(frankenetes_cluster_leader{cluster="prod",replica="r1"} 0)"),
            std::string::npos);
  request.url = "http://" + process.listen_address() + "/status.json";
  const auto status = (*client)->send(request);
  ASSERT_TRUE(status.ok());
  EXPECT_NE(status->body.find(R"("replica": "r1")"), std::string::npos) << status->body;
  EXPECT_NE(status->body.find(R"("mayAct": false)"), std::string::npos) << status->body;
  EXPECT_EQ(user_agents_, std::set<std::string>{user_agent() + " replica/r1"});
  stop(process, io_thread);
}

// coordination: every request names the replica that sent it.
TEST(HttpClientsTest, TheReplicaIdJoinsEveryUserAgent) {
  std::set<std::string> agents;
  HttpClients clients([&agents](const http::HttpClientOptions& options)
                          -> core::Result<std::shared_ptr<http::HttpTransport>> {
    agents.insert(options.user_agent);
    return std::shared_ptr<http::HttpTransport>(std::make_shared<FakeAzure>());
  });
  EXPECT_EQ(clients.user_agent(), user_agent());
  clients.set_replica_id("east-1");
  EXPECT_EQ(clients.user_agent(), user_agent() + " replica/east-1");
  ASSERT_TRUE(clients.make(std::nullopt).ok());
  EXPECT_EQ(agents, (std::set<std::string>{user_agent() + " replica/east-1"}));
}

// Probes read a few bytes of health answer: their clients stop reading long before the 8 MiB
// other clients allow (the asynchronous ones have many probes in flight at once).
TEST(HttpClientsTest, ProbeClientsReadSmallAnswersOnly) {
  std::vector<std::size_t> limits;
  HttpClients clients([&limits](const http::HttpClientOptions& options)
                          -> core::Result<std::shared_ptr<http::HttpTransport>> {
    limits.push_back(options.max_response_body_bytes);
    return std::shared_ptr<http::HttpTransport>(std::make_shared<FakeAzure>());
  });
  config::Config config;
  config::ClusterConfig prod;
  prod.name = "prod";
  config::MemberConfig etcd;
  etcd.name = "etcd";
  etcd.probe = config::ProbeConfig{};
  etcd.probe->url = "http://{ip}:2379/health";
  prod.members.push_back(etcd);
  config.clusters.push_back(prod);
  ASSERT_TRUE(clients.probe_clients(config, "f.yaml").ok());
  ASSERT_TRUE(clients.make(std::nullopt).ok());
  EXPECT_EQ(limits, (std::vector<std::size_t>{kProbeMaxResponseBodyBytes,
                                              http::HttpClientOptions{}.max_response_body_bytes}));
}

// coordination: the DNS fence finds a record's cluster by the member's name or its registry
// (_frankenetes.) record, whatever the case.
TEST(RecordOwnersTest, ARecordBelongsToItsMembersCluster) {
  config::Config config;
  config::ClusterConfig prod;
  prod.name = "prod";
  config::MemberConfig etcd;
  etcd.name = "etcd";
  etcd.dns = config::MemberDnsConfig{.provider = "cf", .name = "cp-etcd.example.test"};
  prod.members.push_back(etcd);
  config.clusters.push_back(prod);
  DnsStack::RecordOwners owners;
  owners.configure(config);
  EXPECT_EQ(owners.cluster_of("cp-etcd.example.test"), "prod");
  EXPECT_EQ(owners.cluster_of("CP-etcd.example.test."), "prod");
  EXPECT_EQ(owners.cluster_of("_frankenetes.cp-etcd.example.test"), "prod");
  EXPECT_EQ(owners.cluster_of("other.example.test"), std::nullopt);
}

}  // namespace
}  // namespace frankenetes::daemon
