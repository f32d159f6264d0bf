#include "plan/dependencies.h"

#include <algorithm>
#include <set>

namespace frankenetes::plan {
namespace {

const config::MemberConfig* find_member(const config::ClusterConfig& cluster,
                                        std::string_view name) {
  for (const auto& member : cluster.members) {
    if (member.name == name) return &member;
  }
  return nullptr;
}

}  // namespace

std::vector<const config::MemberConfig*> planning_order(const config::ClusterConfig& cluster) {
  std::vector<const config::MemberConfig*> order;
  std::set<std::string> placed;
  // Quadratic, and that is fine: a control plane has a handful of members.
  while (order.size() < cluster.members.size()) {
    bool progressed = false;
    for (const auto& member : cluster.members) {
      if (placed.contains(member.name)) continue;
      const bool ready = std::all_of(
          member.depends_on.begin(), member.depends_on.end(), [&](const std::string& dep) {
            return placed.contains(dep) || find_member(cluster, dep) == nullptr ||
                   dep == member.name;
          });
      if (!ready) continue;
      order.push_back(&member);
      placed.insert(member.name);
      progressed = true;
      break;  // restart from the top so file order decides among the ready ones
    }
    if (!progressed) {
      for (const auto& member : cluster.members) {
        if (!placed.contains(member.name)) order.push_back(&member);
      }
      break;
    }
  }
  return order;
}

std::vector<std::string> transitive_dependencies(const config::ClusterConfig& cluster,
                                                 std::string_view member) {
  std::set<std::string> seen;
  std::vector<std::string> pending;
  if (const auto* start = find_member(cluster, member)) pending = start->depends_on;
  while (!pending.empty()) {
    std::string name = std::move(pending.back());
    pending.pop_back();
    const auto* dep = find_member(cluster, name);
    if (dep == nullptr || name == member || !seen.insert(name).second) continue;
    pending.insert(pending.end(), dep->depends_on.begin(), dep->depends_on.end());
  }
  std::vector<std::string> ordered;
  for (const auto* m : planning_order(cluster)) {
    if (seen.contains(m->name)) ordered.push_back(m->name);
  }
  return ordered;
}

}  // namespace frankenetes::plan
