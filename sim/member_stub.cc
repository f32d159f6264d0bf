#include "sim/member_stub.h"

#include <nlohmann/json.hpp>

namespace frankenetes::sim {

namespace {

std::string check_name(const std::string& role) {
  if (role == "apiserver") return "etcd";
  if (role == "controller-manager" || role == "scheduler") return "apiserver";
  return "dependency";
}

}  // namespace

http::Response stub_response(const MemberStubConfig& config, const DependencyHealth& health,
                             const http::Request& request) {
  const auto& path = request.path;
  if (path == "/version") {
    std::string major = "1", minor = "9";
    const auto& v = config.version;
    const auto dot1 = v.find('.');
    if (v.size() > 1 && dot1 != std::string::npos) {
      major = v.substr(1, dot1 - 1);
      const auto dot2 = v.find('.', dot1 + 1);
      minor = v.substr(dot1 + 1, dot2 == std::string::npos ? std::string::npos : dot2 - dot1 - 1);
    }
    nlohmann::json body = {{"major", major},
                           {"minor", minor},
                           {"gitVersion", config.version},
                           {"gitCommit", "frankenetes-sim-member-stub"},
                           {"gitTreeState", "clean"},
                           {"buildDate", "2018-01-18T09:42:01Z"},
                           {"goVersion", "go1.9.2"},
                           {"compiler", "gc"},
                           {"platform", "linux/amd64"}};
    return http::Response::json(200, body.dump());
  }
  if (path == "/healthz" || path == "/livez" || path == "/readyz" || path == "/health") {
    const auto check = check_name(config.role);
    const bool verbose = request.query_param("verbose").has_value();
    if (health.healthy) {
      if (!verbose) return http::Response::text(200, "ok");
      return http::Response::text(200, "[+]ping ok\n[+]" + check + " ok\n" + path.substr(1) + " check passed\n");
    }
    // kube-apiserver's format for a failed check (details are withheld unless verbose).
    std::string body = "[+]ping ok\n[-]" + check + " failed: " +
                       (verbose ? health.detail : std::string("reason withheld")) + "\n" + path.substr(1) +
                       " check failed\n";
    return http::Response::text(500, body);
  }
  if (path == "/" || path == "/metrics") {
    return http::Response::text(200, "frankenetes-sim member stub " + config.name + " (" + config.role + ")\n");
  }
  return http::Response::json(404, R"({"kind":"Status","apiVersion":"v1","status":"Failure","message":"the server could not find the requested resource","reason":"NotFound","code":404})");
}

}  // namespace frankenetes::sim
