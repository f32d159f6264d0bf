#pragma once
// AdminServer: the daemon's admin endpoints — /livez, /readyz (each with per-check sub-paths
// and ?verbose), /metrics — served on server.listen from the controller's event loop. The
// HttpServer only moves bytes and AdminRouter (lib/status) decides each response; this joins
// the two with the checks the Process passes in, and logs and counts a handler that throws.

#include <boost/asio/io_context.hpp>

#include <memory>
#include <string>
#include <vector>

#include "config/types.h"
#include "core/result.h"
#include "http/server.h"
#include "status/admin_router.h"
#include "status/health.h"
#include "status/metrics.h"

namespace frankenetes::daemon {

class AdminServer {
 public:
  AdminServer(boost::asio::io_context& io, status::Metrics& metrics,
              std::vector<status::HealthCheck> liveness,
              std::vector<status::HealthCheck> readiness);
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // Binds `server.listen`; logs http.server.listening, or http.server.failed and returns why.
  core::Status start(const config::ServerConfig& server);
  // Lets in-flight responses finish, then io_context::run() returns by itself; io thread only.
  void stop();
  // "host:port" as bound (the port the kernel picked for port 0); after start().
  const std::string& address() const { return address_; }

 private:
  boost::asio::io_context& io_;
  status::ErrorMetrics& errors_;  // http_server
  status::AdminRouter router_;
  std::unique_ptr<http::HttpServer> server_;
  std::string address_;
};

}  // namespace frankenetes::daemon
