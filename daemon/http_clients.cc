#include "daemon/http_clients.h"

#include "build_info.h"
#include "http/async_client.h"

namespace frankenetes::daemon {

std::string user_agent() { return std::string("frankenetesd/") + build::kVersion; }

HttpClients::HttpClients()
    : make_([](const http::HttpClientOptions& options)
                -> core::Result<std::shared_ptr<http::HttpTransport>> {
        auto client = http::HttpClient::create(options);
        if (!client) return client.error();
        return std::shared_ptr<http::HttpTransport>(std::move(*client));
      }),
      real_(true) {}

core::Result<std::shared_ptr<http::HttpClient>> HttpClients::etcd_client(
    const probe::ProbeTls& tls) const {
  if (!real_) {
    return core::make_error(core::ErrorKind::kTerminal, "no etcd client in this test setup");
  }
  auto options = base_options();
  options.ca_file = tls.ca_file;
  options.insecure_skip_verify = tls.insecure_skip_verify;
  auto client = http::HttpClient::create(options);
  if (!client) return client.error();
  return std::shared_ptr<http::HttpClient>(std::move(*client));
}

void HttpClients::set_replica_id(const std::string& id) {
  user_agent_ = daemon::user_agent() + (id.empty() ? "" : " replica/" + id);
}

http::HttpClientOptions HttpClients::base_options() const {
  http::HttpClientOptions options;
  options.user_agent = user_agent_;
  return options;
}

core::Result<std::shared_ptr<http::HttpTransport>> HttpClients::make(
    const std::optional<std::string>& ca_file) const {
  auto options = base_options();
  if (ca_file) options.ca_file = *ca_file;
  return make_(options);
}

probe::ProbeClientsBuild HttpClients::probe_clients(const config::Config& config,
                                                    const std::string& config_file,
                                                    bool asynchronous) const {
  auto probe_options = base_options();
  // A health answer is a few bytes. The asynchronous client has no bound on probes in flight,
  // so members that answer with endless bodies must not each cost megabytes.
  probe_options.max_response_body_bytes = kProbeMaxResponseBodyBytes;
  if (!real_ || !asynchronous) {
    return probe::build_probe_clients(config, config_file, probe_options, make_);
  }
  // Members usually have an address each, so one idle connection per host would do; but
  // probes that share a host (a proxy, a load balancer, the simulator's health endpoint) all
  // start in the same batch window, and a pool smaller than the batch closes and opens the
  // difference again every period.
  probe_options.max_idle_per_host = kProbeMaxIdlePerHost;
  return probe::build_probe_clients(
      config, config_file, probe_options, make_,
      [](const http::HttpClientOptions& options)
          -> core::Result<std::shared_ptr<http::AsyncTransport>> {
        auto client = http::AsyncHttpClient::create(options);
        if (!client) return client.error();
        return std::shared_ptr<http::AsyncTransport>(std::move(*client));
      });
}

}  // namespace frankenetes::daemon
