#include "sim/identity.h"

#include <nlohmann/json.hpp>

#include "core/strings.h"

namespace frankenetes::sim {

namespace {

constexpr const char* kJwtBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

std::string strip_slash(std::string_view s) { return std::string(core::trim_end(s, "/")); }

http::Response json_response(int status, const nlohmann::json& body) {
  http::Response r;
  r.status = status;
  r.headers["Content-Type"] = "application/json; charset=utf-8";
  r.headers["Cache-Control"] = "no-store, no-cache";
  r.body = body.dump();
  return r;
}

// Basic auth "client_id:client_secret" (RFC 6749 §2.3.1 allows it for the token endpoint).
std::optional<std::pair<std::string, std::string>> basic_credentials(const std::string& header) {
  if (!core::starts_with(header, "Basic ")) return std::nullopt;
  bool ok = false;
  const auto decoded = base64url_decode(header.substr(6), &ok);
  if (!ok) return std::nullopt;
  const auto colon = decoded.find(':');
  if (colon == std::string::npos) return std::nullopt;
  bool ok1 = false, ok2 = false;
  auto id = http::percent_decode_component(decoded.substr(0, colon), true, &ok1);
  auto secret = http::percent_decode_component(decoded.substr(colon + 1), true, &ok2);
  if (!ok1 || !ok2) return std::nullopt;
  return std::make_pair(id, secret);
}

}  // namespace

std::optional<std::map<std::string, std::string>> parse_form(const std::string& body) {
  std::map<std::string, std::string> out;
  if (body.empty()) return out;
  for (const auto& part : core::split(body, '&')) {
    if (part.empty()) continue;
    const auto eq = part.find('=');
    bool ok1 = false, ok2 = true;
    auto key = http::percent_decode_component(part.substr(0, eq), true, &ok1);
    std::string value;
    if (eq != std::string::npos) value = http::percent_decode_component(part.substr(eq + 1), true, &ok2);
    if (!ok1 || !ok2) return std::nullopt;
    out[key] = value;
  }
  return out;
}

bool is_arm_audience(const std::string& audience) {
  const auto a = core::to_lower(strip_slash(audience));
  return a == "https://management.azure.com" || a == "https://management.core.windows.net";
}

Identity::Identity(IdentitySettings settings, const core::TimeSource& time, Random& random)
    : settings_(std::move(settings)), time_(time), random_(random) {}

void Identity::prune() {
  if (tokens_.size() < 10000) return;
  const auto now = time_.system_time();
  for (auto it = tokens_.begin(); it != tokens_.end();) {
    it = it->second.expires + std::chrono::hours(1) < now ? tokens_.erase(it) : std::next(it);
  }
}

std::string Identity::issue(const std::string& audience, const std::string& client_id) {
  prune();
  const auto now = time_.system_time();
  const auto expires = now + std::chrono::duration_cast<core::SystemTime::duration>(settings_.token_lifetime);
  const nlohmann::json header = {{"typ", "JWT"}, {"alg", "RS256"}, {"kid", "frankenetes-sim"}};
  const nlohmann::json payload = {
      {"aud", audience},
      {"iss", "https://sts.windows.net/" + settings_.tenant_id + "/"},
      {"iat", epoch_seconds(now)},
      {"nbf", epoch_seconds(now)},
      {"exp", epoch_seconds(expires)},
      {"appid", client_id},
      {"tid", settings_.tenant_id},
      {"oid", "00000000-0000-0000-0000-0000000000b1"},
      {"sub", "00000000-0000-0000-0000-0000000000b1"},
      {"jti", make_guid(random_)},
      {"ver", "1.0"}};
  const auto token = base64url_encode(header.dump()) + "." + base64url_encode(payload.dump()) + "." +
                     base64url_encode(random_hex(random_, 32));
  tokens_[token] = Issued{client_id, audience, expires};
  return token;
}

http::Response Identity::aad_error(int status, const std::string& error, int code,
                                   const std::string& description) {
  const auto now = time_.system_time();
  const auto trace = make_guid(random_);
  const auto correlation = make_guid(random_);
  auto stamp = format_time_seconds(now);
  stamp[10] = ' ';  // Entra prints "2026-01-01 00:00:00Z"
  const std::string full = "AADSTS" + std::to_string(code) + ": " + description + " Trace ID: " +
                           trace + " Correlation ID: " + correlation + " Timestamp: " + stamp;
  return json_response(status, {{"error", error},
                                {"error_description", full},
                                {"error_codes", {code}},
                                {"timestamp", stamp},
                                {"trace_id", trace},
                                {"correlation_id", correlation},
                                {"error_uri", settings_.authority + "/error?code=" + std::to_string(code)}});
}

http::Response Identity::token_endpoint(const http::Request& request, const std::string& tenant) {
  if (request.method != "POST") {
    return aad_error(405, "invalid_request", 900561,
                     "The endpoint only accepts POST requests. Received a " + request.method + " request.");
  }
  if (core::to_lower(tenant) != core::to_lower(settings_.tenant_id)) {
    return aad_error(400, "invalid_request", 90002,
                     "Tenant '" + tenant + "' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.");
  }
  const auto form = parse_form(request.body);
  if (!form) return aad_error(400, "invalid_request", 900144, "The request body is not valid form data.");
  const auto get = [&](const char* k) -> std::string {
    const auto it = form->find(k);
    return it == form->end() ? std::string() : it->second;
  };
  auto client_id = get("client_id");
  auto client_secret = get("client_secret");
  if (const auto basic = basic_credentials(request.header("Authorization"))) {
    if (client_id.empty()) client_id = basic->first;
    if (client_secret.empty()) client_secret = basic->second;
  }
  const auto grant_type = get("grant_type");
  if (grant_type.empty()) {
    return aad_error(400, "invalid_request", 900144,
                     "The request body must contain the following parameter: 'grant_type'.");
  }
  if (grant_type != "client_credentials") {
    return aad_error(400, "unsupported_grant_type", 70003,
                     "The app requested an unsupported grant type '" + grant_type + "'.");
  }
  if (client_id.empty()) {
    return aad_error(400, "invalid_request", 900144,
                     "The request body must contain the following parameter: 'client_id'.");
  }
  if (client_id != settings_.client_id) {
    return aad_error(400, "unauthorized_client", 700016,
                     "Application with identifier '" + client_id + "' was not found in the directory '" +
                         settings_.tenant_id + "'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.");
  }
  const auto scope = get("scope");
  if (scope.empty()) {
    return aad_error(400, "invalid_request", 900144,
                     "The request body must contain the following parameter: 'scope'.");
  }
  const std::string suffix = "/.default";
  if (scope.size() <= suffix.size() || scope.compare(scope.size() - suffix.size(), suffix.size(), suffix) != 0 ||
      scope.find(' ') != std::string::npos) {
    return aad_error(400, "invalid_scope", 1002012,
                     "The provided value for scope " + scope +
                         " is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).");
  }
  const auto assertion = get("client_assertion");
  if (!client_secret.empty()) {
    if (client_secret != settings_.client_secret.reveal()) {
      return aad_error(401, "invalid_client", 7000215,
                       "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '" +
                           client_id + "'.");
    }
  } else if (!assertion.empty()) {
    if (get("client_assertion_type") != kJwtBearer) {
      return aad_error(400, "invalid_request", 700024,
                       "client_assertion_type must be '" + std::string(kJwtBearer) + "'.");
    }
    if (settings_.client_assertion && assertion != *settings_.client_assertion) {
      return aad_error(400, "invalid_client", 70021,
                       "No matching federated identity record found for presented assertion.");
    }
  } else {
    return aad_error(401, "invalid_client", 7000216,
                     "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.");
  }
  const auto resource = scope.substr(0, scope.size() - suffix.size());
  // ARM tokens carry the v1 audience with a trailing slash.
  const auto audience = is_arm_audience(resource) ? strip_slash(resource) + "/" : resource;
  const auto token = issue(audience, client_id);
  const auto lifetime = std::chrono::duration_cast<std::chrono::seconds>(settings_.token_lifetime).count();
  return json_response(200, {{"token_type", "Bearer"},
                             {"expires_in", lifetime},
                             {"ext_expires_in", lifetime},
                             {"access_token", token}});
}

http::Response Identity::openid_configuration(const std::string& tenant) const {
  const auto base = settings_.authority + "/" + tenant;
  return json_response(200, {{"token_endpoint", base + "/oauth2/v2.0/token"},
                             {"token_endpoint_auth_methods_supported",
                              {"client_secret_post", "private_key_jwt", "client_secret_basic"}},
                             {"jwks_uri", base + "/discovery/v2.0/keys"},
                             {"response_types_supported", {"code", "id_token", "code id_token", "id_token token"}},
                             {"subject_types_supported", {"pairwise"}},
                             {"id_token_signing_alg_values_supported", {"RS256"}},
                             {"issuer", settings_.authority + "/" + settings_.tenant_id + "/v2.0"},
                             {"authorization_endpoint", base + "/oauth2/v2.0/authorize"},
                             {"tenant_region_scope", "EU"},
                             {"cloud_instance_name", "microsoftonline.com"}});
}

http::Response Identity::imds(const http::Request& request) {
  // IMDS rejects requests without the Metadata header (SSRF protection), and via proxies.
  if (core::to_lower(request.header("Metadata")) != "true") {
    return json_response(400, {{"error", "invalid_request"},
                               {"error_description", "Required metadata header not specified"}});
  }
  if (request.method != "GET") {
    return json_response(405, {{"error", "invalid_request"},
                               {"error_description", "Only GET is supported"}});
  }
  if (!request.query_param("api-version")) {
    return json_response(400, {{"error", "invalid_request"},
                               {"error_description", "Required query variable 'api-version' is missing"}});
  }
  const auto resource = request.query_param("resource");
  if (!resource || resource->empty()) {
    return json_response(400, {{"error", "invalid_request"},
                               {"error_description", "Required query variable 'resource' is missing"}});
  }
  if (const auto wanted = request.query_param("client_id"); wanted && *wanted != settings_.client_id) {
    return json_response(400, {{"error", "invalid_request"},
                               {"error_description", "Identity not found"}});
  }
  const auto now = time_.system_time();
  const auto audience = is_arm_audience(*resource) ? strip_slash(*resource) + "/" : *resource;
  const auto token = issue(audience, settings_.client_id);
  const auto lifetime = std::chrono::duration_cast<std::chrono::seconds>(settings_.token_lifetime).count();
  // IMDS prints the expiry fields as strings (reference §3.3).
  return json_response(200, {{"access_token", token},
                             {"client_id", settings_.client_id},
                             {"expires_in", std::to_string(lifetime)},
                             {"expires_on", std::to_string(epoch_seconds(now) + lifetime)},
                             {"ext_expires_in", std::to_string(lifetime)},
                             {"not_before", std::to_string(epoch_seconds(now))},
                             {"refresh_token", ""},
                             {"resource", *resource},
                             {"token_type", "Bearer"}});
}

TokenCheck Identity::check(const std::string& authorization) const {
  TokenCheck out;
  if (authorization.empty()) return out;
  if (authorization.size() < 8 || core::to_lower(authorization.substr(0, 7)) != "bearer ") {
    out.status = TokenStatus::kMalformed;
    return out;
  }
  const auto token = authorization.substr(7);
  const auto it = tokens_.find(token);
  if (it == tokens_.end()) {
    out.status = token.find('.') == std::string::npos ? TokenStatus::kMalformed : TokenStatus::kUnknown;
    return out;
  }
  out.client_id = it->second.client_id;
  out.audience = it->second.audience;
  out.expires = it->second.expires;
  if (time_.system_time() >= it->second.expires) {
    out.status = TokenStatus::kExpired;
  } else if (!is_arm_audience(it->second.audience)) {
    out.status = TokenStatus::kWrongAudience;
  } else {
    out.status = TokenStatus::kValid;
  }
  return out;
}

}  // namespace frankenetes::sim
