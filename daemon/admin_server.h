#pragma once
// AdminServer: the daemon's HTTP endpoints — /livez, /readyz (each with per-check sub-paths
// and ?verbose), /metrics, /status and the status page /, and the admin API when
// server.adminTokenFile is set — served on server.listen from the controller's event loop,
// over TLS when server.tls is set. The HttpServer only moves bytes and AdminRouter
// (lib/status) decides each response; this joins the two with the checks, the status board and
// the commands the Process passes in, and logs a handler that throws and a refused token.
//
// load_admin_credentials() reads the token (at start and on every reload) and the TLS files
// (at start): problems name the configuration file and key, never the token.

#include <boost/asio/io_context.hpp>

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "config/problem.h"
#include "config/types.h"
#include "core/result.h"
#include "core/secret.h"
#include "http/server.h"
#include "status/admin_router.h"
#include "status/health.h"
#include "status/metrics.h"
#include "status/status_board.h"

namespace frankenetes::daemon {

// What server.* asks to be read from files.
struct AdminCredentials {
  std::optional<core::Secret> token;               // adminToken(File); nullopt: API off
  std::optional<http::TlsServerCredentials> tls;  // server.tls
  std::vector<config::ConfigProblem> problems;     // of `config_file`
};
// The token is at least kMinAdminTokenLength visible ASCII characters without spaces (what an
// Authorization header carries unchanged). `read_tls`: also server.tls's files (start only).
inline constexpr std::size_t kMinAdminTokenLength = 16;
AdminCredentials load_admin_credentials(const config::ServerConfig& server,
                                        const std::string& config_file, bool read_tls);

class AdminServer {
 public:
  using RunCommand =
      std::function<void(status::AdminCommand, std::function<void(status::AdminCommandResult)>)>;

  AdminServer(boost::asio::io_context& io, status::Metrics& metrics,
              std::vector<status::HealthCheck> liveness,
              std::vector<status::HealthCheck> readiness, status::StatusBoard& board,
              RunCommand run_command);
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // Binds `server.listen` (HTTPS with `credentials.tls`); logs http.server.listening, or
  // http.server.failed and returns why.
  core::Status start(const config::ServerConfig& server, const AdminCredentials& credentials);
  // A reload: the admin token as configured now (nullopt turns the API off). Any thread.
  void set_admin_token(std::optional<core::Secret> token);
  // Lets in-flight responses finish, then io_context::run() returns by itself; io thread only.
  void stop();
  // "host:port" as bound (the port the kernel picked for port 0); after start().
  const std::string& address() const { return address_; }

 private:
  std::optional<core::Secret> admin_token() const;

  boost::asio::io_context& io_;
  status::ErrorMetrics& errors_;  // http_server
  status::StatusBoard& board_;
  mutable std::mutex token_mutex_;
  std::optional<core::Secret> token_;
  status::AdminRouter router_;
  std::unique_ptr<http::HttpServer> server_;
  std::string address_;
};

}  // namespace frankenetes::daemon
