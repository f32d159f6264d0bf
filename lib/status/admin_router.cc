#include "status/admin_router.h"

#include <nlohmann/json.hpp>

#include "status/status_render.h"

namespace frankenetes::status {
namespace {

bool is_endpoint(const std::string& path, std::string_view name) {
  const std::string base = "/" + std::string(name);
  return path == base || path.rfind(base + "/", 0) == 0;
}

bool is_status_page(const std::string& path) {
  return path == "/" || path == "/status" || path == "/status.json";
}

http::Response json_message(int status, bool ok, const std::string& message) {
  const nlohmann::json body{{"ok", ok}, {"message", message}};
  return http::Response::json(status, body.dump(-1, ' ', false,
                                                nlohmann::json::error_handler_t::replace) +
                                          "\n");
}

std::vector<std::string> segments(const std::string& path) {
  std::vector<std::string> out;
  std::size_t start = 1;  // past the leading '/'
  while (start <= path.size()) {
    const auto end = path.find('/', start);
    out.push_back(path.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

}  // namespace

http::Response AdminRouter::command_response(const AdminCommandResult& result) {
  return json_message(result.status, result.status < 400, result.message);
}

std::variant<http::Response, AdminCommand> AdminRouter::route(const http::Request& request) const {
  const auto& path = request.path;
  if (is_endpoint(path, "admin")) return route_admin(request);
  const bool status_page = is_status_page(path) && endpoints_.status;
  const bool known = is_endpoint(path, "livez") || is_endpoint(path, "readyz") ||
                     path == "/metrics" || status_page;
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
  } else if (status_page) {
    const auto snapshot = endpoints_.status();
    response.status = 200;
    if (path == "/") {
      response.body = render_status_html(*snapshot);
      response.headers["Content-Type"] = kStatusHtmlContentType;
    } else {
      response.body = render_status_json(*snapshot);
      response.headers["Content-Type"] = kStatusJsonContentType;
    }
  } else {
    response.status = 200;
    response.body = endpoints_.render_metrics();
    response.headers["Content-Type"] = endpoints_.metrics_content_type;
  }
  // Health and status answers must never be served from a cache.
  response.headers["Cache-Control"] = "no-store";
  if (request.method == "HEAD") response.body.clear();
  return response;
}

std::variant<http::Response, AdminCommand> AdminRouter::route_admin(
    const http::Request& request) const {
  const auto token = endpoints_.admin_token ? endpoints_.admin_token() : std::nullopt;
  if (!token || !endpoints_.run_admin) {
    return json_message(404, false, "the admin API is off (server.adminTokenFile is not set)");
  }
  if (const auto auth = check_bearer(request, *token); auth != AuthOutcome::kAuthorized) {
    if (endpoints_.on_auth_failure) endpoints_.on_auth_failure(request, auth);
    auto response = json_message(401, false,
                                 auth == AuthOutcome::kMissing
                                     ? "this needs Authorization: Bearer <admin token>"
                                     : "the admin token is not valid");
    // RFC 6750 §3: the challenge, and error="invalid_token" when a token was presented.
    response.headers["WWW-Authenticate"] =
        auth == AuthOutcome::kMissing ? R"(Bearer realm="frankenetesd")"
                                      : R"(Bearer realm="frankenetesd", error="invalid_token")";
    return response;
  }
  if (request.method != "POST") {
    auto response = json_message(405, false, "method not allowed: " + request.method);
    response.headers["Allow"] = "POST";
    return response;
  }
  AdminCommand command;
  command.remote = request.remote_address;
  const auto parts = segments(request.path);
  if (parts.size() == 2 && parts[1] == "reconcile") {
    command.kind = AdminCommand::Kind::kReconcile;
    return command;
  }
  if (parts.size() == 5 && parts[1] == "members" && !parts[2].empty() && !parts[3].empty() &&
      (parts[4] == "pause" || parts[4] == "resume")) {
    command.kind = parts[4] == "pause" ? AdminCommand::Kind::kPause : AdminCommand::Kind::kResume;
    command.cluster = parts[2];
    command.member = parts[3];
    return command;
  }
  return json_message(404, false, "not found: " + request.path);
}

void AdminRouter::serve(const http::Request& request, http::Responder respond) const {
  auto routed = route(request);
  if (auto* response = std::get_if<http::Response>(&routed)) {
    respond(std::move(*response));
    return;
  }
  endpoints_.run_admin(std::get<AdminCommand>(std::move(routed)),
                       [respond = std::move(respond)](AdminCommandResult result) {
                         auto response = command_response(result);
                         response.headers["Cache-Control"] = "no-store";
                         respond(std::move(response));
                       });
}

}  // namespace frankenetes::status
