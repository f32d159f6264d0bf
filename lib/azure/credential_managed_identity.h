#pragma once
// ManagedIdentityCredential: asks the Instance Metadata Service for a token of the identity
// assigned to the container group (reference §3.3): a GET with `Metadata: true`, optionally
// naming a user-assigned identity by client id. The endpoint always comes from the config
// (production default http://169.254.169.254/metadata/identity/oauth2/token; tests point it
// at loopback). The timeout is short so that, where there is no IMDS, the default chain moves
// on quickly. No caching: wrap it in CachingCredential.

#include <chrono>
#include <optional>
#include <string>

#include "azure/token_credential.h"
#include "core/time_source.h"
#include "http/transport.h"

namespace frankenetes::azure {

inline constexpr std::chrono::milliseconds kDefaultImdsTimeout{std::chrono::seconds(2)};
inline constexpr const char* kImdsApiVersion = "2018-02-01";

struct ManagedIdentitySettings {
  std::string endpoint;                  // full token URL, without query
  std::optional<std::string> client_id;  // user-assigned identity; absent: system-assigned
  std::chrono::milliseconds timeout = kDefaultImdsTimeout;
};

class ManagedIdentityCredential final : public TokenCredential {
 public:
  ManagedIdentityCredential(ManagedIdentitySettings settings, http::HttpTransport& transport,
                            const core::TimeSource& time);

  core::Result<AccessToken> get_token(const std::string& scope) override;
  std::string name() const override { return "managed_identity"; }

 private:
  ManagedIdentitySettings settings_;
  http::HttpTransport& transport_;
  const core::TimeSource& time_;
};

}  // namespace frankenetes::azure
