#include "daemon/arm_stack.h"

#include <string>

#include "azure/arm_paths.h"
#include "azure/credential_factory.h"
#include "build_info.h"
#include "log/event.h"

namespace frankenetes::daemon {

core::Result<std::unique_ptr<ArmStack>> ArmStack::create(const config::Config& config, Deps deps) {
  auto stack = std::unique_ptr<ArmStack>(new ArmStack(config.azure, deps));
  if (auto built = stack->build(config, deps); !built.ok()) return built.error();
  return stack;
}

core::Status ArmStack::build(const config::Config& config, Deps deps) {
  auto client = deps.clients.make(azure_.ca_file);
  if (!client.ok()) return client.error();
  client_ = std::move(client.value());

  auto& metrics = deps.metrics;
  observing_ = std::make_unique<http::ObservingTransport>(
      *client_, deps.time,
      [this, &metrics](const http::RequestRecord& record) {
        metrics.request_finished(record.operation, record.code(), record.duration);
        if (const auto reads = tracker_.min_remaining_reads()) metrics.remaining_reads(*reads);
      },
      &tracker_);
  retrying_ = std::make_unique<RetryingStack>(*observing_, deps.time, deps.stop_signal,
                                              azure::arm_throttle_key);
  stop_aware_ =
      std::make_unique<http::StopAwareTransport>(retrying_->transport(), deps.stop_signal);

  const std::string method(config::to_string(azure_.auth.method));
  token_transport_ = std::make_unique<http::ObservingTransport>(
      *client_, deps.time, [&metrics, method](const http::RequestRecord& record) {
        const bool ok = !record.error_kind && record.status >= 200 && record.status < 300;
        metrics.token_requested(method, ok);
      });
  azure::CredentialOptions credential_options;
  credential_options.on_refresh_error = [](const std::string& credential,
                                           const core::Error& error) {
    log::warn("azure.token.refresh_failed",
              {{"credential", credential}, {"error", error.describe()}});
  };
  auto credential = azure::make_credential(azure_, *token_transport_, deps.environment, runner_,
                                           deps.time, credential_options);
  if (!credential.ok()) return credential.error();
  credential_ = std::move(credential.value());
  // ARM and Azure DNS share the token scope, the credential and this retry after a 401.
  reauthorizing_ = std::make_unique<azure::ReauthorizingTransport>(*stop_aware_, *credential_,
                                                                   azure_.cloud.scope);

  azure::AciClientSettings settings;
  settings.endpoint.resource_manager = azure_.cloud.resource_manager;
  settings.endpoint.api_version = azure_.api_version;
  settings.token_scope = azure_.cloud.scope;
  settings.version = build::kVersion;
  settings.user_agent = deps.clients.user_agent();
  settings.request_timeout = azure_.request_timeout;
  settings.lro.timeout = config.policy.action_timeout;
  aci_ = std::make_unique<azure::AciClient>(*reauthorizing_, *credential_, deps.time,
                                            deps.stop_signal, settings);
  return {};
}

status::ArmStatus ArmStack::budget() const {
  status::ArmStatus out;
  out.defer_below_reads = tracker_.settings().defer_below_reads;
  std::vector<std::string> subscriptions{azure_.subscription_id};
  for (auto& seen : tracker_.subscriptions()) {
    if (!seen.empty() && seen != azure_.subscription_id) subscriptions.push_back(std::move(seen));
  }
  for (const auto& subscription : subscriptions) {
    status::ArmSubscriptionStatus s;
    s.subscription = subscription;
    s.remaining_reads = tracker_.remaining_reads(subscription);
    s.remaining_writes = tracker_.remaining_writes(subscription);
    // The gate is keyed as ARM throttles: per subscription (azure::arm_throttle_key).
    if (retrying_) {
      s.throttled_for = retrying_->gate().remaining(retrying_->gate().key_for(
          azure_.cloud.resource_manager + "/subscriptions/" + subscription));
    }
    out.subscriptions.push_back(std::move(s));
  }
  return out;
}

}  // namespace frankenetes::daemon
