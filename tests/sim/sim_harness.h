#pragma once
// SimHarness: a Simulator on a fake clock with virtual containers, plus helpers to build
// requests and fetch tokens the way a client would. For the pure simulator tests.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "http/message.h"
#include "sim/simulator.h"
#include "support/fake_time_source.h"

namespace frankenetes::sim::testing {

inline constexpr const char* kSub = "00000000-0000-0000-0000-000000000001";
inline constexpr const char* kTenant = "00000000-0000-0000-0000-0000000000aa";
inline constexpr const char* kApi = "2023-05-01";

inline http::Request make_request(const std::string& method, const std::string& target,
                                  const std::string& body = {}, const std::string& token = {}) {
  http::Request r;
  r.method = method;
  r.target = target;
  auto parsed = http::parse_target(target);
  if (parsed) {
    r.path = parsed->path;
    r.query = parsed->query;
  }
  r.body = body;
  if (!token.empty()) r.headers["Authorization"] = "Bearer " + token;
  r.headers["User-Agent"] = "sim-test";
  return r;
}

inline std::string group_path(const std::string& rg, const std::string& name, const std::string& suffix = {},
                              const std::string& api = kApi) {
  return std::string("/subscriptions/") + kSub + "/resourceGroups/" + rg +
         "/providers/Microsoft.ContainerInstance/containerGroups/" + name + suffix + "?api-version=" + api;
}

inline nlohmann::json group_body(const std::string& label = "demo", const std::string& policy = "Always") {
  return nlohmann::json::parse(R"({
    "location": "westeurope",
    "properties": {
      "osType": "Linux",
      "restartPolicy": ")" + policy + R"(",
      "containers": [{"name": "app", "properties": {
        "image": "nginx", "command": [], "ports": [{"port": 80}],
        "environmentVariables": [{"name": "A", "value": "1"}, {"name": "S", "secureValue": "hidden"}],
        "resources": {"requests": {"cpu": 1, "memoryInGB": 1.5}}}}],
      "ipAddress": {"type": "Public", "ports": [{"port": 80, "protocol": "TCP"}], "dnsNameLabel": ")" +
                               label + R"("}
    }
  })");
}

inline const char* kScenario = R"(
subscriptionId: 00000000-0000-0000-0000-000000000001
tenantId: 00000000-0000-0000-0000-0000000000aa
region: westeurope
credentials:
  clientId: frankenetes-demo
  clientSecret: s3cret
resourceGroups: [frankenetes]
arm:
  pageSize: 2
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
      ipAddress: {type: Public, ports: [{port: 2379, protocol: TCP}], dnsNameLabel: fk-etcd}
)";

class SimHarness {
 public:
  explicit SimHarness(const std::string& scenario_yaml = kScenario)
      : scenario_(parse(scenario_yaml)), sim_(scenario_, options(), clock_, runtime_) {
    auto booted = sim_.boot();
    EXPECT_TRUE(booted.ok()) << (booted.ok() ? "" : booted.error().message);
  }

  static Scenario parse(const std::string& yaml) {
    auto s = parse_scenario(yaml, "test.yaml");
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    return s.ok() ? *s : Scenario{};
  }
  static SimulatorOptions options() {
    SimulatorOptions o;
    o.arm_base_url = "https://127.0.0.1:8443";
    o.seed = 42;
    return o;
  }

  std::string token() {
    if (!token_.empty()) return token_;
    auto r = make_request("POST", std::string("/") + kTenant + "/oauth2/v2.0/token",
                          "grant_type=client_credentials&client_id=frankenetes-demo&client_secret=s3cret"
                          "&scope=https%3A%2F%2Fmanagement.azure.com%2F.default");
    r.headers["Content-Type"] = "application/x-www-form-urlencoded";
    auto reply = sim_.handle_https(r);
    EXPECT_EQ(reply.response.status, 200) << reply.response.body;
    token_ = nlohmann::json::parse(reply.response.body)["access_token"].get<std::string>();
    return token_;
  }

  http::Response arm(const std::string& method, const std::string& target, const std::string& body = {}) {
    return sim_.handle_https(make_request(method, target, body, token())).response;
  }
  http::Response control(const std::string& method, const std::string& target, const std::string& body = {}) {
    return sim_.handle_control(make_request(method, target, body)).response;
  }
  nlohmann::json get_json(const std::string& target) {
    auto r = arm("GET", target);
    EXPECT_EQ(r.status, 200) << r.body;
    return nlohmann::json::parse(r.body);
  }
  template <typename D>
  void advance(D d) {
    clock_.advance(d);
    sim_.tick();
  }

  frankenetes::testing::FakeTimeSource clock_;
  VirtualRuntime runtime_;
  Scenario scenario_;
  Simulator sim_;
  std::string token_;
};

}  // namespace frankenetes::sim::testing
