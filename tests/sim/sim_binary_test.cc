// Integration tests: the real frankenetes-sim binary on loopback (virtual and process mode).

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <sstream>
#include <vector>

#include "sim/http_get.h"
#include "sim_process.h"

namespace frankenetes::sim::testing {
namespace {

using nlohmann::json;
using std::chrono::seconds;

constexpr const char* kRgPath =
    "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/frankenetes/providers/"
    "Microsoft.ContainerInstance/containerGroups";

std::string source_dir() {
  const char* env = std::getenv("FRANKENETES_SOURCE_DIR");
  return env ? env : FRANKENETES_SOURCE_DIR_DEFAULT;
}

int http_status(const std::string& ip, int port, const std::string& path) {
  return http_get(ip, port, path, ip, std::chrono::milliseconds(1500)).status;
}

json group_state(SimProcess& sim, const std::string& name) {
  const auto r = sim.control_get("/groups/frankenetes/" + name);
  return r.status == 200 ? json::parse(r.body) : json();
}

TEST(SimBinary, VirtualModeServesArmOverHttpsWithItsCa) {
  const auto scenario = std::filesystem::temp_directory_path() / ("fk-sim-virtual-" + std::to_string(getpid()) + ".yaml");
  {
    std::ofstream out(scenario);
    out << "resourceGroups: [frankenetes]\nmode: virtual\narm: {pageSize: 1}\n";
  }
  SimProcess sim({"--scenario", scenario.string(), "--ip-pool", kFreeIpPool});
  ASSERT_TRUE(sim.wait_ready(seconds(10)));
  std::filesystem::remove(scenario);
  const auto& e = sim.endpoints();
  for (const char* key : {"armBaseUrl", "tokenEndpoint", "authority", "imdsUrl", "tenantId", "subscriptionId",
                          "clientId", "clientSecretFile", "dnsAddress", "controlUrl", "caFile"}) {
    EXPECT_TRUE(e.contains(key)) << key;
  }
  EXPECT_EQ(std::filesystem::status(e["clientSecretFile"].get<std::string>()).permissions() &
                std::filesystem::perms::group_read,
            std::filesystem::perms::none);

  // TLS verifies against the generated CA, and fails without it.
  EXPECT_NE(run_command("curl -s -m 5 -o /dev/null '" + e["armBaseUrl"].get<std::string>() + "/'").exit_code, 0);
  auto [status, body] = sim.arm("GET", std::string(kRgPath) + "?api-version=2023-05-01");
  EXPECT_EQ(status, 200) << body;

  // No token → 401.
  auto anon = run_command("curl -s -m 5 -o /dev/null -w '%{http_code}' --cacert " + e["caFile"].get<std::string>() +
                          " '" + e["armBaseUrl"].get<std::string>() + kRgPath + "?api-version=2023-05-01'");
  EXPECT_EQ(anon.output, "401");

  // IMDS on the control listener.
  auto imds = run_command("curl -s -m 5 -H 'Metadata: true' '" + e["imdsUrl"].get<std::string>() +
                          "?api-version=2018-02-01&resource=https://management.azure.com/'");
  EXPECT_TRUE(json::parse(imds.output)["expires_on"].is_string()) << imds.output;

  // Create two groups through ARM and page through them.
  for (const char* name : {"one", "two"}) {
    const std::string body_json =
        R"({"location":"westeurope","properties":{"osType":"Linux","containers":[{"name":"c","properties":{"image":"nginx","resources":{"requests":{"cpu":1,"memoryInGB":1}}}}]}})";
    auto put = run_command("curl -s -m 10 -o /dev/null -w '%{http_code}' --cacert " + e["caFile"].get<std::string>() +
                           " -X PUT -H 'Content-Type: application/json' -H 'Authorization: Bearer " + sim.token() +
                           "' -d '" + body_json + "' '" + e["armBaseUrl"].get<std::string>() + kRgPath + "/" + name +
                           "?api-version=2023-05-01'");
    EXPECT_EQ(put.output, "201");
  }
  auto first = sim.arm("GET", std::string(kRgPath) + "?api-version=2023-05-01");
  auto page = json::parse(first.second);
  ASSERT_TRUE(page.contains("nextLink")) << first.second;
  const auto next = page["nextLink"].get<std::string>();
  auto second = sim.arm("GET", next.substr(e["armBaseUrl"].get<std::string>().size()));
  EXPECT_EQ(json::parse(second.second)["value"][0]["name"], "two");

  auto log = json::parse(sim.control_get("/requests?api=arm&operation=put").body);
  EXPECT_EQ(log["count"], 2);
  EXPECT_EQ(sim.stop(), 0);
}

TEST(SimBinary, ProcessModeClusterBootsHealthyAndApiserverFollowsEtcd) {
  if (!std::filesystem::exists("/usr/bin/etcd")) GTEST_SKIP() << "/usr/bin/etcd is not installed";
  const auto scenario = source_dir() + "/config/sim-cluster.yaml";
  ASSERT_TRUE(std::filesystem::exists(scenario)) << scenario;
  const auto started = std::chrono::steady_clock::now();
  SimProcess sim({"--scenario", scenario, "--ip-pool", kFreeIpPool, "--time-scale", "0.25"});
  ASSERT_TRUE(sim.wait_ready(seconds(10)));

  const auto etcd_ip = group_state(sim, "etcd")["ip"].get<std::string>();
  const auto api_ip = group_state(sim, "apiserver")["ip"].get<std::string>();
  ASSERT_FALSE(etcd_ip.empty());
  EXPECT_TRUE(eventually([&] {
    const auto r = http_get(etcd_ip, 2379, "/health", etcd_ip, std::chrono::milliseconds(1000));
    return r.status == 200 && r.body.find("\"health\":\"true\"") != std::string::npos;
  }, seconds(10))) << sim.log();
  EXPECT_TRUE(eventually([&] { return http_status(api_ip, 6445, "/healthz") == 200; }, seconds(10)));
  const auto boot = std::chrono::steady_clock::now() - started;
  EXPECT_LT(boot, seconds(10)) << "etcd healthy and apiserver ready within 10 s";
  for (auto [name, port] : {std::pair<const char*, int>{"controller-manager", 10252}, {"scheduler", 10251}}) {
    const auto ip = group_state(sim, name)["ip"].get<std::string>();
    EXPECT_TRUE(eventually([&] { return http_status(ip, port, "/healthz") == 200; }, seconds(10))) << name;
  }
  EXPECT_EQ(http_get(api_ip, 6445, "/version", api_ip, seconds(2)).body.find("v1.9.2") != std::string::npos, true);

  // Stop etcd through ARM: the apiserver stub goes unhealthy.
  auto stop = sim.arm("POST", std::string(kRgPath) + "/etcd/stop?api-version=2023-05-01");
  ASSERT_EQ(stop.first, 204) << stop.second;
  EXPECT_TRUE(eventually([&] { return http_status(api_ip, 6445, "/healthz") == 500; }, seconds(10)));
  EXPECT_NE(http_get(etcd_ip, 2379, "/health", etcd_ip, std::chrono::milliseconds(500)).status, 200);

  // Start it again: new IP, healthy etcd, healthy apiserver (the FQDN follows the IP).
  auto start = sim.arm("POST", std::string(kRgPath) + "/etcd/start?api-version=2023-05-01");
  ASSERT_EQ(start.first, 202) << start.second;
  EXPECT_TRUE(eventually([&] { return group_state(sim, "etcd")["state"] == "Running"; }, seconds(10)));
  const auto new_ip = group_state(sim, "etcd")["ip"].get<std::string>();
  EXPECT_NE(new_ip, etcd_ip);
  EXPECT_TRUE(eventually([&] { return http_status(new_ip, 2379, "/health") == 200; }, seconds(10))) << sim.log();
  EXPECT_TRUE(eventually([&] { return http_status(api_ip, 6445, "/healthz") == 200; }, seconds(10)));

  // The etcd data lives on the share.
  EXPECT_TRUE(std::filesystem::exists(sim.state_dir() + "/shares/frankenetes/etcd/data/member"));

  // A crash: the process dies, ACI restarts it after the (scaled) back-off.
  ASSERT_EQ(sim.control("POST", "/groups/frankenetes/etcd/containers/etcd/crash", R"({"exitCode":2})").exit_code, 0);
  auto view = group_state(sim, "etcd")["containers"][0];
  EXPECT_EQ(view["detailStatus"], "CrashLoopBackOff: Back-off restarting failed");
  EXPECT_TRUE(eventually([&] { return group_state(sim, "etcd")["containers"][0]["restartCount"] == 1; }, seconds(10)));
  EXPECT_TRUE(eventually([&] { return http_status(new_ip, 2379, "/health") == 200; }, seconds(10)));
  auto get = sim.arm("GET", std::string(kRgPath) + "/etcd?api-version=2023-05-01");
  auto iv = json::parse(get.second)["properties"]["containers"][0]["properties"]["instanceView"];
  EXPECT_EQ(iv["restartCount"], 1);
  EXPECT_EQ(iv["previousState"]["exitCode"], 2);
  auto logs = sim.arm("GET", std::string(kRgPath) + "/etcd/containers/etcd/logs?api-version=2023-05-01&tail=5");
  EXPECT_EQ(logs.first, 200);

  // Hang: the process stays, health stops answering.
  sim.control("POST", "/groups/frankenetes/etcd/containers/etcd/hang", R"({"hung":true})");
  EXPECT_TRUE(eventually([&] { return http_status(new_ip, 2379, "/health") == 0; }, seconds(10)));
  sim.control("POST", "/groups/frankenetes/etcd/containers/etcd/hang", R"({"hung":false})");
  EXPECT_TRUE(eventually([&] { return http_status(new_ip, 2379, "/health") == 200; }, seconds(10)));

  const auto pid = sim.pid();
  EXPECT_EQ(sim.stop(), 0);
  EXPECT_EQ(run_command("pgrep -P " + std::to_string(pid)).output, "") << "children die with the sim";
}

// A raw connection with one request sent, for reading an answer that may never come.
class RawRequest {
 public:
  RawRequest(const std::string& host, int port, const std::string& path) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
    if (fd_ < 0 || connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return;
    const std::string request = "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n";
    sent_ = send(fd_, request.data(), request.size(), 0) == static_cast<ssize_t>(request.size());
  }
  ~RawRequest() {
    if (fd_ >= 0) close(fd_);
  }
  bool sent() const { return sent_; }
  // What arrived within `timeout` ("" = nothing).
  std::string read_for(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return {};
    char buf[1024];
    const auto n = recv(fd_, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
  }

 private:
  int fd_ = -1;
  bool sent_ = false;
};

TEST(SimBinary, HealthListenerServesVirtualProbesAndParksHungOnes) {
  const auto scenario = std::filesystem::temp_directory_path() / ("fk-sim-health-" + std::to_string(getpid()) + ".yaml");
  {
    std::ofstream out(scenario);
    out << "resourceGroups: [frankenetes]\nmode: virtual\ncontainerGroups:\n";
    for (const char* name : {"a", "b"}) {
      out << "  - name: " << name << R"(
    properties:
      osType: Linux
      containers:
        - name: c
          properties: {image: nginx, resources: {requests: {cpu: 1, memoryInGB: 1}}}
      ipAddress: {type: Public, ports: [{port: 80}]}
)";
    }
  }
  SimProcess sim({"--scenario", scenario.string(), "--ip-pool", kFreeIpPool, "--health-listen", "127.0.0.1:0"});
  ASSERT_TRUE(sim.wait_ready(seconds(10)));
  std::filesystem::remove(scenario);
  const auto health = parse_http_url(sim.endpoints()["healthUrl"].get<std::string>());
  ASSERT_TRUE(health) << sim.endpoints().dump();
  EXPECT_EQ(health->host, "127.0.0.1");
  const auto ip_a = group_state(sim, "a")["ip"].get<std::string>();
  const auto ip_b = group_state(sim, "b")["ip"].get<std::string>();
  const auto probe = [&](const std::string& ip) { return http_status(health->host, health->port, "/health/" + ip); };
  EXPECT_EQ(probe(ip_a), 200);
  EXPECT_EQ(probe(ip_b), 200);
  EXPECT_EQ(probe("127.0.0.2"), 404);

  ASSERT_EQ(sim.control("POST", "/groups/frankenetes/a/containers/c/hang", R"({"hung":true})").exit_code, 0);
  RawRequest hung(health->host, health->port, "/health/" + ip_a + "/livez");
  ASSERT_TRUE(hung.sent());
  ASSERT_TRUE(eventually([&] {
    const auto r = sim.control_get("/health-probes");
    return r.status == 200 && json::parse(r.body)["parked"] == 1;
  }, seconds(5)));
  // While it is parked, the listener, the control API and ARM answer.
  for (int i = 0; i < 20; ++i) ASSERT_EQ(probe(ip_b), 200);
  EXPECT_EQ(sim.control_get("/healthz").status, 200);
  EXPECT_EQ(sim.arm("GET", std::string(kRgPath) + "?api-version=2023-05-01").first, 200);
  EXPECT_EQ(hung.read_for(std::chrono::milliseconds(0)), "");
  // Health probes stay out of the request log (benchmarks count ARM calls there).
  EXPECT_EQ(json::parse(sim.control_get("/requests?limit=0").body)["count"], 2) << "token + LIST only";

  ASSERT_EQ(sim.control("POST", "/groups/frankenetes/a/containers/c/hang", R"({"hung":false})").exit_code, 0);
  const auto answer = hung.read_for(std::chrono::seconds(5));
  EXPECT_EQ(answer.rfind("HTTP/1.1 200", 0), 0u) << answer;
  EXPECT_EQ(sim.stop(), 0);
}

TEST(SimBinary, HealthListenIsRefusedInProcessMode) {
  const auto r = run_command(std::string(FRANKENETES_SIM_BINARY) +
                             " --mode process --health-listen 127.0.0.1:0 --state-dir /nonexistent/x 2>&1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("--health-listen is for virtual mode only"), std::string::npos) << r.output;
}

// fd number → what it points at ("socket:[123]", "/dev/null", a path), from /proc/<pid>/fd.
std::map<int, std::string> open_descriptors(pid_t pid) {
  std::map<int, std::string> out;
  std::error_code ec;
  for (std::filesystem::directory_iterator it("/proc/" + std::to_string(pid) + "/fd", ec), end; !ec && it != end;
       it.increment(ec)) {
    std::error_code link_ec;
    const auto target = std::filesystem::read_symlink(it->path(), link_ec);
    out[std::stoi(it->path().filename().string())] = link_ec ? "?" : target.string();
  }
  return out;
}

// Processes whose parent is `parent` and that run `exe`, from /proc/<pid>/stat and /exe.
std::vector<pid_t> children_running(pid_t parent, const std::filesystem::path& exe) {
  std::vector<pid_t> out;
  std::error_code ec;
  for (std::filesystem::directory_iterator it("/proc", ec), end; !ec && it != end; it.increment(ec)) {
    const auto name = it->path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const auto stat = read_file(it->path().string() + "/stat");
    const auto paren = stat.rfind(')');
    if (paren == std::string::npos) continue;
    std::istringstream fields(stat.substr(paren + 1));
    std::string state;
    long ppid = 0;
    if (!(fields >> state >> ppid) || ppid != parent) continue;
    std::error_code exe_ec;
    if (std::filesystem::read_symlink(it->path() / "exe", exe_ec) == exe) out.push_back(std::stoi(name));
  }
  return out;
}

// Container processes hold nothing of the sim's: no listening socket (which would keep its
// port bound after the sim is gone, `ss -tlnp` shows it), no accepted connection, no file.
// etcd is replaced by a script that execs sleep, so that whatever the container process has
// open besides stdin/stdout/stderr was inherited.
TEST(SimBinary, ContainerProcessesInheritOnlyStdinStdoutStderr) {
  const auto sleep_exe = std::filesystem::canonical("/bin/sleep");
  const auto dir = std::filesystem::temp_directory_path() / ("fk-sim-fds-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const auto fake_etcd = dir / "etcd";
  {
    std::ofstream out(fake_etcd);
    out << "#!/bin/sh\nexec /bin/sleep 600\n";
  }
  std::filesystem::permissions(fake_etcd, std::filesystem::perms::owner_all);
  const auto scenario = dir / "scenario.yaml";
  {
    std::ofstream out(scenario);
    out << R"(resourceGroups: [frankenetes]
mode: process
containerGroups:
  - name: etcd
    properties:
      osType: Linux
      containers:
        - name: etcd
          properties:
            image: quay.io/coreos/etcd:v3.2.8
            command: [/usr/local/bin/etcd, --name=aci]
            ports: [{port: 2379}]
            resources: {requests: {cpu: 1, memoryInGB: 1.5}}
      ipAddress: {type: Public, ports: [{port: 2379}], dnsNameLabel: fk-fds}
)";
  }
  SimProcess sim({"--scenario", scenario.string(), "--ip-pool", kFreeIpPool, "--etcd-binary",
                  fake_etcd.string(), "--time-scale", "0.1"});
  ASSERT_TRUE(sim.wait_ready(seconds(10)));
  const auto expect_only_std_streams = [](pid_t pid) {
    const auto fds = open_descriptors(pid);
    std::string listing;
    for (const auto& [fd, target] : fds) listing += std::to_string(fd) + " -> " + target + "\n";
    ASSERT_EQ(fds.size(), 3u) << "pid " << pid << " has:\n" << listing;
    EXPECT_EQ(fds.begin()->first, 0) << listing;
    EXPECT_EQ(fds.rbegin()->first, 2) << listing;
    for (const auto& [fd, target] : fds) {
      EXPECT_EQ(target.rfind("socket:", 0), std::string::npos) << fd << " -> " << target;
    }
    EXPECT_EQ(fds.at(0), "/dev/null");
    EXPECT_NE(fds.at(1).find("/logs/etcd.log"), std::string::npos) << fds.at(1);
    EXPECT_EQ(fds.at(2), fds.at(1));
  };
  // The first container process starts while the sim has its listeners open.
  std::vector<pid_t> first;
  ASSERT_TRUE(eventually([&] { return !(first = children_running(sim.pid(), sleep_exe)).empty(); }, seconds(10)))
      << sim.log();
  ASSERT_EQ(first.size(), 1u);
  expect_only_std_streams(first.front());

  // A connection the sim has accepted (a request answered on it proves that) and keeps open
  // while it starts the next container process.
  const auto control = parse_http_url(sim.endpoints()["controlUrl"].get<std::string>());
  ASSERT_TRUE(control);
  const int conn = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(conn, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(control->port));
  inet_pton(AF_INET, control->host.c_str(), &addr.sin_addr);
  ASSERT_EQ(connect(conn, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  timeval timeout{5, 0};
  setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  const std::string request = "GET /healthz HTTP/1.1\r\nHost: sim\r\n\r\n";
  ASSERT_EQ(send(conn, request.data(), request.size(), 0), static_cast<ssize_t>(request.size()));
  char answer[512];
  ASSERT_GT(recv(conn, answer, sizeof answer, 0), 0);

  ASSERT_EQ(sim.control("POST", "/groups/frankenetes/etcd/restart").exit_code, 0);
  pid_t child = -1;
  ASSERT_TRUE(eventually([&] {
    for (pid_t p : children_running(sim.pid(), sleep_exe)) {
      if (std::find(first.begin(), first.end(), p) == first.end()) child = p;
    }
    return child > 0;
  }, seconds(10))) << sim.log();

  // The sim itself holds sockets (so a leak would show), the container none of them.
  std::size_t sim_sockets = 0;
  for (const auto& [fd, target] : open_descriptors(sim.pid())) sim_sockets += target.rfind("socket:", 0) == 0;
  EXPECT_GE(sim_sockets, 3u) << "HTTPS and control listeners and the accepted connection";
  expect_only_std_streams(child);
  close(conn);
  EXPECT_EQ(sim.stop(), 0);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace
}  // namespace frankenetes::sim::testing
