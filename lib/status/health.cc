#include "status/health.h"

#include <algorithm>

namespace frankenetes::status {
namespace {

bool excluded(const http::Request& request, const std::string& name) {
  return std::any_of(request.query.begin(), request.query.end(), [&](const auto& kv) {
    return kv.first == "exclude" && kv.second == name;
  });
}

}  // namespace

http::Response render_health(std::string_view endpoint, const std::vector<HealthCheck>& checks,
                             const http::Request& request) {
  const std::string base = "/" + std::string(endpoint);
  const std::string_view rest = std::string_view(request.path).substr(base.size());

  if (!rest.empty() && rest != "/") {
    // Per-check sub-path: /readyz/<name>.
    const auto name = std::string(rest.substr(1));
    for (const auto& c : checks) {
      if (c.name != name) continue;
      const auto result = c.check();
      if (result.ok) return http::Response::text(200, "ok\n");
      return http::Response::text(503, "[-]" + name + " failed: " + result.reason + "\n");
    }
    return http::Response::text(404, "no such " + std::string(endpoint) + " check: " + name + "\n");
  }

  const bool verbose = request.query_param("verbose").has_value();
  std::string details;
  bool all_ok = true;
  for (const auto& c : checks) {
    if (excluded(request, c.name)) {
      details += "[+]" + c.name + " excluded: ok\n";
      continue;
    }
    const auto result = c.check();
    if (result.ok) {
      // A passing check may still say something worth seeing (an operation in progress).
      details += "[+]" + c.name + " ok" + (result.reason.empty() ? "" : ": " + result.reason) + "\n";
    } else {
      all_ok = false;
      details += "[-]" + c.name + " failed: " + result.reason + "\n";
    }
  }
  if (all_ok) {
    if (!verbose) return http::Response::text(200, "ok\n");
    return http::Response::text(200, details + std::string(endpoint) + " check passed\n");
  }
  // A failing probe always explains itself, verbose or not: the on-call person reading
  // `curl /readyz` at 3 a.m. should not need to know about ?verbose.
  return http::Response::text(503, details + std::string(endpoint) + " check failed\n");
}

}  // namespace frankenetes::status
