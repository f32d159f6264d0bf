#pragma once
// DnsStack: the process's DNS re-pointing. Azure DNS goes through the ArmStack's transport and
// credential; Cloudflare through a client of its own (trusting azure.caFile too, the
// simulator's CA) behind its own RetryingStack; RFC 2136 talks DNS directly. The providers of
// dns.providers are rebuilt when a reload changes them; the DnsSynchronizer gets
// every configuration and every pass's observations and runs on the dns worker (inline with
// --once, right after the pass's actions). Owned by the Process.
// With coordination, every provider's apply() first asks the ActGate for the cluster whose
// member owns each record (the member's dns.name, or its _frankenetes. registry record): a
// cluster whose lease is not ours fails the write with lease_lost, nothing sent.

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "config/types.h"
#include "core/result.h"
#include "core/stop_signal.h"
#include "daemon/arm_stack.h"
#include "daemon/http_clients.h"
#include "dns/verifier.h"
#include "model/observation.h"
#include "reconcile/act_gate.h"
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
    reconcile::ActGate may_act = {};  // empty: every cluster (no coordination)
  };

  using ProvidersConfig = std::map<std::string, config::DnsProviderConfig>;

  static core::Result<std::unique_ptr<DnsStack>> create(
      const std::shared_ptr<const config::Config>& config, Deps deps);
  DnsStack(const DnsStack&) = delete;
  DnsStack& operator=(const DnsStack&) = delete;

  // Rebuilds the providers when dns.providers changed; the synchronizer always gets the new
  // configuration (members may have changed). Any thread.
  void configure(const std::shared_ptr<const config::Config>& config);
  void observe(std::shared_ptr<const model::Observations> observed);
  void stop();

 private:
  explicit DnsStack(Deps deps) : deps_(deps) {}
  core::Status build(const std::shared_ptr<const config::Config>& config);
  reconcile::DnsProviders make_providers(const config::Config& config) const;

 public:
  // Which cluster a record name belongs to, from the running configuration; any thread.
  class RecordOwners {
   public:
    void configure(const config::Config& config);
    std::optional<std::string> cluster_of(const std::string& fqdn) const;

   private:
    mutable std::mutex mutex_;
    std::map<std::string, std::string> clusters_;  // lowercase dns.name -> cluster
  };

 private:
  Deps deps_;
  std::shared_ptr<http::HttpTransport> cloudflare_client_;
  std::unique_ptr<RetryingStack> cloudflare_;
  std::unique_ptr<reconcile::DnsSynchronizer> sync_;
  bool built_ = false;
  std::optional<ProvidersConfig> dns_config_;  // dns.providers as providers_ were built from
  reconcile::DnsProviders providers_;
  std::shared_ptr<RecordOwners> owners_ = std::make_shared<RecordOwners>();
};

}  // namespace frankenetes::daemon
