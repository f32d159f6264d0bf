#pragma once
// ClientSecretCredential: a service principal proving itself with a client secret (reference
// §3.1). The secret is either a value (from the config or AZURE_CLIENT_SECRET) or a file that
// is read again on every token request, so a rotated secret is used without a restart.
// Used directly for auth method "clientSecret" and as the first link ("environment") of the
// default chain. No caching: wrap it in CachingCredential.

#include <string>

#include "azure/credential_entra.h"
#include "azure/token_credential.h"
#include "config/types.h"
#include "core/time_source.h"
#include "http/transport.h"

namespace frankenetes::azure {

class ClientSecretCredential final : public TokenCredential {
 public:
  // `name` is "client_secret" when configured explicitly, "environment" in the default chain.
  ClientSecretCredential(EntraApplication app, config::SecretSource secret,
                         http::HttpTransport& transport, const core::TimeSource& time,
                         std::string name = "client_secret");

  core::Result<AccessToken> get_token(const std::string& scope) override;
  std::string name() const override { return name_; }

 private:
  EntraApplication app_;
  config::SecretSource secret_;
  http::HttpTransport& transport_;
  const core::TimeSource& time_;
  std::string name_;
};

}  // namespace frankenetes::azure
