#pragma once
// Identity: the simulated Microsoft Entra ID v2.0 token endpoint (client credentials with a
// client secret or a client assertion), the IMDS managed-identity endpoint, and validation of
// the bearer tokens it issued (ARM answers 401 for anything else). Pure: requests in,
// responses out, time from a TimeSource.
//
// Tokens are JWT-shaped (header.payload.signature, base64url) so clients that peek at `exp`
// work, but the sim validates by lookup, not by signature. Client assertions: any non-empty
// JWT-bearer assertion is accepted for the configured client id, unless the scenario sets
// `credentials.clientAssertion`, in which case it must match exactly (a stand-in for a
// federated identity record).

#include <map>
#include <optional>
#include <string>

#include "core/secret.h"
#include "core/time_source.h"
#include "http/message.h"
#include "sim/ids.h"

namespace frankenetes::sim {

struct IdentitySettings {
  std::string tenant_id;
  std::string client_id;
  core::Secret client_secret;
  std::optional<std::string> client_assertion;
  core::Duration token_lifetime{std::chrono::seconds(3599)};
  std::string authority;  // "https://127.0.0.1:8443" (token endpoint = authority/tenant/oauth2/v2.0/token)
};

enum class TokenStatus { kValid, kMissing, kMalformed, kUnknown, kExpired, kWrongAudience };

struct TokenCheck {
  TokenStatus status = TokenStatus::kMissing;
  std::string client_id;
  std::string audience;
  core::SystemTime expires{};
};

class Identity {
 public:
  Identity(IdentitySettings settings, const core::TimeSource& time, Random& random);

  // POST /{tenant}/oauth2/v2.0/token
  http::Response token_endpoint(const http::Request& request, const std::string& tenant);
  // GET /{tenant}/v2.0/.well-known/openid-configuration
  http::Response openid_configuration(const std::string& tenant) const;
  // GET /metadata/identity/oauth2/token
  http::Response imds(const http::Request& request);

  // Checks an Authorization header value for ARM ("Bearer <token>").
  TokenCheck check(const std::string& authorization) const;

  void set_token_lifetime(core::Duration lifetime) { settings_.token_lifetime = lifetime; }
  core::Duration token_lifetime() const { return settings_.token_lifetime; }
  void revoke_all() { tokens_.clear(); }
  const IdentitySettings& settings() const { return settings_; }
  // Issues a token directly (tests, tools).
  std::string issue(const std::string& audience, const std::string& client_id);

 private:
  struct Issued {
    std::string client_id;
    std::string audience;
    core::SystemTime expires;
  };
  http::Response aad_error(int status, const std::string& error, int code,
                           const std::string& description);
  void prune();

  IdentitySettings settings_;
  const core::TimeSource& time_;
  Random& random_;
  std::map<std::string, Issued> tokens_;
};

// application/x-www-form-urlencoded body → key/value (last value wins); nullopt if malformed.
std::optional<std::map<std::string, std::string>> parse_form(const std::string& body);

// True for audiences ARM accepts: https://management.azure.com[/], https://management.core.windows.net[/].
bool is_arm_audience(const std::string& audience);

}  // namespace frankenetes::sim
