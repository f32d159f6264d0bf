#pragma once
// ACI JSON codec for the simulator: renders a ContainerGroup the way ARM returns it (secrets
// stripped, read-only fields filled in, instanceView only where GET has it) and validates
// PUT bodies with ARM's error codes. Pure.
//
// Shapes follow api-version 2023-05-01 / 2025-09-01 and the ACI swagger examples (checked,
// with the intentional divergences listed, by tests/sim/fixture_shape_test.cc).

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "sim/aci_model.h"

namespace frankenetes::sim {

struct ArmError {
  int status = 400;
  std::string code;
  std::string message;
};

// {"error":{"code":…,"message":…}}
nlohmann::json arm_error_body(const std::string& code, const std::string& message);

struct RenderOptions {
  std::string subscription_id;
  std::string tenant_id;
  std::string api_version;
  bool instance_view = false;  // GET: yes; LIST, PUT, DELETE bodies: no
  bool restart_count = true;   // false: container instance views leave restartCount out (a fault)
};

std::string container_group_id(const std::string& subscription_id, const std::string& resource_group,
                                const std::string& name);
nlohmann::json render_group(const ContainerGroup& group, const RenderOptions& options);
nlohmann::json render_operation(const AsyncOperation& op, const ContainerGroup* group,
                                const std::string& subscription_id);

// nullopt when the body is acceptable. `name` is the container group name from the path.
std::optional<ArmError> validate_container_group(const nlohmann::json& body, const std::string& name);

}  // namespace frankenetes::sim
