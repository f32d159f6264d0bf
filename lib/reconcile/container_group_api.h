#pragma once
// ContainerGroupApi: the narrow seam between the reconciler and ARM — the container-group
// reads the GroupObserver needs and the mutations the AciActionExecutor sends. Blocking; called
// on worker threads. AciContainerGroupApi adapts azure::AciClient; tests substitute a fake
// that answers from a table and records calls, so neither observation cadence nor the action
// ladder needs HTTP to be tested.

#include <string>
#include <vector>

#include "azure/aci_client.h"
#include "azure/arm_paths.h"
#include "core/result.h"
#include "model/container_group.h"

namespace frankenetes::reconcile {

using azure::ContainerGroupRef;

// One LIST, every page of it.
struct GroupListing {
  std::vector<model::ContainerGroupSummary> groups;
  std::size_t pages = 1;  // the ARM reads it took
};

class ContainerGroupApi {
 public:
  virtual ~ContainerGroupApi() = default;

  // resource_group "": every container group in the subscription.
  virtual core::Result<GroupListing> list(const std::string& subscription_id,
                                          const std::string& resource_group) = 0;
  // A missing group is an Error of kind kNotFound.
  virtual core::Result<model::ContainerGroupView> get(const ContainerGroupRef& group) = 0;

  virtual core::Status restart(const ContainerGroupRef& group) = 0;
  virtual core::Status stop(const ContainerGroupRef& group) = 0;
  virtual core::Status start(const ContainerGroupRef& group) = 0;
  virtual core::Status delete_group(const ContainerGroupRef& group) = 0;
  virtual core::Status create_or_update(const ContainerGroupRef& group,
                                        const std::string& spec_json) = 0;
};

class AciContainerGroupApi final : public ContainerGroupApi {
 public:
  explicit AciContainerGroupApi(azure::AciClient& client) : client_(client) {}

  core::Result<GroupListing> list(const std::string& subscription_id,
                                  const std::string& resource_group) override {
    std::size_t pages = 0;
    auto groups = resource_group.empty()
                      ? client_.list_in_subscription(subscription_id, &pages)
                      : client_.list_in_resource_group(subscription_id, resource_group, &pages);
    if (!groups.ok()) return groups.error();
    return GroupListing{std::move(groups.value()), pages};
  }
  core::Result<model::ContainerGroupView> get(const ContainerGroupRef& group) override {
    return client_.get(group);
  }
  core::Status restart(const ContainerGroupRef& group) override { return client_.restart(group); }
  core::Status stop(const ContainerGroupRef& group) override { return client_.stop(group); }
  core::Status start(const ContainerGroupRef& group) override { return client_.start(group); }
  core::Status delete_group(const ContainerGroupRef& group) override {
    return client_.delete_group(group);
  }
  core::Status create_or_update(const ContainerGroupRef& group,
                                const std::string& spec_json) override {
    auto result = client_.create_or_update(group, spec_json);
    if (!result.ok()) return result.error();
    return {};
  }

 private:
  azure::AciClient& client_;
};

}  // namespace frankenetes::reconcile
