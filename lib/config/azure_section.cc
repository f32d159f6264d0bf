// azure: which cloud, which subscription, and how to authenticate.

#include <cctype>

#include "config/sections.h"
#include "config/value_syntax.h"
#include "core/strings.h"

namespace frankenetes::config {
namespace {

std::string without_trailing_slash(std::string_view url) {
  return std::string(core::trim_end(url, "/"));
}

// `cloud:` is either a well-known cloud's name or a map of endpoints (custom clouds and the
// simulator).
Cloud parse_cloud(const Node& node, const Cloud& fallback) {
  if (node.is_scalar()) {
    const auto name = node.as_string();
    if (!name) return fallback;
    if (auto cloud = well_known_cloud(*name)) return *cloud;
    std::string names;
    for (const auto& cloud : well_known_clouds()) names += cloud.name + ", ";
    node.report("invalid value \"" + *name + "\" (expected one of: " + names +
                "or a map with \"resourceManager\" and \"authority\")");
    return fallback;
  }
  MapReader map(node);
  Cloud cloud{"custom", "", "", ""};
  read_secure_url(map, "resourceManager", cloud.resource_manager, Presence::kRequired);
  read_secure_url(map, "authority", cloud.authority, Presence::kRequired);
  read_secure_url(map, "scope", cloud.scope, Presence::kOptional);
  map.finish();
  cloud.resource_manager = without_trailing_slash(cloud.resource_manager);
  cloud.authority = without_trailing_slash(cloud.authority);
  if (cloud.scope.empty()) cloud.scope = cloud.resource_manager + "/.default";
  return cloud;
}

AzureAuthConfig parse_auth(const Node& node) {
  MapReader map(node);
  AzureAuthConfig auth;
  map.read_enum("method", auth.method, kAuthMethodNames);
  map.read_string("clientId", auth.client_id);
  auth.client_secret = map.read_secret("clientSecret", "clientSecretFile", Presence::kOptional);
  map.read_path("federatedTokenFile", auth.federated_token_file);
  map.read_string("managedIdentityClientId", auth.managed_identity_client_id);
  // IMDS is plain http on a link-local address by design; tokens never leave the host.
  read_secure_url(map, "imdsEndpoint", auth.imds_endpoint, Presence::kOptional, "169.254.169.254");
  map.read_path("tokenFile", auth.token_file);

  // workloadIdentity and default may take client and tenant from AZURE_* variables at run time,
  // so only the methods that cannot are checked here.
  const std::string needed_by =
      " (needed by auth method \"" + std::string(to_string(auth.method)) + "\")";
  if (auth.method == AuthMethod::kClientSecret) {
    if (!map.has("clientId")) map.report("missing required key \"clientId\"" + needed_by);
    if (!map.has("clientSecret") && !map.has("clientSecretFile")) {
      map.report("missing required key \"clientSecretFile\" or \"clientSecret\"" + needed_by);
    }
  }
  if (auth.method == AuthMethod::kStatic && !map.has("tokenFile")) {
    map.report("missing required key \"tokenFile\"" + needed_by);
  }
  map.finish();
  return auth;
}

// ARM api-version: a date, optionally "-preview".
bool is_api_version(std::string_view text) {
  if (text.ends_with("-preview")) text.remove_suffix(8);
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i != 4 && i != 7 && !std::isdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return true;
}

}  // namespace

AzureConfig parse_azure(const Node& node) {
  MapReader map(node);
  AzureConfig azure;
  if (const auto cloud = map.get("cloud")) azure.cloud = parse_cloud(*cloud, azure.cloud);
  read_guid(map, "subscriptionId", azure.subscription_id, Presence::kRequired, "subscription ID");
  if (const auto tenant = map.get("tenantId")) {
    if (auto text = tenant->as_string()) {
      if (is_guid(*text) || is_domain_name(*text)) {
        azure.tenant_id = std::move(*text);
      } else {
        tenant->report("invalid tenant ID \"" + *text +
                       "\": expected a GUID or a domain such as contoso.onmicrosoft.com");
      }
    }
  }
  if (const auto auth = map.get("auth")) azure.auth = parse_auth(*auth);
  map.read_path("caFile", azure.ca_file);
  if (const auto version = map.get("apiVersion")) {
    if (auto text = version->as_string()) {
      if (is_api_version(*text)) {
        azure.api_version = std::move(*text);
      } else {
        version->report("invalid API version \"" + *text +
                        "\": expected a date such as 2023-05-01, optionally with \"-preview\"");
      }
    }
  }
  map.read_duration("requestTimeout", azure.request_timeout, kMinTimeout);
  if (azure.auth.method == AuthMethod::kClientSecret && !map.has("tenantId")) {
    map.report("missing required key \"tenantId\" (needed by auth method \"clientSecret\")");
  }
  map.finish();
  return azure;
}

}  // namespace frankenetes::config
