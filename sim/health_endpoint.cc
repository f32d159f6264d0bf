#include "sim/health_endpoint.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace frankenetes::sim {

namespace {

constexpr std::string_view kPrefix = "/health/";
constexpr std::string_view kEtcdStatusPath = "/v3/maintenance/status";
// Ids in etcd 3.4.23's answer (see lib/etcd/maintenance_status.h).
constexpr std::string_view kEtcdClusterId = "324952591200643719";
constexpr std::string_view kEtcdMemberId = "3319814642761637952";
constexpr std::size_t kMaxQuotedIp = 64;  // the IP comes from the request path

std::string container_state(const Container& c) {
  if (!c.current) return "Waiting";
  return c.current->detail_status.empty() ? c.current->state
                                          : c.current->state + " (" + c.current->detail_status + ")";
}

}  // namespace

HealthVerdict health_verdict(const AciModel& model, const std::string& ip) {
  using Kind = HealthVerdict::Kind;
  const auto* g = ip.empty() ? nullptr : model.find_by_ip(ip);
  if (!g) return {Kind::kNoSuchIp, "no container group has IP " + ip.substr(0, kMaxQuotedIp)};
  if (g->phase != GroupPhase::kRunning) {
    return {Kind::kUnhealthy, "group " + g->name + " is " + g->instance_state()};
  }
  for (const auto& c : g->containers) {
    if (c.phase != ContainerPhase::kRunning) {
      return {Kind::kUnhealthy, "container " + c.name + " is " + container_state(c)};
    }
  }
  for (const auto& c : g->containers) {
    if (c.hung) return {Kind::kHung, "container " + c.name + " is hung"};
  }
  return {Kind::kOk, ""};
}

http::Response health_response(const HealthVerdict& verdict) {
  switch (verdict.kind) {
    case HealthVerdict::Kind::kOk: return http::Response::text(200, "ok\n");
    case HealthVerdict::Kind::kNoSuchIp: return http::Response::text(404, verdict.reason + "\n");
    case HealthVerdict::Kind::kUnhealthy:
    case HealthVerdict::Kind::kHung: return http::Response::text(503, verdict.reason + "\n");
  }
  return http::Response::text(500, "unexpected verdict\n");
}

HealthEndpoint::HealthEndpoint(AciModel& model, const core::TimeSource& time, core::Duration hang_cap)
    : model_(model), time_(time), hang_cap_(hang_cap) {}

void HealthEndpoint::handle(const http::Request& request, http::Responder respond) {
  if (request.method == "POST" && request.path == kEtcdStatusPath) {
    // The gateway writes 64-bit fields as strings of digits.
    const auto revision = std::to_string(++etcd_revision_);
    const nlohmann::json status = {{"header",
                                    {{"cluster_id", kEtcdClusterId},
                                     {"member_id", kEtcdMemberId},
                                     {"revision", revision},
                                     {"raft_term", "2"}}},
                                   {"version", "3.4.23"},
                                   {"dbSize", "20480"},
                                   {"leader", kEtcdMemberId},
                                   {"raftIndex", revision},
                                   {"raftTerm", "2"}};
    http::Response r;
    r.status = 200;
    r.headers["Content-Type"] = "application/json";
    r.body = status.dump();
    return respond(std::move(r));
  }
  if (request.method != "GET" && request.method != "HEAD") {
    auto r = http::Response::text(405, "use GET\n");
    r.headers["Allow"] = "GET, HEAD";
    return respond(std::move(r));
  }
  const std::string_view path = request.path;
  if (path.substr(0, kPrefix.size()) != kPrefix) {
    return respond(http::Response::text(404, "unknown route: use GET /health/{ip}\n"));
  }
  const auto rest = path.substr(kPrefix.size());
  const std::string ip(rest.substr(0, rest.find('/')));
  model_.advance();
  const auto verdict = health_verdict(model_, ip);
  if (verdict.kind == HealthVerdict::Kind::kHung) {
    parked_.push_back({ip, time_.monotonic_time(), std::move(respond)});
    return;
  }
  respond(health_response(verdict));
}

void HealthEndpoint::tick() {
  if (parked_.empty()) return;
  model_.advance();
  const auto now = time_.monotonic_time();
  // Answered entries are moved out first: a responder may run arbitrary code.
  std::vector<std::pair<http::Responder, http::Response>> answers;
  std::erase_if(parked_, [&](Parked& p) {
    if (now - p.since >= hang_cap_) {
      answers.emplace_back(std::move(p.respond), http::Response::text(503, "hung: no answer within " +
                                                                                std::to_string(hang_cap_.count() / 1000) +
                                                                                " s\n"));
      return true;
    }
    const auto verdict = health_verdict(model_, p.ip);
    if (verdict.kind == HealthVerdict::Kind::kHung) return false;
    answers.emplace_back(std::move(p.respond), health_response(verdict));
    return true;
  });
  for (auto& [respond, response] : answers) respond(std::move(response));
}

}  // namespace frankenetes::sim
