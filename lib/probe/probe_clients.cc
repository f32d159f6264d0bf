#include "probe/probe_clients.h"

#include <cctype>
#include <string_view>

namespace frankenetes::probe {
namespace {

std::string member_path(std::size_t cluster, std::size_t member) {
  return "clusters[" + std::to_string(cluster) + "].members[" + std::to_string(member) + "]";
}

// Schemes are case-insensitive (RFC 3986 §3.1).
bool is_plain_http(std::string_view url) {
  constexpr std::string_view kPrefix = "http://";
  if (url.size() < kPrefix.size()) return false;
  for (std::size_t i = 0; i < kPrefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(url[i])) != kPrefix[i]) return false;
  }
  return true;
}

}  // namespace

ProbeTls probe_tls_of(const config::ProbeConfig& probe) {
  if (probe.insecure_skip_verify) return ProbeTls{"", true};
  return ProbeTls{probe.ca_file.value_or(""), false};
}

http::HttpTransport* ProbeClients::find(const ProbeTls& tls) const {
  const auto it = transports_.find(tls);
  return it == transports_.end() ? nullptr : it->second.get();
}

http::AsyncTransport* ProbeClients::find_async(const ProbeTls& tls) const {
  const auto it = async_.find(tls);
  return it == async_.end() ? nullptr : it->second.get();
}

ProbeClientsBuild build_probe_clients(const config::Config& config, const std::string& config_file,
                                      const http::HttpClientOptions& base) {
  return build_probe_clients(
      config, config_file, base,
      [](const http::HttpClientOptions& options)
          -> core::Result<std::shared_ptr<http::HttpTransport>> {
        auto client = http::HttpClient::create(options);
        if (!client) return client.error();
        return std::shared_ptr<http::HttpTransport>(std::move(*client));
      });
}

ProbeClientsBuild build_probe_clients(const config::Config& config, const std::string& config_file,
                                      const http::HttpClientOptions& base,
                                      const MakeProbeClient& make) {
  return build_probe_clients(config, config_file, base, make, nullptr);
}

ProbeClientsBuild build_probe_clients(const config::Config& config, const std::string& config_file,
                                      const http::HttpClientOptions& base,
                                      const MakeProbeClient& make,
                                      const MakeAsyncProbeClient& make_async) {
  ProbeClients::Transports transports;
  ProbeClients::AsyncTransports async;
  // Settings whose client could not be built, with the reason, so that every member using
  // them is reported (each at its own key path) while the file is opened once.
  std::map<ProbeTls, std::string> failed;
  ProbeClientsBuild build;
  for (std::size_t c = 0; c < config.clusters.size(); ++c) {
    const auto& members = config.clusters[c].members;
    for (std::size_t m = 0; m < members.size(); ++m) {
      if (!members[m].probe) continue;
      const ProbeTls tls = probe_tls_of(*members[m].probe);
      if (!transports.contains(tls) && !failed.contains(tls)) {
        http::HttpClientOptions options = base;
        options.ca_file = tls.ca_file;
        options.insecure_skip_verify = tls.insecure_skip_verify;
        auto client = make(options);
        if (client && make_async) {
          auto async_client = make_async(options);
          if (async_client) {
            async.emplace(tls, std::move(*async_client));
          } else {
            client = async_client.error();
          }
        }
        if (client) {
          transports.emplace(tls, std::move(*client));
        } else {
          failed.emplace(tls, client.error().message);
        }
      }
      if (const auto it = failed.find(tls); it != failed.end()) {
        build.problems.push_back(
            {config_file, 0, 0, member_path(c, m) + ".probe.caFile", it->second});
      }
    }
  }
  if (build.problems.empty()) {
    build.clients = std::make_shared<const ProbeClients>(std::move(transports), std::move(async));
  }
  return build;
}

std::vector<ProbeTlsWarning> probe_tls_warnings(const config::Config& config) {
  std::vector<ProbeTlsWarning> warnings;
  for (const auto& cluster : config.clusters) {
    for (const auto& member : cluster.members) {
      if (!member.probe) continue;
      const auto& probe = *member.probe;
      const auto warn = [&](ProbeTlsWarning::Kind kind, std::string key) {
        warnings.push_back({kind, cluster.name, member.name, probe.url, std::move(key), ""});
        return &warnings.back();
      };
      if (is_plain_http(probe.url)) {
        if (probe.ca_file) warn(ProbeTlsWarning::Kind::kUnused, "probe.caFile");
        if (probe.insecure_skip_verify) {
          warn(ProbeTlsWarning::Kind::kUnused, "probe.insecureSkipVerify");
        }
        continue;
      }
      if (probe.insecure_skip_verify) {
        warn(ProbeTlsWarning::Kind::kInsecure, "probe.insecureSkipVerify")->ignored_ca_file =
            probe.ca_file.value_or("");
      }
    }
  }
  return warnings;
}

}  // namespace frankenetes::probe
