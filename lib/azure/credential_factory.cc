#include "azure/credential_factory.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "azure/credential_chain.h"
#include "azure/credential_client_secret.h"
#include "azure/credential_entra.h"
#include "azure/credential_static.h"
#include "azure/credential_token_response.h"
#include "azure/credential_workload_identity.h"
#include "config/defaults.h"

namespace frankenetes::azure {
namespace {

using Built = core::Result<std::unique_ptr<TokenCredential>>;

struct Context {
  const config::AzureConfig& azure;
  http::HttpTransport& transport;
  const config::EnvLookup& env;
  CommandRunner& runner;
  const core::TimeSource& time;
  const CredentialOptions& options;

  std::optional<std::string> from_env(std::string_view name) const {
    if (!env) return std::nullopt;
    auto value = env(name);
    if (value && value->empty()) return std::nullopt;
    return value;
  }
  // The config's value when it has one, else the environment variable's.
  std::optional<std::string> pick(const std::optional<std::string>& configured,
                                  std::string_view variable) const {
    if (configured && !configured->empty()) return configured;
    return from_env(variable);
  }

  std::string authority() const {
    if (azure.cloud.name == config::kDefaultCloudName) {
      if (auto host = from_env(kEnvAuthorityHost)) return *host;
    }
    return azure.cloud.authority;
  }
};

// "missing tenant ID (azure.tenantId or AZURE_TENANT_ID), client ID (…)".
class Missing {
 public:
  void check(const std::optional<std::string>& value, std::string_view what) {
    if (value) return;
    text_ += text_.empty() ? "missing " : ", ";
    text_ += what;
  }
  bool any() const { return !text_.empty(); }
  core::Error error(const std::string& credential) const {
    return core::make_error(core::ErrorKind::kInvalidConfig, credential + ": " + text_);
  }

 private:
  std::string text_;
};

constexpr std::string_view kTenantWhere = "tenant ID (azure.tenantId or AZURE_TENANT_ID)";
constexpr std::string_view kClientWhere = "client ID (azure.auth.clientId or AZURE_CLIENT_ID)";

Built client_secret(const Context& ctx, const std::string& name) {
  const auto& auth = ctx.azure.auth;
  const auto tenant = ctx.pick(ctx.azure.tenant_id, kEnvTenantId);
  const auto client = ctx.pick(auth.client_id, kEnvClientId);
  std::optional<config::SecretSource> secret;
  if (auth.client_secret && (auth.client_secret->file ||
                             (auth.client_secret->value && !auth.client_secret->value->empty()))) {
    secret = *auth.client_secret;
  } else if (auto value = ctx.from_env(kEnvClientSecret)) {
    secret = config::SecretSource{core::Secret(std::move(*value)), std::nullopt};
  }
  Missing missing;
  missing.check(tenant, kTenantWhere);
  missing.check(client, kClientWhere);
  if (!secret) {
    missing.check(
        std::nullopt,
        "client secret (azure.auth.clientSecret, clientSecretFile or AZURE_CLIENT_SECRET)");
  }
  if (missing.any()) return missing.error(name);
  EntraApplication app{ctx.authority(), *tenant, *client, ctx.azure.request_timeout};
  return std::unique_ptr<TokenCredential>(std::make_unique<ClientSecretCredential>(
      std::move(app), std::move(*secret), ctx.transport, ctx.time, name));
}

Built workload_identity(const Context& ctx) {
  const auto tenant = ctx.pick(ctx.azure.tenant_id, kEnvTenantId);
  const auto client = ctx.pick(ctx.azure.auth.client_id, kEnvClientId);
  const auto file = ctx.pick(ctx.azure.auth.federated_token_file, kEnvFederatedTokenFile);
  Missing missing;
  missing.check(tenant, kTenantWhere);
  missing.check(client, kClientWhere);
  missing.check(file,
                "federated token file (azure.auth.federatedTokenFile or "
                "AZURE_FEDERATED_TOKEN_FILE)");
  if (missing.any()) return missing.error("workload_identity");
  EntraApplication app{ctx.authority(), *tenant, *client, ctx.azure.request_timeout};
  return std::unique_ptr<TokenCredential>(
      std::make_unique<WorkloadIdentityCredential>(std::move(app), *file, ctx.transport, ctx.time));
}

Built managed_identity(const Context& ctx) {
  const auto& auth = ctx.azure.auth;
  if (auth.imds_endpoint.empty()) {
    return core::make_error(core::ErrorKind::kInvalidConfig,
                            "managed_identity: azure.auth.imdsEndpoint is empty");
  }
  ManagedIdentitySettings settings{auth.imds_endpoint, auth.managed_identity_client_id,
                                   ctx.options.imds_timeout};
  return std::unique_ptr<TokenCredential>(
      std::make_unique<ManagedIdentityCredential>(std::move(settings), ctx.transport, ctx.time));
}

Built azure_cli(const Context& ctx) {
  AzureCliSettings settings;
  settings.tenant_id = ctx.azure.tenant_id;
  settings.timeout = ctx.options.cli_timeout;
  return std::unique_ptr<TokenCredential>(
      std::make_unique<AzureCliCredential>(std::move(settings), ctx.runner));
}

Built static_token(const Context& ctx) {
  if (!ctx.azure.auth.token_file) {
    return core::make_error(core::ErrorKind::kInvalidConfig,
                            "static: missing token file (azure.auth.tokenFile)");
  }
  return std::unique_ptr<TokenCredential>(
      std::make_unique<StaticTokenCredential>(*ctx.azure.auth.token_file, ctx.time));
}

// A link that cannot be built still takes its place in the chain, to explain itself.
std::unique_ptr<TokenCredential> link(Built built, const std::string& name) {
  if (built.ok()) return std::move(built).value();
  std::string reason = built.error().message;
  if (reason.starts_with(name + ": ")) reason.erase(0, name.size() + 2);
  return std::make_unique<UnavailableCredential>(name, std::move(reason));
}

Built default_chain(const Context& ctx) {
  std::vector<std::unique_ptr<TokenCredential>> links;
  links.push_back(link(client_secret(ctx, "environment"), "environment"));
  links.push_back(link(workload_identity(ctx), "workload_identity"));
  links.push_back(link(managed_identity(ctx), "managed_identity"));
  links.push_back(link(azure_cli(ctx), "azure_cli"));
  return std::unique_ptr<TokenCredential>(std::make_unique<ChainedCredential>(std::move(links)));
}

Built build(const Context& ctx) {
  switch (ctx.azure.auth.method) {
    case config::AuthMethod::kDefault:
      return default_chain(ctx);
    case config::AuthMethod::kClientSecret:
      return client_secret(ctx, "client_secret");
    case config::AuthMethod::kWorkloadIdentity:
      return workload_identity(ctx);
    case config::AuthMethod::kManagedIdentity:
      return managed_identity(ctx);
    case config::AuthMethod::kAzureCli:
      return azure_cli(ctx);
    case config::AuthMethod::kStatic:
      return static_token(ctx);
  }
  return core::make_error(core::ErrorKind::kInvalidConfig, "unknown azure.auth.method");
}

}  // namespace

core::Result<std::unique_ptr<TokenCredential>> make_credential(
    const config::AzureConfig& azure, http::HttpTransport& transport, const config::EnvLookup& env,
    CommandRunner& runner, const core::TimeSource& time, CredentialOptions options) {
  const Context ctx{azure, transport, env, runner, time, options};
  auto built = build(ctx);
  if (!built.ok() || !options.cache) return built;
  return std::unique_ptr<TokenCredential>(std::make_unique<CachingCredential>(
      std::move(built).value(), time, std::move(options.on_refresh_error)));
}

}  // namespace frankenetes::azure
