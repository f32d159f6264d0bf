// The ARM codecs (lib/azure): every parser of an answer from the resource manager or a token
// endpoint gets the whole input as its body:
//   container_group_codec  a LIST page, a GET, a member's spec
//   arm_error              the error envelope, as a 4xx/5xx and as a 404 (arm_says_absent)
//   async_operation        the LRO status body, and Location/Azure-AsyncOperation headers
//   credential_token_response  Entra ID v2.0 and IMDS (managed identity) token answers, 200 and
//                          400, with secrets that must never come back in a message
//   credential_azure_cli   `az account get-access-token` output
// None may throw; errors are values.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "azure/arm_error.h"
#include "azure/async_operation.h"
#include "azure/container_group_codec.h"
#include "azure/credential_azure_cli.h"
#include "azure/credential_token_response.h"
#include "fuzz_support.h"
#include "log/event.h"

namespace {

using namespace frankenetes;

void token_answers(const std::string& body) {
  const core::Secret client_secret("fuzz-client-secret-value");
  const azure::TokenErrorContext entra{"client_secret", "tenant fuzz.example", {&client_secret}};
  const azure::TokenErrorContext imds{"managed_identity", "IMDS endpoint http://127.0.0.1:1", {}};
  for (int status : {200, 400, 401, 500}) {
    http::Response response;
    response.status = status;
    response.body = body;
    (void)azure::parse_token_response(response, fuzz::FixedTime{}.system_time(), imds);
    auto token = azure::parse_token_response(response, fuzz::FixedTime{}.system_time(), entra);
    if (!token.ok() && token.error().message.find(client_secret.reveal()) != std::string::npos) {
      std::abort();  // the client secret, echoed by the server, leaked into an error message
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Events such as http.retry_after.clamped would print once per input; the code paths that
  // build them still run up to the level check.
  frankenetes::log::configure(frankenetes::log::Level::kOff, frankenetes::log::Format::kText);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body(fuzz::as_text(data, size));

  (void)azure::parse_container_group_list(body);
  (void)azure::parse_container_group(body);
  (void)azure::parse_container_group_spec(body);

  (void)azure::parse_arm_error_body(body);
  for (int status : {404, 409, 429, 500, 502}) {
    http::Response response;
    response.status = status;
    response.body = body;
    response.headers.emplace("x-ms-request-id", "fuzz-request");
    const core::Error error = azure::error_from_response(response, "aci.get");
    (void)azure::arm_says_absent(error);
    (void)azure::malformed_response_error(response, "aci.get", "fuzz");
  }

  if (auto status = azure::parse_async_operation_status(body); status.ok()) {
    (void)status->terminal();
    (void)status->succeeded();
  }
  http::Headers headers;
  headers.emplace("Azure-AsyncOperation", body);
  headers.emplace("Location", body);
  (void)azure::lro_location(headers);

  token_answers(body);
  (void)azure::parse_azure_cli_token(body);
  return 0;
}
