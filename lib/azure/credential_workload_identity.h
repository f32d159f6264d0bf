#pragma once
// WorkloadIdentityCredential: exchanges a federated token (a Kubernetes projected service
// account token, AZURE_FEDERATED_TOKEN_FILE) for an Entra access token with the
// client-assertion flow (reference §3.1, §3.2). The token file is read again on every request
// because kubelet rotates it. No caching: wrap it in CachingCredential.

#include <string>

#include "azure/credential_entra.h"
#include "azure/token_credential.h"
#include "core/time_source.h"
#include "http/transport.h"

namespace frankenetes::azure {

class WorkloadIdentityCredential final : public TokenCredential {
 public:
  WorkloadIdentityCredential(EntraApplication app, std::string token_file,
                             http::HttpTransport& transport, const core::TimeSource& time);

  core::Result<AccessToken> get_token(const std::string& scope) override;
  std::string name() const override { return "workload_identity"; }

 private:
  EntraApplication app_;
  std::string token_file_;
  http::HttpTransport& transport_;
  const core::TimeSource& time_;
};

}  // namespace frankenetes::azure
