#include "azure/credential_managed_identity.h"

#include <utility>

#include "azure/credential_token_response.h"

namespace frankenetes::azure {

ManagedIdentityCredential::ManagedIdentityCredential(ManagedIdentitySettings settings,
                                                     http::HttpTransport& transport,
                                                     const core::TimeSource& time)
    : settings_(std::move(settings)), transport_(transport), time_(time) {}

core::Result<AccessToken> ManagedIdentityCredential::get_token(const std::string& scope) {
  http::ClientRequest request;
  request.method = "GET";
  request.url = settings_.endpoint;
  request.url += settings_.endpoint.find('?') == std::string::npos ? '?' : '&';
  // IMDS speaks the v1 protocol: a resource, not a scope.
  request.url += "api-version=" + std::string(kImdsApiVersion) +
                 "&resource=" + http::percent_encode_component(resource_for_scope(scope));
  if (settings_.client_id) {
    request.url += "&client_id=" + http::percent_encode_component(*settings_.client_id);
  }
  // Required by IMDS (it rejects requests without it as possible SSRF).
  request.headers["Metadata"] = "true";
  request.headers["Accept"] = "application/json";
  request.timeout = settings_.timeout;
  request.operation = "imds.token";

  std::string target = "IMDS endpoint " + settings_.endpoint;
  if (settings_.client_id) target += " (client id " + *settings_.client_id + ")";
  auto response = transport_.send(request);
  if (!response.ok()) {
    auto error = response.error();
    error.message = name() + ": token request to " + target + " failed: " + error.message;
    return error;
  }
  return parse_token_response(*response, time_.system_time(), {name(), target, {}});
}

}  // namespace frankenetes::azure
