#pragma once
// make_credential: builds the token credential the configuration asks for (azure.auth.method)
// from the config, the process environment (AZURE_* variables, through an injected lookup)
// and the injected transport, command runner and clock. Called by the composition root; the
// credential keeps references to transport, runner and time, which must outlive it.
// The environment is read once, here; files (secrets, federated tokens, static tokens) are
// read again on every token request.
//
// Where both give a value, the config wins over the environment: tenant (azure.tenantId /
// AZURE_TENANT_ID), client id (auth.clientId / AZURE_CLIENT_ID), client secret
// (auth.clientSecret[File] / AZURE_CLIENT_SECRET), federated token file
// (auth.federatedTokenFile / AZURE_FEDERATED_TOKEN_FILE). AZURE_AUTHORITY_HOST replaces the
// authority only when the config names the default public cloud, which the config cannot
// distinguish from "not set"; a sovereign or custom cloud in the config always wins.
// The managed identity's client id comes only from auth.managedIdentityClientId (absent:
// the system-assigned identity); AZURE_CLIENT_ID belongs to the secret and federated flows.
//
// method default → ChainedCredential: environment (client secret) → workload identity →
// managed identity → Azure CLI, links that lack settings standing in as UnavailableCredential.

#include <chrono>
#include <memory>
#include <string_view>

#include "azure/credential_azure_cli.h"
#include "azure/credential_cache.h"
#include "azure/credential_command_runner.h"
#include "azure/credential_managed_identity.h"
#include "azure/token_credential.h"
#include "config/env.h"
#include "config/types.h"
#include "core/result.h"
#include "core/time_source.h"
#include "http/transport.h"

namespace frankenetes::azure {

inline constexpr std::string_view kEnvTenantId = "AZURE_TENANT_ID";
inline constexpr std::string_view kEnvClientId = "AZURE_CLIENT_ID";
inline constexpr std::string_view kEnvClientSecret = "AZURE_CLIENT_SECRET";
inline constexpr std::string_view kEnvFederatedTokenFile = "AZURE_FEDERATED_TOKEN_FILE";
inline constexpr std::string_view kEnvAuthorityHost = "AZURE_AUTHORITY_HOST";

struct CredentialOptions {
  std::chrono::milliseconds imds_timeout = kDefaultImdsTimeout;
  std::chrono::milliseconds cli_timeout = kDefaultAzureCliTimeout;
  // Wrap the result in a CachingCredential (what the daemon wants; tests of the raw
  // credentials turn it off).
  bool cache = true;
  RefreshErrorReporter on_refresh_error;  // used by the cache
};

// kInvalidConfig when the named method lacks a setting (e.g. workloadIdentity without a
// client id in the config or AZURE_CLIENT_ID); the message says which and where to set it.
core::Result<std::unique_ptr<TokenCredential>> make_credential(
    const config::AzureConfig& azure, http::HttpTransport& transport, const config::EnvLookup& env,
    CommandRunner& runner, const core::TimeSource& time, CredentialOptions options = {});

}  // namespace frankenetes::azure
