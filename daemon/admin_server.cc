#include "daemon/admin_server.h"

#include "daemon/http_clients.h"
#include "log/event.h"

namespace frankenetes::daemon {

AdminServer::AdminServer(boost::asio::io_context& io, status::Metrics& metrics,
                         std::vector<status::HealthCheck> liveness,
                         std::vector<status::HealthCheck> readiness)
    : io_(io),
      errors_(metrics),
      router_(status::AdminRouter::Endpoints{
          .liveness = std::move(liveness),
          .readiness = std::move(readiness),
          .render_metrics = [&metrics] { return metrics.render(); },
          .metrics_content_type = status::Metrics::kContentType,
      }) {}

core::Status AdminServer::start(const config::ServerConfig& server) {
  http::ServerOptions options;
  options.listen = server.listen.to_string();
  options.max_connections = static_cast<std::size_t>(server.max_connections);
  options.server_header = user_agent();
  options.on_handler_exception = [this](const std::string& method, const std::string& target,
                                        const std::string& what) {
    // The path only: a query string is the client's and may carry anything.
    log::error("internal.error", {{"component", "http_server"},
                                  {"method", method},
                                  {"path", target.substr(0, target.find('?'))},
                                  {"what", what},
                                  {"action", "answered 500"}});
    errors_.internal_error("http_server");
  };
  server_ = std::make_unique<http::HttpServer>(
      io_, options,
      http::make_sync_handler([this](const http::Request& r) { return router_.handle(r); }));
  if (auto started = server_->start(); !started.ok()) {
    log::error("http.server.failed",
               {{"listen", options.listen}, {"error", started.error().message}});
    return started;
  }
  address_ = server.listen.host + ":" + std::to_string(server_->port());
  log::info("http.server.listening",
            {{"address", "http://" + address_}, {"endpoints", "/livez /readyz /metrics"}});
  return {};
}

void AdminServer::stop() {
  if (server_) server_->stop();
}

}  // namespace frankenetes::daemon
