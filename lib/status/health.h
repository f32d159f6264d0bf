#pragma once
// Named, aggregated health checks behind /livez and /readyz, after Kubernetes' healthz
// (controller-runtime pkg/healthz, k8s.io/apiserver/pkg/server/healthz):
//   GET /readyz            200 "ok" or 503 listing the failed checks
//   GET /readyz?verbose    every check as "[+]name ok" / "[-]name failed: reason"
//   GET /readyz?exclude=a  skip check "a" (repeatable)
//   GET /readyz/<name>     one check; 404 for an unknown name
// Pure: the checks are callables supplied by whoever owns the state; rendering is a function.

#include <functional>
#include <string>
#include <vector>

#include "http/message.h"

namespace frankenetes::status {

struct CheckResult {
  bool ok = true;
  // Why it failed; shown in the verbose output and the log. On a passing check, an optional
  // note for the verbose output ("[+]operations ok: recreate of prod/etcd in progress").
  std::string reason;

  static CheckResult pass(std::string note = {}) { return {true, std::move(note)}; }
  static CheckResult fail(std::string why) { return {false, std::move(why)}; }
};

struct HealthCheck {
  std::string name;
  std::function<CheckResult()> check;
};

// Renders the response for `/<endpoint>` or `/<endpoint>/<check>`; `endpoint` is "livez" or
// "readyz". `request.path` must start with "/<endpoint>".
http::Response render_health(std::string_view endpoint, const std::vector<HealthCheck>& checks,
                             const http::Request& request);

}  // namespace frankenetes::status
