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

class ContainerGroupApi {
 public:
  virtual ~ContainerGroupApi() = default;

  virtual core::Result<std::vector<model::ContainerGroupSummary>> list(
      const std::string& subscription_id, const std::string& resource_group) = 0;
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

  core::Result<std::vector<model::ContainerGroupSummary>> list(
      const std::string& subscription_id, const std::string& resource_group) override {
    return client_.list_in_resource_group(subscription_id, resource_group);
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
