#include "azure/arm_error.h"

#include <vector>

#include "azure/json_fields.h"
#include "core/strings.h"

namespace frankenetes::azure {
namespace {

namespace jf = json_fields;

// Bodies of non-ARM errors (an HTML page from a proxy) can be large; a log line needs only
// the start, made printable (core::printable_excerpt).
std::string excerpt(std::string_view body) { return core::printable_excerpt(body, 200); }

std::string header_or_empty(const http::Headers& headers, std::string_view name) {
  const auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

}  // namespace

std::optional<ArmErrorBody> parse_arm_error_body(std::string_view body) {
  std::string parse_error;
  const auto doc = jf::parse(body, parse_error);
  if (!doc || !doc->is_object()) return std::nullopt;
  const jf::json* inner = jf::object(*doc, "error");
  const jf::json& err = inner != nullptr ? *inner : *doc;
  ArmErrorBody out{jf::string_or_empty(err, "code"), jf::string_or_empty(err, "message")};
  if (out.code.empty() && out.message.empty()) return std::nullopt;
  // The top-level message is sometimes generic ("The template deployment failed"); the
  // first details say what actually went wrong.
  if (const jf::json* details = jf::array(err, "details")) {
    int shown = 0;
    for (const auto& d : *details) {
      const auto msg = jf::string_or_empty(d, "message");
      if (msg.empty() || shown == 3) continue;
      out.message += shown == 0 ? " [details: " : "; ";
      const auto code = jf::string_or_empty(d, "code");
      if (!code.empty()) out.message.append(code).append(": ");
      out.message += msg;
      ++shown;
    }
    if (shown > 0) out.message += "]";
  }
  return out;
}

core::Error error_from_response(const http::Response& response, std::string_view operation) {
  core::Error error;
  error.kind = core::kind_for_http_status(response.status);
  // A 2xx/3xx that reaches here is unexpected for the operation: not retryable blindly.
  if (response.status < 400) error.kind = core::ErrorKind::kTerminal;
  error.http_status = response.status;
  error.request_id = header_or_empty(response.headers, "x-ms-request-id");
  error.message = std::string(operation) + ": ";
  if (const auto body = parse_arm_error_body(response.body)) {
    error.azure_code = body->code;
    error.message += body->message.empty() ? body->code : body->message;
  } else if (response.body.empty()) {
    error.message += "HTTP " + std::to_string(response.status) + " with no body";
  } else {
    error.message += "HTTP " + std::to_string(response.status) + " " + excerpt(response.body);
  }
  // ARM itself (not the resource provider) produced the error: worth knowing when triaging.
  if (header_or_empty(response.headers, "x-ms-failure-cause") == "gateway") {
    error.message += " (ARM gateway)";
  }
  return error;
}

bool arm_says_absent(const core::Error& error) {
  return error.http_status == 404 &&
         (error.azure_code == "ResourceNotFound" || error.azure_code == "ResourceGroupNotFound");
}

core::Error malformed_response_error(const http::Response& response, std::string_view operation,
                                     std::string_view detail) {
  core::Error error;
  error.kind = core::ErrorKind::kTerminal;
  error.http_status = response.status;
  error.request_id = header_or_empty(response.headers, "x-ms-request-id");
  error.message = std::string(operation) + ": malformed response: " + std::string(detail);
  return error;
}

core::Result<http::Response> without_token(core::Result<http::Response> result,
                                           const core::Secret& token) {
  const std::vector<const core::Secret*> token_only{&token};
  if (!result.ok()) {
    core::Error error = result.error();
    error.message = core::redact(std::move(error.message), token_only);
    return error;
  }
  result->body = core::redact(std::move(result->body), token_only);
  return result;
}

}  // namespace frankenetes::azure
