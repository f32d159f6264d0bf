#include "core/strings.h"

#include <gtest/gtest.h>

namespace frankenetes::core {
namespace {

TEST(Strings, ClosestMatchSuggestsPlausibleTypos) {
  const std::vector<std::string> keys{"pollInterval", "crashLoop", "backoff", "budget", "dryRun"};
  EXPECT_EQ(closest_match("pollIntervall", keys), "pollInterval");
  EXPECT_EQ(closest_match("dryrun", keys), "dryRun");  // case differences are free
  EXPECT_EQ(closest_match("backof", keys), "backoff");
  EXPECT_EQ(closest_match("zzzzzzzz", keys), "");
}

TEST(Strings, EditDistance) {
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
}

TEST(Strings, Split) {
  EXPECT_EQ(split("a.b.c", '.'), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(split("", '.'), (std::vector<std::string>{""}));
}

}  // namespace
}  // namespace frankenetes::core
