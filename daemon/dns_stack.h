#pragma once
// DnsStack: the process's DNS re-pointing. Azure DNS goes through the ArmStack's transport and
// credential; Cloudflare through a client of its own (trusting azure.caFile too, the
// simulator's CA) behind its own RetryingStack; RFC 2136 talks DNS directly. The providers of
// dns.providers are rebuilt when a reload changes them; the DnsSynchronizer gets
// every configuration and every pass's observations and runs on the dns worker (inline with
// --once, right after the pass's actions). Owned by the Process.

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "config/types.h"
#include "core/result.h"
#include "core/stop_signal.h"
#include "daemon/arm_stack.h"
#include "daemon/http_clients.h"
#include "dns/verifier.h"
#include "model/observation.h"
#include "reconcile/dns_sync.h"
#include "reconcile/worker.h"
#include "status/recorders.h"

namespace frankenetes::daemon {

class DnsStack {
 public:
  struct Deps {
    const HttpClients& clients;
    ArmStack& arm;
    core::TimeSource& time;
    core::StopSignal& stop_signal;
    dns::RecordQuerier& querier;  // verification
    reconcile::Worker& worker;
    status::DnsMetrics& metrics;
    status::ErrorMetrics& error_metrics;
    status::StatusRecorder& status;
  };

  using ProvidersConfig = std::map<std::string, config::DnsProviderConfig>;

  static core::Result<std::unique_ptr<DnsStack>> create(
      const std::shared_ptr<const config::Config>& config, Deps deps);
  DnsStack(const DnsStack&) = delete;
  DnsStack& operator=(const DnsStack&) = delete;

  // Rebuilds the providers when dns.providers changed; the synchronizer always gets the new
  // configuration (members may have changed). Any thread.
  void configure(const std::shared_ptr<const config::Config>& config);
  void observe(const model::Observations& observed);
  void stop();

 private:
  explicit DnsStack(Deps deps) : deps_(deps) {}
  core::Status build(const std::shared_ptr<const config::Config>& config);
  reconcile::DnsProviders make_providers(const config::Config& config) const;

  Deps deps_;
  std::shared_ptr<http::HttpTransport> cloudflare_client_;
  std::unique_ptr<RetryingStack> cloudflare_;
  std::unique_ptr<reconcile::DnsSynchronizer> sync_;
  bool built_ = false;
  std::optional<ProvidersConfig> dns_config_;  // dns.providers as providers_ were built from
  reconcile::DnsProviders providers_;
};

}  // namespace frankenetes::daemon
