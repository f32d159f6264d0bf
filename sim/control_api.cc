#include "sim/control_api.h"

#include "core/duration.h"
#include "core/strings.h"
#include "sim/aci_codec.h"
#include "sim/ip_pool.h"

namespace frankenetes::sim {

namespace {

http::Response reply(int status, const nlohmann::json& body) {
  http::Response r;
  r.status = status;
  r.headers["Content-Type"] = "application/json";
  r.body = body.dump();
  return r;
}

http::Response fail(int status, const std::string& message) { return reply(status, {{"error", message}}); }

std::vector<std::string> segments(const std::string& path) {
  std::vector<std::string> out;
  for (auto& s : core::split(path, '/')) {
    if (!s.empty()) out.push_back(s);
  }
  return out;
}

const char* phase_name(ContainerPhase p) {
  switch (p) {
    case ContainerPhase::kWaiting: return "waiting";
    case ContainerPhase::kRunning: return "running";
    case ContainerPhase::kBackOff: return "backoff";
    case ContainerPhase::kTerminated: return "terminated";
  }
  return "unknown";
}

http::Response from_result(ActionResult result, const std::string& what) {
  switch (result) {
    case ActionResult::kDone: return reply(200, {{"ok", true}});
    case ActionResult::kNoOp: return reply(200, {{"ok", true}, {"noop", true}});
    case ActionResult::kNotFound: return fail(404, "no such container group: " + what);
    case ActionResult::kUnknownContainer: return fail(404, "no such container in " + what);
    case ActionResult::kStopped: return fail(409, what + " is stopped");
    case ActionResult::kConflict: return fail(409, what + " is being deleted");
  }
  return fail(500, "unexpected result");
}

// "30s" / 30 → duration
std::optional<core::Duration> json_duration(const nlohmann::json& j) {
  if (j.is_number()) return core::Duration(static_cast<core::Duration::rep>(j.get<double>() * 1000));
  if (j.is_string()) return core::parse_duration(j.get<std::string>());
  return std::nullopt;
}

}  // namespace

ControlApi::ControlApi(AciModel& model, FaultInjector& faults, GroupFaults& group_faults, ArmThrottle& throttle,
                       Identity& identity, RequestLog& log, const core::TimeSource& time,
                       std::string subscription_id, std::string tenant_id, std::string default_resource_group)
    : model_(model), faults_(faults), group_faults_(group_faults), throttle_(throttle), identity_(identity),
      log_(log), time_(time),
      subscription_id_(std::move(subscription_id)), tenant_id_(std::move(tenant_id)),
      default_resource_group_(std::move(default_resource_group)) {}

nlohmann::json ControlApi::describe(const ContainerGroup& g) const {
  auto containers = nlohmann::json::array();
  for (const auto& c : g.containers) {
    nlohmann::json cj = {{"name", c.name},
                         {"image", c.image()},
                         {"phase", phase_name(c.phase)},
                         {"state", c.current ? c.current->state : ""},
                         {"detailStatus", c.current ? c.current->detail_status : ""},
                         {"restartCount", c.restart_count},
                         {"instance", c.instance},
                         {"hung", c.hung},
                         {"crash", {{"remaining", c.crash.remaining}, {"always", c.crash.always}, {"exitCode", c.crash.exit_code}}}};
    containers.push_back(cj);
  }
  return {{"resourceGroup", g.resource_group},
          {"name", g.name},
          {"id", container_group_id(subscription_id_, g.resource_group, g.name)},
          {"location", g.location},
          {"state", g.instance_state()},
          {"provisioningState", g.provisioning_state},
          {"ip", g.ip},
          {"fqdn", g.fqdn()},
          {"deployment", g.deployment},
          {"containers", containers}};
}

std::optional<std::pair<std::string, std::string>> ControlApi::resolve(const std::string& name) const {
  if (parse_ipv4(name)) return std::make_pair(name, std::string("literal"));
  if (core::to_lower(name) == "localhost") {
    return std::make_pair(std::string("127.0.0.1"), std::string("literal"));
  }
  if (auto ip = model_.resolve_fqdn(name)) return std::make_pair(*ip, std::string("aci"));
  if (resolver_) {
    if (auto ip = resolver_(name)) return std::make_pair(*ip, std::string("dns"));
  }
  return std::nullopt;
}

http::Response ControlApi::handle(const http::Request& request) {
  model_.advance();
  const auto& path = request.path;
  const auto& m = request.method;
  if (path == "/dns" || core::starts_with(path, "/dns/")) {
    if (dns_handler_) {
      if (auto r = dns_handler_(request)) return *r;
    }
    return fail(404, "the DNS part of the simulator is not enabled");
  }
  nlohmann::json body = nlohmann::json::object();
  if (!request.body.empty()) {
    body = nlohmann::json::parse(request.body, nullptr, false);
    if (body.is_discarded()) return fail(400, "request body is not JSON");
  }
  const auto segs = segments(path);
  if (path == "/healthz") return http::Response::text(200, "ok");
  if (path == "/endpoints") return reply(200, endpoints_);
  if (path == "/groups" && m == "GET") {
    auto out = nlohmann::json::array();
    for (const auto* g : model_.all()) out.push_back(describe(*g));
    return reply(200, out);
  }
  if (segs.size() >= 3 && segs[0] == "groups") {
    const auto& rg = segs[1];
    const auto& name = segs[2];
    if (segs.size() == 3) {
      if (m == "GET") {
        const auto* g = model_.find(rg, name);
        if (!g) return fail(404, "no such container group: " + rg + "/" + name);
        auto out = describe(*g);
        out["arm"] = render_group(*g, {subscription_id_, tenant_id_, "2023-05-01", true});
        return reply(200, out);
      }
      if (m == "DELETE") return group_action(rg, name, "delete", body);
    }
    if ((segs.size() == 4 || segs.size() == 5) && segs[3] == "faults") {
      return group_faults(m, rg, name, segs.size() == 5 ? segs[4] : "", body);
    }
    if (segs.size() == 4 && m == "POST") return group_action(rg, name, segs[3], body);
    if (segs.size() == 6 && segs[3] == "containers") {
      if (segs[5] == "crash" && m == "DELETE") return container_action(rg, name, segs[4], "clearCrash", body);
      if (m == "POST") return container_action(rg, name, segs[4], segs[5], body);
    }
    return fail(404, "unknown route " + m + " " + path);
  }
  if (path == "/actions" && m == "POST") return apply_action(body);
  if (path == "/faults/arm") return faults(request, body);
  if (path == "/faults/groups") {
    if (m == "GET") return reply(200, group_faults_.describe_all());
    if (m == "DELETE") {
      group_faults_.clear_all();
      return reply(200, nlohmann::json::object());
    }
    return fail(405, "use GET or DELETE");
  }
  if (path == "/throttle") return throttle(request, body);
  if (path == "/identity" || path == "/identity/revoke") return identity(request, body);
  if (path == "/requests") return requests(request);
  if (path == "/settings" && m == "PUT") {
    if (body.contains("restartNewIpProbability")) {
      const double p = body["restartNewIpProbability"].get<double>();
      if (p < 0 || p > 1) return fail(400, "restartNewIpProbability must be within [0, 1]");
      model_.set_restart_new_ip_probability(p);
    }
    return reply(200, {{"restartNewIpProbability", model_.settings().restart_new_ip_probability}});
  }
  if (path == "/resolve" && m == "GET") {
    const auto name = request.query_param("name");
    if (!name || name->empty()) return fail(400, "missing ?name=");
    const auto r = resolve(*name);
    if (!r) return fail(404, "cannot resolve " + *name);
    return reply(200, {{"name", *name}, {"ip", r->first}, {"source", r->second}});
  }
  return fail(404, "unknown route " + m + " " + path);
}

http::Response ControlApi::group_action(const std::string& rg, const std::string& name, const std::string& verb,
                                        const nlohmann::json& body) {
  const auto what = rg + "/" + name;
  if (verb == "stop") return from_result(model_.stop(rg, name).result, what);
  if (verb == "start") return from_result(model_.start(rg, name).result, what);
  if (verb == "restart") return from_result(model_.restart(rg, name).result, what);
  if (verb == "delete") {
    std::optional<core::Duration> slow;
    if (const auto* g = model_.find(rg, name); g && g->phase != GroupPhase::kDeleting) {
      slow = group_faults_.take_delete(g->key());
    }
    return from_result(model_.remove(rg, name, slow).result, what);
  }
  if (verb == "maintenance" || verb == "ip" || verb == "changeIp") {
    std::optional<std::string> ip;
    if (body.contains("ip") && body["ip"].is_string()) ip = body["ip"].get<std::string>();
    if (ip && !parse_ipv4(*ip)) return fail(400, "ip must be an IPv4 address in 127.0.0.0/8");
    const auto outcome = model_.move_ip(rg, name, ip);
    auto r = from_result(outcome.result, what);
    if (outcome.result == ActionResult::kDone) {
      const auto* g = model_.find(rg, name);
      r = reply(200, {{"ok", true}, {"ip", g ? g->ip : ""}});
    }
    return r;
  }
  return fail(404, "unknown group action '" + verb + "'");
}

http::Response ControlApi::group_faults(const std::string& method, const std::string& rg, const std::string& name,
                                        const std::string& kind, const nlohmann::json& body,
                                        const std::vector<std::string>& ignore) {
  const auto what = rg + "/" + name;
  const auto key = core::to_lower(rg) + "/" + core::to_lower(name);
  const auto* g = model_.find(rg, name);
  const auto current = [&] { return reply(200, {{"group", what}, {"faults", group_faults_.describe(key)}}); };
  if (method == "GET" && kind.empty()) return current();
  if (method == "DELETE") {
    // Allowed for a group that is gone: whatever is left of its faults goes too.
    if (!group_faults_.clear(key, kind)) return fail(404, "unknown group fault '" + kind + "'");
    return current();
  }
  if (method != "POST" || kind.empty()) return fail(405, "use GET or DELETE on faults, POST on faults/{kind}");
  if (!g) return fail(404, "no such container group: " + what);
  if (kind == "notFound") {
    auto f = parse_not_found_fault(body, ignore);
    if (!f.ok()) return fail(400, f.error().message);
    group_faults_.set_not_found(key, f->count, f->body);
  } else if (kind == "omitRestartCount") {
    auto f = parse_omit_restart_count_fault(body, ignore);
    if (!f.ok()) return fail(400, f.error().message);
    group_faults_.set_omit_restart_count(key, f->count);
  } else if (kind == "slowDelete") {
    auto f = parse_slow_delete_fault(body, ignore);
    if (!f.ok()) return fail(400, f.error().message);
    group_faults_.set_slow_delete(key, f->duration, f->count);
  } else {
    return fail(404, "unknown group fault '" + kind + "' (notFound, omitRestartCount, slowDelete)");
  }
  return current();
}

http::Response ControlApi::container_action(const std::string& rg, const std::string& name,
                                            const std::string& container, const std::string& verb,
                                            const nlohmann::json& body) {
  const auto what = rg + "/" + name + "/" + container;
  try {
    if (verb == "crash") {
      return from_result(model_.crash(rg, name, container, body.value("exitCode", 1), body.value("times", 1),
                                      body.value("always", false)),
                         what);
    }
    if (verb == "clearCrash") return from_result(model_.clear_crash(rg, name, container), what);
    if (verb == "hang") return from_result(model_.hang(rg, name, container, body.value("hung", true)), what);
    if (verb == "unhang") return from_result(model_.hang(rg, name, container, false), what);
  } catch (const nlohmann::json::exception& e) {
    return fail(400, e.what());
  }
  return fail(404, "unknown container action '" + verb + "'");
}

http::Response ControlApi::apply_action(const nlohmann::json& a) {
  if (!a.is_object() || !a.contains("action") || !a["action"].is_string()) {
    return fail(400, "expected {\"action\": \"…\", …}");
  }
  const auto action = a["action"].get<std::string>();
  const auto rg = a.value("resourceGroup", default_resource_group_);
  const auto group = a.value("group", std::string());
  const auto container = a.value("container", std::string());
  if (action == "crash" || action == "clearCrash" || action == "hang" || action == "unhang") {
    if (group.empty() || container.empty()) return fail(400, action + " needs 'group' and 'container'");
    return container_action(rg, group, container, action, a);
  }
  if (action == "stop" || action == "start" || action == "restart" || action == "delete" ||
      action == "maintenance" || action == "changeIp") {
    if (group.empty()) return fail(400, action + " needs 'group'");
    return group_action(rg, group, action, a);
  }
  if (action == "notFound" || action == "omitRestartCount" || action == "slowDelete" ||
      action == "clearGroupFaults") {
    if (group.empty()) return fail(400, action + " needs 'group'");
    static const std::vector<std::string> kActionKeys = {"action", "group", "resourceGroup"};
    if (action != "clearGroupFaults") return group_faults("POST", rg, group, action, a, kActionKeys);
    std::string kind;
    if (a.contains("fault")) {
      if (!a["fault"].is_string()) return fail(400, "clearGroupFaults: 'fault' must be a string");
      kind = a["fault"].get<std::string>();
    }
    return group_faults("DELETE", rg, group, kind, a);
  }
  if (action == "armFault") {
    auto rule_json = a;
    rule_json.erase("action");
    auto rule = FaultInjector::parse(rule_json, time_.monotonic_time());
    if (!rule.ok()) return fail(400, rule.error().message);
    faults_.add(std::move(*rule));
    return reply(200, {{"ok", true}});
  }
  if (action == "clearArmFaults") {
    faults_.clear();
    return reply(200, {{"ok", true}});
  }
  if (action == "tokenLifetime" || action == "revokeTokens") {
    nlohmann::json body = a;
    http::Request r;
    r.method = action == "revokeTokens" ? "POST" : "PUT";
    r.path = action == "revokeTokens" ? "/identity/revoke" : "/identity";
    if (a.contains("value")) body["tokenLifetime"] = a["value"];
    return identity(r, body);
  }
  if (action == "throttle") {
    http::Request r;
    r.method = "PUT";
    r.path = "/throttle";
    return throttle(r, a);
  }
  return fail(400, "unknown action '" + action + "'");
}

http::Response ControlApi::faults(const http::Request& request, const nlohmann::json& body) {
  const auto now = time_.monotonic_time();
  const auto& m = request.method;
  if (m == "GET") return reply(200, {{"rules", faults_.describe(now)}});
  if (m == "DELETE") {
    faults_.clear();
    return reply(200, {{"rules", nlohmann::json::array()}});
  }
  if (m == "POST" || m == "PUT") {
    std::vector<FaultRule> rules;
    const auto list = m == "PUT" ? body.value("rules", nlohmann::json::array()) : nlohmann::json::array({body});
    for (const auto& j : list) {
      auto rule = FaultInjector::parse(j, now);
      if (!rule.ok()) return fail(400, rule.error().message);
      rules.push_back(std::move(*rule));
    }
    if (m == "PUT") faults_.clear();
    for (auto& r : rules) faults_.add(std::move(r));
    return reply(200, {{"rules", faults_.describe(now)}});
  }
  return fail(405, "use GET, POST, PUT or DELETE");
}

http::Response ControlApi::throttle(const http::Request& request, const nlohmann::json& body) {
  const auto now = time_.monotonic_time();
  if (request.method == "PUT") {
    for (auto type : {ArmOpType::kRead, ArmOpType::kWrite, ArmOpType::kDelete}) {
      const auto* key = header_suffix(type);
      if (!body.contains(key)) continue;
      const auto& j = body[key];
      if (!j.is_object()) return fail(400, std::string(key) + " must be an object");
      auto& bucket = throttle_.bucket(type);
      BucketSettings s = bucket.settings();
      try {
        s.burst = j.value("burst", s.burst);
        s.refill_per_second = j.value("refillPerSecond", s.refill_per_second);
        std::optional<double> tokens;
        if (j.contains("tokens")) tokens = j["tokens"].get<double>();
        bucket.configure(s, tokens, now);
      } catch (const nlohmann::json::exception& e) {
        return fail(400, e.what());
      }
    }
  } else if (request.method != "GET") {
    return fail(405, "use GET or PUT");
  }
  return reply(200, throttle_.describe(now));
}

http::Response ControlApi::identity(const http::Request& request, const nlohmann::json& body) {
  if (request.path == "/identity/revoke") {
    if (request.method != "POST") return fail(405, "use POST");
    identity_.revoke_all();
    return reply(200, {{"ok", true}});
  }
  if (request.method == "PUT") {
    std::optional<core::Duration> d;
    if (body.contains("tokenLifetime")) d = json_duration(body["tokenLifetime"]);
    if (body.contains("tokenLifetimeSeconds")) d = json_duration(body["tokenLifetimeSeconds"]);
    if (!d || d->count() <= 0) return fail(400, "tokenLifetime must be a positive duration (\"30s\" or seconds)");
    identity_.set_token_lifetime(*d);
  } else if (request.method != "GET") {
    return fail(405, "use GET or PUT");
  }
  return reply(200, {{"tokenLifetimeSeconds",
                      std::chrono::duration<double>(identity_.token_lifetime()).count()}});
}

http::Response ControlApi::requests(const http::Request& request) {
  if (request.method == "DELETE") {
    log_.clear();
    return reply(200, {{"ok", true}});
  }
  if (request.method != "GET") return fail(405, "use GET or DELETE");
  RequestLogFilter f;
  f.api = request.query_param("api");
  f.operation = request.query_param("operation");
  f.method = request.query_param("method");
  f.path_contains = request.query_param("path");
  f.fault = request.query_param("fault");
  try {
    if (auto s = request.query_param("status")) f.status = std::stoi(*s);
    if (auto s = request.query_param("since")) f.since_seq = std::stoull(*s);
    if (auto s = request.query_param("limit")) f.limit = std::stoul(*s);
  } catch (...) {
    return fail(400, "status, since and limit must be numbers");
  }
  return reply(200, log_.query(f));
}

}  // namespace frankenetes::sim
