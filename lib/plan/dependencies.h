#pragma once
// The dependency graph of a cluster's members (members[].dependsOn): the order in which the
// planner visits them and the transitive dependencies of each. Config validation rejects
// cycles and unknown names; these functions still terminate on such input (unknown names
// are ignored, members on a cycle come last in file order) so the planner never hangs.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "config/types.h"

namespace frankenetes::plan {

// The cluster's members with every member after all members it depends on; among members
// that are free to go next, file order.
std::vector<const config::MemberConfig*> planning_order(const config::ClusterConfig& cluster);

// Names of every member that `member` depends on directly or transitively, in planning order.
std::vector<std::string> transitive_dependencies(const config::ClusterConfig& cluster,
                                                 std::string_view member);
// The same as indices into cluster.members (for callers that keep per-member state by index).
std::vector<std::size_t> transitive_dependency_indices(const config::ClusterConfig& cluster,
                                                       std::string_view member);

}  // namespace frankenetes::plan
