#include "azure/credential_token_response.h"

#include <algorithm>
#include <chrono>

#include "azure/credential_json.h"
#include "core/json_fields.h"
#include "log/event.h"

namespace frankenetes::azure {
namespace {

using nlohmann::json;
namespace jf = core::json_fields;

// 2^33 s after the epoch is in the year 2242: within core::SystemTime's range (to 2262) and
// far beyond any token.
constexpr std::int64_t kLatestEpochSeconds = std::int64_t{1} << 33;

void log_clamped(const TokenErrorContext& context, const char* field, std::int64_t value) {
  log::warn("azure.token.lifetime_clamped",
            {{"credential", context.credential},
             {"target", context.target},
             {"field", field},
             {"value", static_cast<long long>(value)},
             {"max_s",
              static_cast<long long>(
                  std::chrono::duration_cast<std::chrono::seconds>(kMaxTokenLifetime).count())}});
}

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
    return core::make_error(core::ErrorKind::kTerminal, prefix + " is not a JSON object");
  }
  // Only the field's type ever enters a message, never its value.
  const auto token = jf::string(body, "access_token");
  if (!token || token->empty()) {
    return core::make_error(core::ErrorKind::kTerminal,
                            prefix + (token ? R"( has an empty "access_token")"
                                            : " has " + token.describe("access_token")));
  }
  AccessToken out{core::Secret(*token), {}};
  // The token is only as good as its expiry: a field we cannot read is an error, not a guess.
  const auto expires_in = jf::integer_or_decimal_string(body, "expires_in");
  const auto expires_on = jf::integer_or_decimal_string(body, "expires_on");
  constexpr std::int64_t kMaxLifetimeSeconds =
      std::chrono::duration_cast<std::chrono::seconds>(kMaxTokenLifetime).count();
  if (expires_in.ok()) {
    if (*expires_in <= 0) {
      return core::make_error(core::ErrorKind::kTerminal, prefix + R"( has "expires_in" )" +
                                                              std::to_string(*expires_in) +
                                                              ": the token is already expired");
    }
    auto lifetime = *expires_in;
    if (lifetime > kMaxLifetimeSeconds) {
      log_clamped(context, "expires_in", lifetime);
      lifetime = kMaxLifetimeSeconds;
    }
    out.expires_on = now + std::chrono::seconds(lifetime);
    return out;
  }
  if (!expires_in.absent()) {
    return core::make_error(core::ErrorKind::kTerminal,
                            prefix + " has " + expires_in.describe("expires_in"));
  }
  if (expires_on.ok()) {
    const auto now_seconds =
        std::chrono::floor<std::chrono::seconds>(now.time_since_epoch()).count();
    if (*expires_on <= now_seconds) {
      return core::make_error(core::ErrorKind::kTerminal,
                              prefix + R"( has "expires_on" )" + std::to_string(*expires_on) +
                                  ", which is not in the future: the token is already expired");
    }
    if (*expires_on - now_seconds > kMaxLifetimeSeconds) {
      log_clamped(context, "expires_on", *expires_on);
      out.expires_on = now + kMaxTokenLifetime;
    } else {
      out.expires_on = core::SystemTime(std::chrono::seconds(*expires_on));
    }
    return out;
  }
  if (!expires_on.absent()) {
    return core::make_error(core::ErrorKind::kTerminal,
                            prefix + " has " + expires_on.describe("expires_on"));
  }
  return core::make_error(core::ErrorKind::kTerminal,
                          prefix + R"( has neither "expires_in" nor "expires_on")");
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
  error.message = core::redact(context.credential + ": token request to " + context.target +
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

core::SystemTime time_from_epoch_seconds(std::int64_t seconds) {
  return core::SystemTime(
      std::chrono::seconds(std::clamp<std::int64_t>(seconds, 0, kLatestEpochSeconds)));
}

core::SystemTime cap_token_expiry(core::SystemTime now, core::SystemTime expires_on,
                                  bool& clamped) {
  clamped = expires_on > now && expires_on - now > kMaxTokenLifetime;
  return clamped ? now + kMaxTokenLifetime : expires_on;
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

}  // namespace frankenetes::azure
