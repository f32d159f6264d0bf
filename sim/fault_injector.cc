#include "sim/fault_injector.h"

namespace frankenetes::sim {

FaultDecision FaultInjector::decide(const std::string& operation, core::MonotonicTime now,
                                    Random& random, bool any_matches) {
  FaultDecision d;
  for (auto it = rules_.begin(); it != rules_.end(); ++it) {
    auto& r = *it;
    if (r.operation != operation && (r.operation != "any" || !any_matches)) continue;
    if (r.from && now < *r.from) continue;
    if (r.until && now >= *r.until) continue;
    if (r.remaining == 0) continue;
    d.delay = r.latency;
    const bool fail = r.error_rate >= 1.0 ||
                      (r.error_rate > 0 &&
                       std::uniform_real_distribution<double>(0, 1)(random) < r.error_rate);
    if (fail) {
      d.fail = true;
      d.status = r.status;
      d.code = r.code;
      d.message = r.message;
      d.retry_after_seconds = r.retry_after_seconds;
      if (r.remaining > 0) --r.remaining;
    }
    return d;
  }
  return d;
}

nlohmann::json FaultInjector::describe(core::MonotonicTime now) const {
  auto out = nlohmann::json::array();
  for (const auto& r : rules_) {
    nlohmann::json j = {{"operation", r.operation},  {"errorRate", r.error_rate},
                        {"status", r.status},        {"code", r.code},
                        {"message", r.message},      {"latencyMs", r.latency.count()},
                        {"count", r.remaining}};
    if (r.from) j["startsInSeconds"] = std::chrono::duration<double>(*r.from - now).count();
    if (r.until) j["endsInSeconds"] = std::chrono::duration<double>(*r.until - now).count();
    if (r.retry_after_seconds) j["retryAfterSeconds"] = *r.retry_after_seconds;
    out.push_back(j);
  }
  return out;
}

core::Result<FaultRule> FaultInjector::parse(const nlohmann::json& j, core::MonotonicTime now) {
  const auto bad = [](const std::string& why) {
    return core::make_error(core::ErrorKind::kInvalidConfig, "fault rule: " + why, 400);
  };
  if (!j.is_object()) return bad("expected an object");
  static const char* kKnown[] = {"operation", "errorRate", "status", "code", "message",
                                 "latencyMs", "startInSeconds", "durationSeconds", "count",
                                 "retryAfterSeconds"};
  for (const auto& [key, value] : j.items()) {
    (void)value;
    bool known = false;
    for (const char* k : kKnown) known = known || key == k;
    if (!known) return bad("unknown key '" + key + "'");
  }
  FaultRule r;
  try {
    r.operation = j.value("operation", std::string("any"));
    r.error_rate = j.value("errorRate", j.contains("latencyMs") && !j.contains("status") ? 0.0 : 1.0);
    r.status = j.value("status", 500);
    r.code = j.value("code", r.status == 429 ? std::string("TooManyRequests")
                              : r.status == 503 ? std::string("ServiceUnavailable")
                              : r.status == 409 ? std::string("Conflict")
                              : std::string("InternalServerError"));
    r.message = j.value("message", r.message);
    r.latency = core::Duration(j.value("latencyMs", 0));
    const double start_in = j.value("startInSeconds", 0.0);
    r.from = now + std::chrono::duration_cast<core::Duration>(std::chrono::duration<double>(start_in));
    if (j.contains("durationSeconds")) {
      r.until = *r.from + std::chrono::duration_cast<core::Duration>(
                              std::chrono::duration<double>(j["durationSeconds"].get<double>()));
    }
    r.remaining = j.value("count", -1);
    if (j.contains("retryAfterSeconds")) r.retry_after_seconds = j["retryAfterSeconds"].get<int>();
  } catch (const nlohmann::json::exception& e) {
    return bad(e.what());
  }
  if (r.error_rate < 0 || r.error_rate > 1) return bad("errorRate must be within [0, 1]");
  if (r.status < 100 || r.status > 599) return bad("status must be an HTTP status");
  return r;
}

}  // namespace frankenetes::sim
