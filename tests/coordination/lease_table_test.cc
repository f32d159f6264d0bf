// LeaseTable: the fencing rule to the millisecond, send time as success time, unknown outcomes
// that never extend, and conflicts that drop a cluster at once.

#include "coordination/lease_table.h"

#include <gtest/gtest.h>

#include "support/fake_time_source.h"

namespace frankenetes::coordination {
namespace {

using namespace std::chrono_literals;
using frankenetes::testing::FakeTimeSource;

class LeaseTableTest : public ::testing::Test {
 protected:
  MonotonicTime now() const { return time_.monotonic_time(); }

  FakeTimeSource time_;
  LeaseTable table_{15s, 2s};
};

TEST_F(LeaseTableTest, NothingIsHeldAtFirst) {
  EXPECT_FALSE(table_.may_act("prod", now()));
  EXPECT_FALSE(table_.act_deadline("prod").has_value());
  EXPECT_TRUE(table_.held().empty());
}

TEST_F(LeaseTableTest, FencingBoundaryIsExactToTheMillisecond) {
  const auto sent = now();
  time_.advance(300ms);  // the answer arrives later; the send time counts
  table_.acquired("prod", sent);
  EXPECT_EQ(table_.act_deadline("prod"), sent + 13s);
  EXPECT_TRUE(table_.may_act("prod", sent + 12999ms));
  EXPECT_FALSE(table_.may_act("prod", sent + 13s));
  EXPECT_FALSE(table_.may_act("prod", sent + 13001ms));
  // Still believed held: only a renew can tell whether it is still ours.
  EXPECT_TRUE(table_.held_by_us("prod"));
}

TEST_F(LeaseTableTest, RenewMovesTheDeadlineFromItsSendTime) {
  const auto start = now();
  table_.acquired("prod", start);
  const auto renew_sent = start + 5s;
  table_.renewed("prod", renew_sent);  // answered, say, 10 s later: still from 5 s
  EXPECT_EQ(table_.act_deadline("prod"), renew_sent + 13s);
  EXPECT_TRUE(table_.may_act("prod", start + 17999ms));
  EXPECT_FALSE(table_.may_act("prod", start + 18s));
}

TEST_F(LeaseTableTest, AnOlderRenewAnsweredLateNeverShortensTheDeadline) {
  const auto start = now();
  table_.acquired("prod", start + 10s);
  table_.renewed("prod", start + 5s);
  EXPECT_EQ(table_.act_deadline("prod"), start + 23s);
}

TEST_F(LeaseTableTest, AConflictOnRenewDropsTheClusterAtOnce) {
  const auto start = now();
  table_.acquired("prod", start);
  ASSERT_TRUE(table_.may_act("prod", start + 1s));
  table_.lost("prod");
  EXPECT_FALSE(table_.may_act("prod", start + 1s));
  EXPECT_FALSE(table_.held_by_us("prod"));
  EXPECT_EQ(table_.find("prod")->holding, LeaseHolding::kHeldByOthers);
  // A late success of an earlier renew does not bring it back.
  table_.renewed("prod", start + 1s);
  EXPECT_FALSE(table_.may_act("prod", start + 2s));
}

TEST_F(LeaseTableTest, ReleaseStopsActingAtOnce) {
  table_.acquired("prod", now());
  table_.released("prod");
  EXPECT_FALSE(table_.may_act("prod", now()));
  EXPECT_EQ(table_.find("prod")->holding, LeaseHolding::kUnknown);
}

TEST_F(LeaseTableTest, ListingsDoNotOverrideOurHolding) {
  const auto start = now();
  table_.acquired("prod", start);
  table_.observe("prod", LeaseSighting::kFree, start + 1s);
  table_.observe("prod", LeaseSighting::kUnknown, start + 1s);
  EXPECT_TRUE(table_.may_act("prod", start + 2s));
}

TEST_F(LeaseTableTest, FreeSinceIsTheFirstOfAnUnbrokenRunOfFreeSightings) {
  const auto start = now();
  table_.observe("prod", LeaseSighting::kFree, start);
  table_.observe("prod", LeaseSighting::kFree, start + 5s);
  EXPECT_EQ(table_.find("prod")->free_since, start);
  table_.observe("prod", LeaseSighting::kLeased, start + 10s);
  EXPECT_EQ(table_.find("prod")->holding, LeaseHolding::kHeldByOthers);
  EXPECT_FALSE(table_.find("prod")->free_since.has_value());
  table_.observe("prod", LeaseSighting::kFree, start + 15s);
  EXPECT_EQ(table_.find("prod")->free_since, start + 15s);
}

TEST_F(LeaseTableTest, AnAcquireInDoubtStaysInDoubtWhileTheBlobLooksLeased) {
  table_.acquire_unknown("prod");
  table_.observe("prod", LeaseSighting::kLeased, now());
  EXPECT_TRUE(table_.find("prod")->acquire_in_doubt);
  EXPECT_FALSE(table_.may_act("prod", now()));
  table_.acquired("prod", now());
  EXPECT_FALSE(table_.find("prod")->acquire_in_doubt);
  EXPECT_TRUE(table_.may_act("prod", now()));
}

TEST_F(LeaseTableTest, CreatedBlobIsFree) {
  table_.observe("prod", LeaseSighting::kMissing, now());
  table_.created("prod", now());
  EXPECT_EQ(table_.find("prod")->holding, LeaseHolding::kFree);
  EXPECT_EQ(table_.find("prod")->free_since, now());
}

TEST_F(LeaseTableTest, HeldIsSorted) {
  table_.acquired("b", now());
  table_.acquired("a", now());
  table_.observe("c", LeaseSighting::kFree, now());
  EXPECT_EQ(table_.held(), (std::vector<std::string>{"a", "b"}));
}

}  // namespace
}  // namespace frankenetes::coordination
