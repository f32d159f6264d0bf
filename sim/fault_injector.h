#pragma once
// FaultInjector: ARM/DNS/token faults set through the control API or the scenario's fault
// schedule: an error status and code with a probability, added latency, an outage window, a
// limited number of hits. Rules match an operation name ("get", "list", "put", "delete",
// "restart", "stop", "start", "logs", "operation", "dns", "cloudflare", "token", "imds",
// "files.<operation>" such as "files.putRange", or "any" for all but the files ones). The
// first matching rule decides. Pure: `now` and the random engine are arguments.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/time_source.h"
#include "sim/ids.h"

namespace frankenetes::sim {

struct FaultRule {
  std::string operation = "any";
  double error_rate = 1.0;  // probability that a matching request fails (0 = latency only)
  int status = 500;
  std::string code = "InternalServerError";
  std::string message = "Encountered internal server error. (frankenetes-sim injected fault)";
  core::Duration latency{0};
  std::optional<core::MonotonicTime> from;   // window start (inclusive)
  std::optional<core::MonotonicTime> until;  // window end (exclusive)
  int remaining = -1;                        // hits left; -1 = unlimited
  std::optional<int> retry_after_seconds;
};

struct FaultDecision {
  core::Duration delay{0};
  bool fail = false;
  int status = 0;
  std::string code;
  std::string message;
  std::optional<int> retry_after_seconds;
};

class FaultInjector {
 public:
  void add(FaultRule rule) { rules_.push_back(std::move(rule)); }
  void clear() { rules_.clear(); }
  bool empty() const { return rules_.empty(); }
  // `any_matches` = false: only rules naming `operation` apply (the File service's
  // "files.<operation>" rules, so an ARM "any" rule never breaks file transfers).
  FaultDecision decide(const std::string& operation, core::MonotonicTime now, Random& random,
                       bool any_matches = true);
  nlohmann::json describe(core::MonotonicTime now) const;

  // Control-API JSON → rule. Keys: operation, errorRate, status, code, message, latencyMs,
  // startInSeconds, durationSeconds, count, retryAfterSeconds. Times are relative to `now`.
  static core::Result<FaultRule> parse(const nlohmann::json& j, core::MonotonicTime now);

 private:
  std::vector<FaultRule> rules_;
};

}  // namespace frankenetes::sim
