#pragma once
// ARM URLs for Microsoft.ContainerInstance/containerGroups (Container Groups REST API) and
// small URL helpers the clients need (subscription of a URL, throttling key). Pure.
// Every URL carries ?api-version (§2.4); path segments are percent-encoded.

#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace frankenetes::azure {

// 2023-05-01 is widely deployed and the container-group shape we read did not change up to
// 2025-09-01 (the containerInstance.json REST specs of both versions).
inline constexpr std::string_view kDefaultAciApiVersion = "2023-05-01";
inline constexpr std::string_view kPublicResourceManager = "https://management.azure.com";

struct ArmEndpoint {
  std::string resource_manager{kPublicResourceManager};  // no trailing slash needed
  std::string api_version{kDefaultAciApiVersion};
};

// Names one container group.
struct ContainerGroupRef {
  std::string subscription_id;
  std::string resource_group;
  std::string name;

  bool operator==(const ContainerGroupRef&) const = default;
  std::string to_string() const { return resource_group + "/" + name; }
};

enum class ContainerGroupAction { kRestart, kStop, kStart };
const char* to_string(ContainerGroupAction action);  // "restart" | "stop" | "start"

std::string container_groups_in_subscription_url(const ArmEndpoint& endpoint,
                                                 std::string_view subscription_id);
std::string container_groups_in_resource_group_url(const ArmEndpoint& endpoint,
                                                   std::string_view subscription_id,
                                                   std::string_view resource_group);
std::string container_group_url(const ArmEndpoint& endpoint, const ContainerGroupRef& group);
std::string container_group_action_url(const ArmEndpoint& endpoint, const ContainerGroupRef& group,
                                       ContainerGroupAction action);
// GET …/containers/{container}/logs; without `tail` ACI returns everything (capped at 4 MB).
std::string container_logs_url(const ArmEndpoint& endpoint, const ContainerGroupRef& group,
                               std::string_view container, std::optional<int> tail,
                               bool timestamps);

// The subscription id in ".../subscriptions/{id}/...", lower-cased; "" when there is none.
std::string subscription_of_url(std::string_view url);
// The http::ThrottleGate key of an ARM request: ARM throttles per subscription
// ("subscription:<id>"); URLs without one (Entra, IMDS) are keyed by origin.
std::string arm_throttle_key(std::string_view url);
// The resource group in an ARM id ("/subscriptions/s/resourceGroups/{rg}/..."), matched
// case-insensitively because ARM returns both spellings; "" when absent.
std::string resource_group_of_id(std::string_view arm_id);

// Whether a link in an ARM answer (nextLink, an operation status URL) may be followed: only to
// `resource_manager`'s origin, because the request carries our bearer token. kTerminal naming
// `what`, the origin and `operation` otherwise.
core::Status check_link(std::string_view resource_manager, const std::string& url,
                        std::string_view what, std::string_view operation);

}  // namespace frankenetes::azure
