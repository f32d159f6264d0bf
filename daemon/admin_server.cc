#include "daemon/admin_server.h"

#include "core/small_file.h"
#include "daemon/http_clients.h"
#include "dns/secret_loader.h"
#include "log/event.h"

namespace frankenetes::daemon {
namespace {

// A certificate chain of a few intermediates is a few KiB; anything near this is the wrong file.
constexpr std::size_t kMaxCertificateFileBytes = std::size_t{1024} * 1024;

bool usable_token(const std::string& token) {
  if (token.size() < kMinAdminTokenLength) return false;
  for (const char c : token) {
    if (c <= ' ' || c > '~') return false;
  }
  return true;
}

}  // namespace

AdminCredentials load_admin_credentials(const config::ServerConfig& server,
                                        const std::string& config_file, bool read_tls) {
  AdminCredentials out;
  auto problem = [&](std::string key, std::string message) {
    out.problems.push_back({config_file, 0, 0, std::move(key), std::move(message)});
  };
  if (server.admin_token) {
    const std::string key = server.admin_token->file ? "server.adminTokenFile" : "server.adminToken";
    auto token = dns::load_secret(*server.admin_token, "admin token");
    if (!token.ok()) {
      problem(key, token.error().message);
    } else if (!usable_token(token->reveal())) {
      problem(key, "the admin token must be at least " + std::to_string(kMinAdminTokenLength) +
                       " visible ASCII characters, without spaces");
    } else {
      out.token = std::move(token).value();
    }
  }
  if (read_tls && server.tls) {
    auto chain = core::read_small_file(server.tls->cert_file, kMaxCertificateFileBytes,
                                       "TLS certificate file");
    if (!chain.ok()) problem("server.tls.certFile", chain.error().message);
    auto key = core::read_small_file(server.tls->key_file, core::kMaxSecretFileBytes,
                                     "TLS private key file");
    if (!key.ok()) problem("server.tls.keyFile", key.error().message);
    if (chain.ok() && key.ok()) {
      out.tls = http::TlsServerCredentials{std::move(chain).value(), std::move(key).value()};
    }
  }
  return out;
}

AdminServer::AdminServer(boost::asio::io_context& io, status::Metrics& metrics,
                         std::vector<status::HealthCheck> liveness,
                         std::vector<status::HealthCheck> readiness, status::StatusBoard& board,
                         RunCommand run_command)
    : io_(io),
      errors_(metrics),
      board_(board),
      router_(status::AdminRouter::Endpoints{
          .liveness = std::move(liveness),
          .readiness = std::move(readiness),
          .render_metrics = [&metrics] { return metrics.render(); },
          .metrics_content_type = status::Metrics::kContentType,
          .status = [&board] { return board.snapshot(); },
          .admin_token = [this] { return admin_token(); },
          .run_admin = std::move(run_command),
          .on_auth_failure =
              [](const http::Request& request, status::AuthOutcome why) {
                // Neither the header nor the presented token: only who and where.
                log::warn("admin.auth.failed",
                          {{"remote", request.remote_address},
                           {"method", request.method},
                           {"path", request.path},
                           {"reason", why == status::AuthOutcome::kMissing ? "no bearer token"
                                                                           : "wrong token"}});
              },
      }) {}

std::optional<core::Secret> AdminServer::admin_token() const {
  std::lock_guard lock(token_mutex_);
  return token_;
}

void AdminServer::set_admin_token(std::optional<core::Secret> token) {
  const bool enabled = token.has_value();
  {
    std::lock_guard lock(token_mutex_);
    token_ = std::move(token);
  }
  board_.set_admin_enabled(enabled);
}

core::Status AdminServer::start(const config::ServerConfig& server,
                                const AdminCredentials& credentials) {
  http::ServerOptions options;
  options.listen = server.listen.to_string();
  options.max_connections = static_cast<std::size_t>(server.max_connections);
  // Health checks are answered even when every connection slot is busy.
  options.priority_paths = {"/livez", "/readyz"};
  options.server_header = user_agent();
  options.tls = credentials.tls;
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
  set_admin_token(credentials.token);
  server_ = std::make_unique<http::HttpServer>(
      io_, options, [this](http::Request request, http::Responder respond) {
        router_.serve(request, std::move(respond));
      });
  if (auto started = server_->start(); !started.ok()) {
    log::error("http.server.failed",
               {{"listen", options.listen}, {"error", started.error().message}});
    return started;
  }
  address_ = server.listen.host + ":" + std::to_string(server_->port());
  log::info("http.server.listening",
            {{"address", std::string(options.tls ? "https://" : "http://") + address_},
             {"endpoints", "/livez /readyz /metrics /status /"},
             {"admin_api", credentials.token ? "on" : "off"}});
  return {};
}

void AdminServer::stop() {
  if (server_) server_->stop();
}

}  // namespace frankenetes::daemon
