#pragma once
// Shared helpers for the sim/dns tests: request builders, a sample scenario with one zone per
// provider, and the shared fixtures directory.

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "http/message.h"
#include "sim/dns/scenario.h"

namespace frankenetes::sim::dns::testing {

inline constexpr const char* kAzurePrefix =
    "/subscriptions/sub1/resourceGroups/dns-rg/providers/Microsoft.Network/dnsZones/example.com";
inline constexpr const char* kApi = "api-version=2018-05-01";
inline constexpr const char* kCfZone = "023e105f4ecef8ad9ca31a8372d0c353";
inline constexpr const char* kCfToken = "cf-token-demo";
inline constexpr const char* kCfOtherToken = "cf-token-other";

inline constexpr const char* kSampleScenario = R"(
azureDns:
  zones:
    - subscriptionId: sub1
      resourceGroup: dns-rg
      name: example.com
      recordSets:
        - { name: cp-etcd, type: A, ttl: 60, records: [127.0.0.5], metadata: {owner: frankenetes} }
        - { name: _owner.cp-etcd, type: TXT, ttl: 60, records: ["heritage=frankenetes"] }
        - { name: www, type: CNAME, ttl: 300, records: [cp-etcd.example.com] }
        - { name: a.b, type: A, records: [127.0.0.7] }
cloudflare:
  accounts:
    - name: demo
      apiToken: cf-token-demo
      zones:
        - name: example.org
          id: 023e105f4ecef8ad9ca31a8372d0c353
          records:
            - { name: cp-apiserver, type: A, content: 127.0.0.6, ttl: 60 }
            - { name: alias, type: CNAME, content: cp-apiserver.example.org }
    - name: other
      apiToken: cf-token-other
      zones:
        - name: other.net
)";

inline DnsScenario parse_scenario_text(const std::string& text) {
  auto parsed = parse_dns_scenario(YAML::Load(text), "test.yaml", "sub1");
  if (!parsed.ok()) ADD_FAILURE() << parsed.error().message;
  return parsed.ok() ? parsed.value() : DnsScenario{};
}

inline DnsScenario sample_scenario() { return parse_scenario_text(kSampleScenario); }

inline http::Request request(
    std::string method, const std::string& target, std::string body = "",
    std::initializer_list<std::pair<std::string, std::string>> headers = {}) {
  http::Request r;
  r.method = std::move(method);
  r.target = target;
  auto parsed = http::parse_target(target);
  if (!parsed) ADD_FAILURE() << "bad target " << target;
  if (parsed) {
    r.path = parsed->path;
    r.query = parsed->query;
  }
  r.body = std::move(body);
  r.headers["Host"] = "127.0.0.1:8443";
  for (const auto& [k, v] : headers) r.headers[k] = v;
  return r;
}

inline http::Request cf_request(std::string method, const std::string& target,
                                std::string body = "", const std::string& token = kCfToken) {
  return request(std::move(method), target, std::move(body),
                 {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}});
}

inline nlohmann::json body_json(const http::Response& response) {
  auto doc = nlohmann::json::parse(response.body, nullptr, false);
  if (doc.is_discarded()) ADD_FAILURE() << "not JSON: " << response.body;
  return doc;
}

// The shared directory (fixtures, reference): FRANKENETES_SHARED_DIR, else
// ${FRANKENETES_SOURCE_DIR}/../shared. nullopt when absent (tests then GTEST_SKIP).
inline std::optional<std::filesystem::path> shared_dir() {
  std::filesystem::path dir;
  if (const char* env = std::getenv("FRANKENETES_SHARED_DIR"); env && *env) {
    dir = env;
  } else if (const char* src = std::getenv("FRANKENETES_SOURCE_DIR"); src && *src) {
    dir = std::filesystem::path(src) / ".." / "shared";
  } else {
    return std::nullopt;
  }
  if (!std::filesystem::is_directory(dir)) return std::nullopt;
  return dir;
}

}  // namespace frankenetes::sim::dns::testing
