#include "storage/storage_error.h"

#include "core/strings.h"
#include "storage/blob_xml.h"

namespace frankenetes::storage {
namespace {

std::string header_or_empty(const http::Headers& headers, std::string_view name) {
  const auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

// The service's message without the "\nRequestId:…\nTime:…" lines it appends (the request id
// is a field of its own), printable and short enough for one log line.
std::string first_line(std::string_view message) {
  return core::printable_excerpt(message.substr(0, message.find('\n')), 300);
}

}  // namespace

core::Error storage_error(const http::Response& response, std::string_view operation) {
  core::Error error;
  error.kind = response.status < 400 ? core::ErrorKind::kTerminal
                                     : core::kind_for_http_status(response.status);
  error.http_status = response.status;
  error.request_id = header_or_empty(response.headers, "x-ms-request-id");
  error.azure_code = header_or_empty(response.headers, "x-ms-error-code");
  std::string message;
  if (const auto body = parse_storage_error(response.body)) {
    if (error.azure_code.empty()) error.azure_code = body->code;
    message = first_line(body->message);
  }
  if (message.empty()) {
    message = "HTTP " + std::to_string(response.status);
    if (!error.azure_code.empty()) message += " " + error.azure_code;
  }
  error.message = std::string(operation) + ": " + message;
  if (is_authentication_failure(error)) {
    error.message +=
        " (request refused: check that the key file holds a current key of this account, or "
        "that the identity has a Storage Blob Data role on it, and the account's network "
        "rules)";
  }
  return error;
}

bool is_authentication_failure(const core::Error& error) {
  return (error.http_status == 403 && (error.azure_code == "AuthenticationFailed" ||
                                       error.azure_code == "AuthorizationFailure")) ||
         (error.http_status == 401);
}

}  // namespace frankenetes::storage
