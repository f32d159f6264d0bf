#include "status/admin_router.h"

namespace frankenetes::status {
namespace {

bool is_endpoint(const std::string& path, std::string_view name) {
  const std::string base = "/" + std::string(name);
  return path == base || path.rfind(base + "/", 0) == 0;
}

}  // namespace

http::Response AdminRouter::handle(const http::Request& request) const {
  const auto& path = request.path;
  const bool known = is_endpoint(path, "livez") || is_endpoint(path, "readyz") || path == "/metrics";
  if (!known) return http::Response::text(404, "not found: " + path + "\n");
  if (request.method != "GET" && request.method != "HEAD") {
    auto response = http::Response::text(405, "method not allowed: " + request.method + "\n");
    response.headers["Allow"] = "GET, HEAD";
    return response;
  }

  http::Response response;
  if (is_endpoint(path, "livez")) {
    response = render_health("livez", endpoints_.liveness, request);
  } else if (is_endpoint(path, "readyz")) {
    response = render_health("readyz", endpoints_.readiness, request);
  } else {
    response.status = 200;
    response.body = endpoints_.render_metrics();
    response.headers["Content-Type"] = endpoints_.metrics_content_type;
  }
  // Health answers must never be served from a cache.
  response.headers["Cache-Control"] = "no-store";
  if (request.method == "HEAD") response.body.clear();
  return response;
}

}  // namespace frankenetes::status
