#include "azure/credential_workload_identity.h"

#include <utility>

#include "azure/credential_file.h"

namespace frankenetes::azure {

WorkloadIdentityCredential::WorkloadIdentityCredential(EntraApplication app, std::string token_file,
                                                       http::HttpTransport& transport,
                                                       const core::TimeSource& time)
    : app_(std::move(app)),
      token_file_(std::move(token_file)),
      transport_(transport),
      time_(time) {}

core::Result<AccessToken> WorkloadIdentityCredential::get_token(const std::string& scope) {
  auto assertion = read_secret_file(token_file_, name() + " federated token");
  if (!assertion.ok()) return assertion.error();
  return request_entra_token(transport_, time_, app_, name(), scope, ClientProof::kAssertion,
                             *assertion);
}

}  // namespace frankenetes::azure
