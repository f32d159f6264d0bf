#include "azure/credential_entra.h"

#include <utility>
#include <vector>

#include "azure/credential_token_response.h"
#include "core/strings.h"

namespace frankenetes::azure {
namespace {

constexpr const char* kJwtBearerAssertionType =
    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

}  // namespace

std::string entra_token_url(const EntraApplication& app) {
  return std::string(core::trim_end(app.authority, "/")) + "/" +
         http::percent_encode_component(app.tenant_id) + "/oauth2/v2.0/token";
}

core::Result<AccessToken> request_entra_token(http::HttpTransport& transport,
                                              const core::TimeSource& time,
                                              const EntraApplication& app,
                                              const std::string& credential,
                                              const std::string& scope, ClientProof kind,
                                              const core::Secret& proof) {
  // Field order as in the Entra documentation; the secret travels in the body, not in a
  // Basic header, so it is encoded in exactly one place.
  std::vector<std::pair<std::string, std::string>> fields{{"client_id", app.client_id},
                                                          {"scope", scope}};
  if (kind == ClientProof::kSecret) {
    fields.emplace_back("client_secret", proof.reveal());
  } else {
    fields.emplace_back("client_assertion_type", kJwtBearerAssertionType);
    fields.emplace_back("client_assertion", proof.reveal());
  }
  fields.emplace_back("grant_type", "client_credentials");

  http::ClientRequest request;
  request.method = "POST";
  request.url = entra_token_url(app);
  request.headers["Content-Type"] = "application/x-www-form-urlencoded";
  request.headers["Accept"] = "application/json";
  request.body = form_encode(fields);
  request.timeout = app.timeout;
  request.operation = "entra.token";

  const TokenErrorContext context{credential, "tenant " + app.tenant_id, {&proof}};
  auto response = transport.send(request);
  if (!response.ok()) {
    auto error = response.error();
    error.message = core::redact(credential + ": token request to tenant " + app.tenant_id + " at " +
                               request.url + " failed: " + error.message,
                           context.secrets);
    return error;
  }
  return parse_token_response(*response, time.system_time(), context);
}

}  // namespace frankenetes::azure
