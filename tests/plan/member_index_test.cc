#include "plan/member_index.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace frankenetes::plan {
namespace {

struct Item {
  model::MemberKey member;
  std::string what;
};

TEST(MemberIndex, FindsEachMemberAndTheFirstItemWins) {
  const std::vector<Item> items = {
      {{"prod", "etcd"}, "first"}, {{"dev", "etcd"}, "dev"}, {{"prod", "etcd"}, "second"}};
  const auto index = index_by_member(items);
  ASSERT_NE(find_in(index, {"prod", "etcd"}), nullptr);
  EXPECT_EQ(find_in(index, {"prod", "etcd"})->what, "first");
  EXPECT_EQ(find_in(index, {"dev", "etcd"}), &items[1]);
  EXPECT_EQ(find_in(index, {"prod", "apiserver"}), nullptr);
  EXPECT_EQ(find_in(index_by_member(std::vector<Item>{}), {"prod", "etcd"}), nullptr);
}

}  // namespace
}  // namespace frankenetes::plan
