#include "azure/credential_token_response.h"

#include <chrono>

#include "azure/credential_json.h"

namespace frankenetes::azure {
namespace {

using nlohmann::json;

// Entra appends " Trace ID: … Correlation ID: … Timestamp: …" (and sometimes line breaks) to
// error_description; the trace id goes to Error::request_id instead, the rest is noise.
std::string first_part_of_description(std::string description) {
  for (const std::string_view cut :
       {std::string_view("\r"), std::string_view("\n"), std::string_view(" Trace ID:")}) {
    if (const auto at = description.find(cut); at != std::string::npos) description.resize(at);
  }
  while (!description.empty() && description.back() == ' ') description.pop_back();
  return description;
}

std::string string_field(const json& body, const char* key) {
  const auto it = body.find(key);
  return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
}

core::Result<AccessToken> parse_success(const http::Response& response, core::SystemTime now,
                                        const TokenErrorContext& context) {
  const std::string prefix = context.credential + ": token response from " + context.target;
  const auto body = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) {
    return credential_error(core::ErrorKind::kTerminal, prefix + " is not a JSON object");
  }
  const auto token = string_field(body, "access_token");
  if (token.empty()) {
    return credential_error(core::ErrorKind::kTerminal, prefix + " has no \"access_token\"");
  }
  AccessToken out{core::Secret(token), {}};
  const auto expires_in =
      body.contains("expires_in") ? json_integer(body["expires_in"]) : std::nullopt;
  const auto expires_on =
      body.contains("expires_on") ? json_integer(body["expires_on"]) : std::nullopt;
  if (expires_in) {
    out.expires_on = now + std::chrono::seconds(*expires_in);
  } else if (expires_on) {
    out.expires_on = core::SystemTime(std::chrono::seconds(*expires_on));
  } else {
    return credential_error(core::ErrorKind::kTerminal,
                            prefix + R"( has neither "expires_in" nor "expires_on" as an integer)");
  }
  return out;
}

core::Error parse_failure(const http::Response& response, const TokenErrorContext& context) {
  core::Error error;
  error.kind = core::kind_for_http_status(response.status);
  // A 404 from a token endpoint means a wrong authority, tenant or IMDS path, not a missing
  // Azure resource: the loop must not read it as "the container group is gone".
  if (error.kind == core::ErrorKind::kNotFound) error.kind = core::ErrorKind::kTerminal;
  error.http_status = response.status;
  if (const auto it = response.headers.find(std::string_view("x-ms-request-id"));
      it != response.headers.end()) {
    error.request_id = it->second;
  }

  std::string detail;
  const auto body = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_object()) {
    error.azure_code = string_field(body, "error");
    detail = first_part_of_description(string_field(body, "error_description"));
    if (const auto trace = string_field(body, "trace_id"); !trace.empty()) error.request_id = trace;
    const auto codes = body.find("error_codes");
    if (codes != body.end() && codes->is_array() && !codes->empty()) {
      if (const auto code = json_integer(codes->front())) {
        const auto aadsts = "AADSTS" + std::to_string(*code);
        if (!detail.starts_with(aadsts)) detail = aadsts + (detail.empty() ? "" : ": " + detail);
      }
    }
    if (!error.azure_code.empty())
      detail = error.azure_code + (detail.empty() ? "" : ": " + detail);
  }
  if (detail.empty()) detail = "no error details in the response";
  error.message = redact(context.credential + ": token request to " + context.target +
                             " failed with HTTP " + std::to_string(response.status) + ": " + detail,
                         context.secrets);
  return error;
}

}  // namespace

core::Result<AccessToken> parse_token_response(const http::Response& response, core::SystemTime now,
                                               const TokenErrorContext& context) {
  if (response.status >= 200 && response.status < 300) return parse_success(response, now, context);
  return parse_failure(response, context);
}

std::string resource_for_scope(std::string_view scope) {
  constexpr std::string_view kDefaultSuffix = "/.default";
  if (scope.ends_with(kDefaultSuffix)) scope.remove_suffix(kDefaultSuffix.size());
  return std::string(scope);
}

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += '&';
    out += http::percent_encode_component(name);
    out += '=';
    out += http::percent_encode_component(value);
  }
  return out;
}

std::string redact(std::string text, const std::vector<const core::Secret*>& secrets) {
  for (const auto* secret : secrets) {
    if (secret == nullptr || secret->empty()) continue;
    const auto& value = secret->reveal();
    constexpr std::string_view kRedacted = "<redacted>";
    for (auto at = text.find(value); at != std::string::npos;
         at = text.find(value, at + kRedacted.size())) {
      text.replace(at, value.size(), kRedacted);
    }
  }
  return text;
}

core::Error credential_error(core::ErrorKind kind, std::string message) {
  core::Error error;
  error.kind = kind;
  error.message = std::move(message);
  return error;
}

}  // namespace frankenetes::azure
