#include "plan/dependencies.h"

#include <gtest/gtest.h>

#include "plan/plan_test_util.h"

namespace frankenetes::plan {
namespace {

using namespace test_util;

std::vector<std::string> names(const std::vector<const config::MemberConfig*>& members) {
  std::vector<std::string> out;
  for (const auto* m : members) out.push_back(m->name);
  return out;
}

TEST(PlanningOrder, DependenciesFirstThenFileOrder) {
  // Written in the "wrong" order on purpose.
  const auto c = cluster("prod", {member("scheduler", {"apiserver"}), member("apiserver", {"etcd"}),
                                  member("dns-sidecar"), member("etcd")});
  EXPECT_EQ(names(planning_order(c)),
            (std::vector<std::string>{"dns-sidecar", "etcd", "apiserver", "scheduler"}));
}

TEST(PlanningOrder, UnknownNamesIgnoredAndCyclesTerminate) {
  const auto c = cluster("prod", {member("a", {"b"}), member("b", {"a"}), member("c", {"nope"})});
  EXPECT_EQ(names(planning_order(c)), (std::vector<std::string>{"c", "a", "b"}));
}

TEST(TransitiveDependencies, FollowsTheChainInPlanningOrder) {
  const auto c = control_plane();
  EXPECT_EQ(transitive_dependencies(c, "scheduler"),
            (std::vector<std::string>{"etcd", "apiserver"}));
  EXPECT_EQ(transitive_dependencies(c, "apiserver"), std::vector<std::string>{"etcd"});
  EXPECT_TRUE(transitive_dependencies(c, "etcd").empty());
  EXPECT_TRUE(transitive_dependencies(c, "nobody").empty());
}

TEST(TransitiveDependencies, CycleDoesNotIncludeTheMemberItself) {
  const auto c = cluster("prod", {member("a", {"b"}), member("b", {"a"})});
  EXPECT_EQ(transitive_dependencies(c, "a"), std::vector<std::string>{"b"});
}

}  // namespace
}  // namespace frankenetes::plan
