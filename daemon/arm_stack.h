#pragma once
// ArmStack: the process's Azure Resource Manager client and everything under it, built once
// from azure.* when the process starts (a reload that changes azure.* needs a restart; the
// Process warns):
//   AciClient -> ReauthorizingTransport (one retry with a new token after a 401)
//             -> StopAwareTransport -> RetryingStack (ARM's own budget, and a throttle gate
//                                      per subscription: azure::arm_throttle_key)
//             -> ObservingTransport (arm_requests_total, latency, ThrottleTracker) -> client
//   credential: make_credential (cached) over its own ObservingTransport (token_requests_total)
//   on the same client.
// Azure DNS borrows transport() and credential() (DnsStack). Owned by the Process.

#include <memory>

#include "azure/aci_client.h"
#include "azure/credential_command_runner.h"
#include "azure/credential_reauthorizing_transport.h"
#include "azure/throttle_tracker.h"
#include "azure/token_credential.h"
#include "config/env.h"
#include "config/types.h"
#include "core/result.h"
#include "core/stop_signal.h"
#include "daemon/http_clients.h"
#include "http/observing_transport.h"
#include "http/stop_aware_transport.h"
#include "status/recorders.h"

namespace frankenetes::daemon {

class ArmStack {
 public:
  struct Deps {
    const HttpClients& clients;
    core::TimeSource& time;
    core::StopSignal& stop_signal;  // ends waits and refuses new requests on SIGTERM
    status::ArmMetrics& metrics;
    const config::EnvLookup& environment;  // AZURE_* for the credential
  };

  // kInvalidConfig when azure.caFile or the credential settings cannot be used.
  static core::Result<std::unique_ptr<ArmStack>> create(const config::Config& config, Deps deps);
  ArmStack(const ArmStack&) = delete;
  ArmStack& operator=(const ArmStack&) = delete;

  azure::AciClient& aci() { return *aci_; }
  // The authorized ARM transport and the credential behind it (Azure DNS shares both).
  http::HttpTransport& transport() { return *reauthorizing_; }
  azure::TokenCredential& credential() { return *credential_; }
  const azure::ThrottleTracker& tracker() const { return tracker_; }
  // For /status: per subscription (azure.subscriptionId and every one ARM answered for) the
  // remaining-request headers last seen and a 429's Retry-After still running. Any thread.
  status::ArmStatus budget() const;
  // The azure section the stack was built from (the running one, whatever a reload says).
  const config::AzureConfig& azure() const { return azure_; }

 private:
  ArmStack(const config::AzureConfig& azure, Deps deps) : azure_(azure), tracker_(deps.time) {}
  core::Status build(const config::Config& config, Deps deps);

  const config::AzureConfig azure_;
  azure::ThrottleTracker tracker_;
  azure::ProcessCommandRunner runner_;  // `az account get-access-token`
  std::shared_ptr<http::HttpTransport> client_;
  std::unique_ptr<http::ObservingTransport> observing_;
  std::unique_ptr<RetryingStack> retrying_;
  std::unique_ptr<http::StopAwareTransport> stop_aware_;
  std::unique_ptr<http::ObservingTransport> token_transport_;
  std::unique_ptr<azure::TokenCredential> credential_;
  std::unique_ptr<azure::ReauthorizingTransport> reauthorizing_;
  std::unique_ptr<azure::AciClient> aci_;
};

}  // namespace frankenetes::daemon
