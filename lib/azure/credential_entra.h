#pragma once
// The Microsoft Entra ID v2.0 client-credentials grant (reference §3.1), shared by
// ClientSecretCredential and WorkloadIdentityCredential: one form-encoded POST to
// {authority}/{tenant}/oauth2/v2.0/token proving the client's identity with either a client
// secret or a client assertion (a federated token). Not a credential itself: no caching, no
// retries (the caller's cache and loop decide when to ask again).

#include <chrono>
#include <string>

#include "azure/token_credential.h"
#include "core/result.h"
#include "core/secret.h"
#include "core/time_source.h"
#include "http/transport.h"

namespace frankenetes::azure {

inline constexpr std::chrono::milliseconds kDefaultEntraTimeout{std::chrono::seconds(30)};

// Where to ask and who is asking.
struct EntraApplication {
  std::string authority;  // "https://login.microsoftonline.com" (a trailing slash is fine)
  std::string tenant_id;  // GUID or domain
  std::string client_id;
  std::chrono::milliseconds timeout = kDefaultEntraTimeout;
};

enum class ClientProof { kSecret, kAssertion };

// One token request. `credential` names the caller in error messages ("client_secret",
// "workload_identity"); `proof` is sent as client_secret or as client_assertion (with
// client_assertion_type jwt-bearer) and is redacted from any error message.
core::Result<AccessToken> request_entra_token(http::HttpTransport& transport,
                                              const core::TimeSource& time,
                                              const EntraApplication& app,
                                              const std::string& credential,
                                              const std::string& scope, ClientProof kind,
                                              const core::Secret& proof);

// "{authority}/{tenant}/oauth2/v2.0/token".
std::string entra_token_url(const EntraApplication& app);

}  // namespace frankenetes::azure
