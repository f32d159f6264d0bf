#include "azure/arm_paths.h"

#include <algorithm>
#include <cctype>

#include "core/strings.h"
#include "http/message.h"
#include "http/url.h"

namespace frankenetes::azure {
namespace {

using core::to_lower;

std::string base(const ArmEndpoint& endpoint) {
  return std::string(core::trim_end(endpoint.resource_manager, "/"));
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

std::string arm_throttle_key(std::string_view url) {
  const auto subscription = subscription_of_url(url);
  return subscription.empty() ? http::url_origin(url) : "subscription:" + subscription;
}

std::string resource_group_of_id(std::string_view arm_id) {
  return segment_after(arm_id, "resourceGroups");
}

core::Status check_link(std::string_view resource_manager, const std::string& url,
                        std::string_view what, std::string_view operation) {
  const auto expected = http::url_origin(resource_manager);
  if (!expected.empty() && http::url_origin(url) == expected) return {};
  // Following it would hand our bearer token to another host.
  return core::make_error(core::ErrorKind::kTerminal,
                          std::string(operation) + ": refusing to follow " + std::string(what) +
                              " to '" + http::url_origin(url) +
                              "', which is not the resource manager " + expected);
}

}  // namespace frankenetes::azure
