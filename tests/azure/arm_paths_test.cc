#include "azure/arm_paths.h"

#include <gtest/gtest.h>

namespace frankenetes::azure {
namespace {

const ContainerGroupRef kGroup{"00000000-0000-0000-0000-000000000000", "demo", "demo1"};
constexpr const char* kPrefix =
    "https://management.azure.com/subscriptions/00000000-0000-0000-0000-000000000000";

TEST(ArmPaths, ListUrlsCarryTheDefaultApiVersion) {
  const ArmEndpoint endpoint;
  EXPECT_EQ(container_groups_in_subscription_url(endpoint, kGroup.subscription_id),
            std::string(kPrefix) +
                "/providers/Microsoft.ContainerInstance/containerGroups?api-version=2023-05-01");
  EXPECT_EQ(container_groups_in_resource_group_url(endpoint, kGroup.subscription_id, "demo"),
            std::string(kPrefix) +
                "/resourceGroups/demo/providers/Microsoft.ContainerInstance/containerGroups"
                "?api-version=2023-05-01");
}

TEST(ArmPaths, GroupActionAndLogsUrls) {
  const ArmEndpoint endpoint{"https://sim.local:8443/", "2025-09-01"};
  const std::string group =
      "https://sim.local:8443/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/"
      "demo/providers/Microsoft.ContainerInstance/containerGroups/demo1";
  EXPECT_EQ(container_group_url(endpoint, kGroup), group + "?api-version=2025-09-01");
  EXPECT_EQ(container_group_action_url(endpoint, kGroup, ContainerGroupAction::kRestart),
            group + "/restart?api-version=2025-09-01");
  EXPECT_EQ(container_group_action_url(endpoint, kGroup, ContainerGroupAction::kStop),
            group + "/stop?api-version=2025-09-01");
  EXPECT_EQ(container_group_action_url(endpoint, kGroup, ContainerGroupAction::kStart),
            group + "/start?api-version=2025-09-01");
  EXPECT_EQ(container_logs_url(endpoint, kGroup, "etcd", 100, true),
            group + "/containers/etcd/logs?api-version=2025-09-01&tail=100&timestamps=true");
}

TEST(ArmPaths, SegmentsArePercentEncoded) {
  const ContainerGroupRef odd{"sub", "rg (prod)", "a/b"};
  EXPECT_EQ(container_group_url(ArmEndpoint{}, odd),
            "https://management.azure.com/subscriptions/sub/resourceGroups/rg%20%28prod%29/"
            "providers/Microsoft.ContainerInstance/containerGroups/a%2Fb?api-version=2023-05-01");
}

TEST(ArmPaths, SubscriptionAndResourceGroupHelpers) {
  EXPECT_EQ(subscription_of_url("https://x/subscriptions/ABC-1/providers/p?x=1"), "abc-1");
  EXPECT_EQ(subscription_of_url("https://x/SUBSCRIPTIONS/AbC?x=1"), "abc");
  EXPECT_EQ(subscription_of_url("https://login.microsoftonline.com/t/oauth2/v2.0/token"), "");
  EXPECT_EQ(resource_group_of_id("/subscriptions/s/resourcegroups/Demo/providers/x/y/z"), "Demo");
  EXPECT_EQ(resource_group_of_id("/subscriptions/s"), "");
}

// ARM is throttled per subscription, so its ThrottleGate is keyed by it.
TEST(ArmPaths, ThrottleKeyIsTheSubscriptionElseTheOrigin) {
  EXPECT_EQ(arm_throttle_key(
                "https://management.azure.com/subscriptions/ABC/resourceGroups/r?api-version=1"),
            "subscription:abc");
  EXPECT_EQ(arm_throttle_key("https://management.azure.com/subscriptions/abc/providers/"
                             "Microsoft.ContainerInstance/locations/x/operations/y"),
            "subscription:abc");
  EXPECT_EQ(arm_throttle_key("https://login.microsoftonline.com/t/oauth2/v2.0/token"),
            "https://login.microsoftonline.com");
}

}  // namespace
}  // namespace frankenetes::azure
