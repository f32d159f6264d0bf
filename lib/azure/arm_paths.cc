#include "azure/arm_paths.h"

#include <algorithm>
#include <cctype>

#include "core/strings.h"
#include "http/message.h"

namespace frankenetes::azure {
namespace {

using core::to_lower;

std::string base(const ArmEndpoint& endpoint) {
  std::string out = endpoint.resource_manager;
  while (!out.empty() && out.back() == '/') out.pop_back();
  return out;
}

std::string seg(std::string_view s) { return http::percent_encode_component(s); }

std::string with_api_version(std::string url, const ArmEndpoint& endpoint) {
  url += "?api-version=";
  url += seg(endpoint.api_version);
  return url;
}

std::string group_path(const ArmEndpoint& endpoint, const ContainerGroupRef& group) {
  return base(endpoint) + "/subscriptions/" + seg(group.subscription_id) + "/resourceGroups/" +
         seg(group.resource_group) + "/providers/Microsoft.ContainerInstance/containerGroups/" +
         seg(group.name);
}

// The path segment following `/<name>/` (case-insensitive name), up to the next '/', '?' or
// '#'; "" when absent.
std::string segment_after(std::string_view text, std::string_view name) {
  const std::string haystack = to_lower(text);
  const std::string needle = "/" + to_lower(name) + "/";
  const auto at = haystack.find(needle);
  if (at == std::string::npos) return {};
  const auto start = at + needle.size();
  const auto end = text.find_first_of("/?#", start);
  return std::string(text.substr(start, end == std::string_view::npos ? end : end - start));
}

}  // namespace

const char* to_string(ContainerGroupAction action) {
  switch (action) {
    case ContainerGroupAction::kRestart:
      return "restart";
    case ContainerGroupAction::kStop:
      return "stop";
    case ContainerGroupAction::kStart:
      return "start";
  }
  return "unknown";
}

std::string container_groups_in_subscription_url(const ArmEndpoint& endpoint,
                                                 std::string_view subscription_id) {
  return with_api_version(base(endpoint) + "/subscriptions/" + seg(subscription_id) +
                              "/providers/Microsoft.ContainerInstance/containerGroups",
                          endpoint);
}

std::string container_groups_in_resource_group_url(const ArmEndpoint& endpoint,
                                                   std::string_view subscription_id,
                                                   std::string_view resource_group) {
  return with_api_version(base(endpoint) + "/subscriptions/" + seg(subscription_id) +
                              "/resourceGroups/" + seg(resource_group) +
                              "/providers/Microsoft.ContainerInstance/containerGroups",
                          endpoint);
}

std::string container_group_url(const ArmEndpoint& endpoint, const ContainerGroupRef& group) {
  return with_api_version(group_path(endpoint, group), endpoint);
}

std::string container_group_action_url(const ArmEndpoint& endpoint, const ContainerGroupRef& group,
                                       ContainerGroupAction action) {
  return with_api_version(group_path(endpoint, group) + "/" + to_string(action), endpoint);
}

std::string container_logs_url(const ArmEndpoint& endpoint, const ContainerGroupRef& group,
                               std::string_view container, std::optional<int> tail,
                               bool timestamps) {
  std::string url = with_api_version(
      group_path(endpoint, group) + "/containers/" + seg(container) + "/logs", endpoint);
  if (tail) url += "&tail=" + std::to_string(*tail);
  if (timestamps) url += "&timestamps=true";
  return url;
}

std::string subscription_of_url(std::string_view url) {
  return to_lower(segment_after(url, "subscriptions"));
}

std::string url_origin(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0) return {};
  const auto authority_start = scheme_end + 3;
  const auto authority_end = url.find_first_of("/?#", authority_start);
  const auto authority = url.substr(authority_start, authority_end == std::string_view::npos
                                                         ? std::string_view::npos
                                                         : authority_end - authority_start);
  // Userinfo ("user@host") is never legitimate in an ARM link; keep it in the origin so a
  // comparison against the configured endpoint fails rather than silently dropping it.
  if (authority.empty()) return {};
  const std::string scheme = to_lower(url.substr(0, scheme_end));
  std::string host = to_lower(authority);
  // The default port is the same origin as no port (RFC 6454 §4).
  const std::string_view default_port = scheme == "https" ? ":443" : scheme == "http" ? ":80" : "";
  if (!default_port.empty() && host.size() > default_port.size() &&
      host.compare(host.size() - default_port.size(), default_port.size(), default_port) == 0) {
    host.resize(host.size() - default_port.size());
  }
  return scheme + "://" + host;
}

std::string resource_group_of_id(std::string_view arm_id) {
  return segment_after(arm_id, "resourceGroups");
}

}  // namespace frankenetes::azure
