#include "plan/dependencies.h"

#include <algorithm>
#include <cstddef>

namespace frankenetes::plan {
namespace {

constexpr std::size_t kNone = static_cast<std::size_t>(-1);

// The index of the member called `name`, kNone when there is none. Names and indices rather
// than sets of strings: the planner asks for every member of every cluster in every pass, and
// a control plane has a handful of members.
std::size_t index_of(const config::ClusterConfig& cluster, std::string_view name) {
  for (std::size_t i = 0; i < cluster.members.size(); ++i) {
    if (cluster.members[i].name == name) return i;
  }
  return kNone;
}

std::vector<std::size_t> planning_indices(const config::ClusterConfig& cluster) {
  const std::size_t n = cluster.members.size();
  std::vector<std::size_t> order;
  order.reserve(n);
  std::vector<bool> placed(n, false);
  // Quadratic, and that is fine: a control plane has a handful of members.
  while (order.size() < n) {
    bool progressed = false;
    for (std::size_t i = 0; i < n; ++i) {
      if (placed[i]) continue;
      const auto& member = cluster.members[i];
      const bool ready = std::all_of(member.depends_on.begin(), member.depends_on.end(),
                                     [&](const std::string& dep) {
                                       if (dep == member.name) return true;
                                       const std::size_t j = index_of(cluster, dep);
                                       return j == kNone || placed[j];
                                     });
      if (!ready) continue;
      order.push_back(i);
      placed[i] = true;
      progressed = true;
      break;  // restart from the top so file order decides among the ready ones
    }
    if (!progressed) {
      for (std::size_t i = 0; i < n; ++i) {
        if (!placed[i]) order.push_back(i);
      }
      break;
    }
  }
  return order;
}

}  // namespace

std::vector<const config::MemberConfig*> planning_order(const config::ClusterConfig& cluster) {
  std::vector<const config::MemberConfig*> order;
  for (const std::size_t i : planning_indices(cluster)) order.push_back(&cluster.members[i]);
  return order;
}

std::vector<std::size_t> transitive_dependency_indices(const config::ClusterConfig& cluster,
                                                       std::string_view member) {
  std::vector<bool> seen(cluster.members.size(), false);
  std::vector<std::size_t> pending;
  const auto push_dependencies = [&](std::size_t i) {
    for (const auto& dep : cluster.members[i].depends_on) {
      if (const std::size_t j = index_of(cluster, dep); j != kNone) pending.push_back(j);
    }
  };
  if (const std::size_t start = index_of(cluster, member); start != kNone) {
    push_dependencies(start);
  }
  while (!pending.empty()) {
    const std::size_t j = pending.back();
    pending.pop_back();
    if (cluster.members[j].name == member || seen[j]) continue;
    seen[j] = true;
    push_dependencies(j);
  }
  std::vector<std::size_t> ordered;
  for (const std::size_t i : planning_indices(cluster)) {
    if (seen[i]) ordered.push_back(i);
  }
  return ordered;
}

std::vector<std::string> transitive_dependencies(const config::ClusterConfig& cluster,
                                                 std::string_view member) {
  std::vector<std::string> names;
  for (const std::size_t i : transitive_dependency_indices(cluster, member)) {
    names.push_back(cluster.members[i].name);
  }
  return names;
}

}  // namespace frankenetes::plan
