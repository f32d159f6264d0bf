#pragma once
// TokenCredential: the seam between ARM clients and the credential chain.
// Implementations (lib/azure/credential*.h) obtain Microsoft Entra access tokens for a
// scope such as "https://management.azure.com/.default", cache them and refresh them before
// expiry. The token is a core::Secret so it never appears in logs or error messages.

#include <string>

#include "core/result.h"
#include "core/secret.h"
#include "core/time_source.h"

namespace frankenetes::azure {

struct AccessToken {
  core::Secret token;
  core::SystemTime expires_on;
};

class TokenCredential {
 public:
  virtual ~TokenCredential() = default;
  // A token valid for `scope`; errors are values (kTransient, kTerminal, kInvalidConfig, ...).
  virtual core::Result<AccessToken> get_token(const std::string& scope) = 0;
  // Short name for logs and metrics, e.g. "environment", "managed_identity", "azure_cli".
  virtual std::string name() const = 0;
  // The service refused `token` for `scope` (HTTP 401: revoked, or expired early): forget it if
  // it is still the cached one, so the next get_token() asks the issuer again. Credentials
  // that cache nothing ignore it (ReauthorizingTransport, reauthorizing_transport.h, calls it).
  virtual void invalidate(const std::string& scope, const core::Secret& token) {
    (void)scope;
    (void)token;
  }
};

}  // namespace frankenetes::azure
