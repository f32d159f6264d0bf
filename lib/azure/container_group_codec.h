#pragma once
// ARM JSON -> model for container groups (Container Groups REST API). Pure.
// LIST pages become ContainerGroupSummary (LIST carries no instanceView); a GET becomes
// ContainerGroupView with group and per-container instanceView. Unknown fields are ignored,
// unknown state strings are kept verbatim, an absent instanceView gives empty state/events.
// The structural members (properties, instanceView, containers) present with the wrong type
// are malformed, not absent: such a body would otherwise read as a group without state.
// Malformed JSON or a body that is not a container group gives a terminal Error whose message
// starts with "malformed"; parsing never throws.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "model/container_group.h"

namespace frankenetes::azure {

struct ContainerGroupPage {
  std::vector<model::ContainerGroupSummary> groups;
  std::optional<std::string> next_link;  // absent or null on the last page (§2.5)
};

core::Result<ContainerGroupPage> parse_container_group_list(std::string_view body);
core::Result<model::ContainerGroupView> parse_container_group(std::string_view body);
// The same for a PUT body (a member's spec): no name or id needed, no instanceView expected.
core::Result<model::ContainerGroupView> parse_container_group_spec(std::string_view body);

}  // namespace frankenetes::azure
