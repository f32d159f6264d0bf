#pragma once
// A Blob Storage answer that is not the operation's success status -> core::Error. Pure.
//
// The Error carries the kind (core::kind_for_http_status: 404 kNotFound, 409/412 kConflict,
// 408/429/5xx kTransient, other 4xx kTerminal), the HTTP status, the storage error code
// (x-ms-error-code, else the body's <Code>: BlobNotFound, LeaseAlreadyPresent, …) and
// x-ms-request-id. The message is "<operation>: <the service's message, first line>", plus a
// hint for refused credentials. Request headers — the Authorization header above all — never
// enter it.

#include <string_view>

#include "core/error.h"
#include "http/message.h"

namespace frankenetes::storage {

core::Error storage_error(const http::Response& response, std::string_view operation);

// A success status whose headers or body cannot be understood is
// azure::malformed_response_error (azure/arm_error.h): kTerminal, status, x-ms-request-id.

// The service refused the request's credentials: a wrong or rotated account key, a token for
// the wrong audience, or (Azurite) a bad signature. Azure says 403 AuthenticationFailed (401
// for a bearer token it cannot read); Azurite says 403 AuthorizationFailure.
bool is_authentication_failure(const core::Error& error);

}  // namespace frankenetes::storage
