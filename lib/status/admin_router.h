#pragma once
// AdminRouter: maps the daemon's HTTP endpoints to their renderers and the admin commands.
// Pure: it holds callables supplied by the daemon and answers http::Requests; the server only
// moves bytes.
//   /livez[/<check>]  /readyz[/<check>]  /metrics      GET, HEAD
//   /status (also /status.json)  JSON status            GET, HEAD (status_render.h)
//   /                            HTML status page       GET, HEAD
//   /admin/reconcile                                    POST, bearer token
//   /admin/members/{cluster}/{member}/pause|resume      POST, bearer token
// The admin API is off (404) unless a token is configured (server.adminTokenFile). Every
// /admin/ path checks the token first — 401 with WWW-Authenticate: Bearer (RFC 6750 §3) when
// it is missing or wrong, so nothing about the API is learnt without it — then the method
// (405) and the path (404). An authorized command is handed to `run_admin`, which answers when
// the daemon has done it (a pause is persisted before the 200).

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/secret.h"
#include "http/message.h"
#include "status/admin_auth.h"
#include "status/health.h"
#include "status/status_snapshot.h"

namespace frankenetes::status {

class AdminRouter {
 public:
  struct Endpoints {
    std::vector<HealthCheck> liveness;
    std::vector<HealthCheck> readiness;
    std::function<std::string()> render_metrics;
    std::string metrics_content_type;
    // The latest status snapshot (status_board.h); unset: /status and / are 404.
    std::function<std::shared_ptr<const StatusSnapshot>()> status;
    // The admin token as configured now; unset or nullopt: the admin API is off.
    std::function<std::optional<core::Secret>()> admin_token;
    // Runs an authorized command and calls `done` once, from any thread.
    std::function<void(AdminCommand, std::function<void(AdminCommandResult)> done)> run_admin;
    // A request to /admin/ was refused for its token (missing or wrong): for the log.
    std::function<void(const http::Request&, AuthOutcome)> on_auth_failure;
  };

  explicit AdminRouter(Endpoints endpoints) : endpoints_(std::move(endpoints)) {}

  // The response, or the admin command an authorized, well-formed request asks for.
  std::variant<http::Response, AdminCommand> route(const http::Request& request) const;
  // route(), then the response at once or the command's answer when run_admin gives it.
  void serve(const http::Request& request, http::Responder respond) const;

  // The JSON answer to a command: {"ok": …, "message": …} with the result's status.
  static http::Response command_response(const AdminCommandResult& result);

 private:
  std::variant<http::Response, AdminCommand> route_admin(const http::Request& request) const;

  Endpoints endpoints_;
};

}  // namespace frankenetes::status
