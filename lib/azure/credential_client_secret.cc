#include "azure/credential_client_secret.h"

#include <utility>

#include "azure/credential_file.h"
#include "azure/credential_token_response.h"

namespace frankenetes::azure {

ClientSecretCredential::ClientSecretCredential(EntraApplication app, config::SecretSource secret,
                                               http::HttpTransport& transport,
                                               const core::TimeSource& time, std::string name)
    : app_(std::move(app)),
      secret_(std::move(secret)),
      transport_(transport),
      time_(time),
      name_(std::move(name)) {}

core::Result<AccessToken> ClientSecretCredential::get_token(const std::string& scope) {
  core::Secret secret;
  if (secret_.file) {
    auto read = read_secret_file(*secret_.file, name_ + " client secret");
    if (!read.ok()) return read.error();
    secret = std::move(*read);
  } else if (secret_.value && !secret_.value->empty()) {
    secret = *secret_.value;
  } else {
    return core::make_error(core::ErrorKind::kInvalidConfig,
                            name_ + ": no client secret configured for tenant " + app_.tenant_id);
  }
  return request_entra_token(transport_, time_, app_, name_, scope, ClientProof::kSecret, secret);
}

}  // namespace frankenetes::azure
