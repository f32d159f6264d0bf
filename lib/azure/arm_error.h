#pragma once
// ARM error envelope ({"error":{"code","message"}}, ARM's common error response) -> core::Error.
// Pure. Used by every ARM client for any response that is not the operation's success status. The
// Error carries the kind (from the HTTP status, core::kind_for_http_status), the status,
// error.code, the message and x-ms-request-id, so logs and support cases have everything. Request
// headers (and so the bearer token) never enter the message.

#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "core/result.h"
#include "core/secret.h"
#include "http/message.h"

namespace frankenetes::azure {

// {"error":{"code","message","details":[...]}} — the fields we use.
struct ArmErrorBody {
  std::string code;
  std::string message;
};

// nullopt when the body is not an ARM error envelope. Some gateways answer {"code","message"}
// without the "error" wrapper; that is accepted too.
std::optional<ArmErrorBody> parse_arm_error_body(std::string_view body);

// The Error for a non-success response of `operation` ("aci.get"). The message reads
// "aci.get: <ARM message>" or, without an envelope, "aci.get: HTTP 502 <excerpt of body>".
core::Error error_from_response(const http::Response& response, std::string_view operation);

// What a client's transport returned, with every occurrence of the bearer `token` it sent
// replaced by "<redacted>" in the error message or the response body: a peer (a proxy's error
// page, a gateway echoing headers) may quote the request back, and errors quote bodies.
core::Result<http::Response> without_token(core::Result<http::Response> result,
                                           const core::Secret& token);

// ARM's own word that a resource is absent: HTTP 404 with the error envelope's code
// ResourceNotFound or ResourceGroupNotFound. Any other 404 (a proxy's HTML page, an empty body,
// another code) proves nothing (README.md "Never making it worse").
bool arm_says_absent(const core::Error& error);

// A terminal Error for a success status whose body we could not understand.
core::Error malformed_response_error(const http::Response& response, std::string_view operation,
                                     std::string_view detail);

}  // namespace frankenetes::azure
