// plan_lease_operations(): the fair share, what is renewed, acquired and released on one tick,
// the orphan rule and the paced release of an excess; and ReplicaLiveness, which feeds it.

#include "coordination/lease_plan.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "coordination/replica_liveness.h"
#include "support/fake_time_source.h"

namespace frankenetes::coordination {
namespace {

using namespace std::chrono_literals;
using frankenetes::testing::FakeTimeSource;

TEST(FairShare, SplitsExactlyAmongSortedLiveReplicas) {
  const std::vector<std::string> three{"a", "b", "c"};
  EXPECT_EQ(fair_share(30, three, "a"), 10);
  EXPECT_EQ(fair_share(4, three, "a"), 2);
  EXPECT_EQ(fair_share(4, three, "b"), 1);
  EXPECT_EQ(fair_share(4, three, "c"), 1);
  EXPECT_EQ(fair_share(2, three, "c"), 0);
  EXPECT_EQ(fair_share(4, three, "d"), 0);  // not live
  const std::vector<std::string> one{"a"};
  EXPECT_EQ(fair_share(7, one, "a"), 7);
  for (std::size_t clusters : {0U, 1U, 4U, 29U, 30U, 31U}) {
    int total = 0;
    for (const auto& replica : three) total += fair_share(clusters, three, replica);
    EXPECT_EQ(total, static_cast<int>(clusters));
  }
}

class LeasePlanTest : public ::testing::Test {
 protected:
  LeasePlan plan() {
    LeasePlanInput input{.self = "a",
                         .clusters = clusters_,
                         .live_replicas = live_,
                         .reported_holdings = reported_,
                         .table = &table_,
                         .now = now(),
                         .renew_every = 5s,
                         .last_release = last_release_,
                         .warming_up = warming_up_};
    return plan_lease_operations(input);
  }
  std::vector<std::string> of_kind(const LeasePlan& p, LeaseOpKind kind) {
    std::vector<std::string> out;
    for (const auto& op : p.operations) {
      if (op.kind == kind) out.push_back(op.cluster);
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  void all_free() {
    for (const auto& cluster : clusters_) table_.observe(cluster, LeaseSighting::kFree, now());
  }
  MonotonicTime now() const { return time_.monotonic_time(); }

  FakeTimeSource time_;
  LeaseTable table_{15s, 2s};
  std::vector<std::string> clusters_{"c1", "c2", "c3", "c4"};
  std::vector<std::string> live_{"a"};
  std::map<std::string, int> reported_;
  std::optional<MonotonicTime> last_release_;
  bool warming_up_ = false;
};

TEST_F(LeasePlanTest, AloneItAcquiresEveryFreeClusterAndHeartbeatsLast) {
  all_free();
  const auto p = plan();
  EXPECT_EQ(p.share, 4);
  EXPECT_EQ(of_kind(p, LeaseOpKind::kAcquire), clusters_);
  ASSERT_FALSE(p.operations.empty());
  EXPECT_EQ(p.operations.back(), (LeaseOp{LeaseOpKind::kHeartbeat, ""}));
}

TEST_F(LeasePlanTest, TheFirstTickOnlyHeartbeats) {
  all_free();
  warming_up_ = true;
  EXPECT_EQ(plan().operations, (std::vector<LeaseOp>{{LeaseOpKind::kHeartbeat, ""}}));
}

TEST_F(LeasePlanTest, MissingBlobsAreCreatedBeforeTheirAcquire) {
  table_.observe("c1", LeaseSighting::kMissing, now());
  const auto p = plan();
  ASSERT_EQ(p.operations.size(), 3U);
  EXPECT_EQ(p.operations[0], (LeaseOp{LeaseOpKind::kCreate, "c1"}));
  EXPECT_EQ(p.operations[1], (LeaseOp{LeaseOpKind::kAcquire, "c1"}));
}

TEST_F(LeasePlanTest, UnknownAndTakenClustersAreNeverAcquired) {
  table_.observe("c1", LeaseSighting::kUnknown, now());
  table_.observe("c2", LeaseSighting::kLeased, now());
  time_.advance(1min);
  EXPECT_TRUE(of_kind(plan(), LeaseOpKind::kAcquire).empty());
}

TEST_F(LeasePlanTest, WithTwoLiveReplicasItStopsAtItsShare) {
  live_ = {"a", "b"};
  all_free();
  const auto p = plan();
  EXPECT_EQ(p.share, 2);
  EXPECT_EQ(of_kind(p, LeaseOpKind::kAcquire).size(), 2U);
}

TEST_F(LeasePlanTest, RenewsEverythingItHolds) {
  table_.acquired("c1", now());
  table_.acquired("c3", now());
  live_ = {"a", "b"};
  const auto p = plan();
  EXPECT_EQ(of_kind(p, LeaseOpKind::kRenew), (std::vector<std::string>{"c1", "c3"}));
  // Renewals come first: they keep the right to act.
  EXPECT_EQ(p.operations.front().kind, LeaseOpKind::kRenew);
}

TEST_F(LeasePlanTest, OrphansAreTakenUpToShareOnePlusAfterOneRenewPeriod) {
  live_ = {"a", "b"};  // b is (thought to be) live but takes nothing
  table_.acquired("c1", now());
  table_.acquired("c2", now());
  table_.observe("c3", LeaseSighting::kFree, now());
  table_.observe("c4", LeaseSighting::kFree, now());
  EXPECT_TRUE(of_kind(plan(), LeaseOpKind::kAcquire).empty());  // at its share of 2
  time_.advance(4999ms);
  EXPECT_TRUE(of_kind(plan(), LeaseOpKind::kAcquire).empty());
  time_.advance(1ms);
  EXPECT_EQ(of_kind(plan(), LeaseOpKind::kAcquire).size(), 1U);  // share + 1, not both
}

TEST_F(LeasePlanTest, ReleasesClustersThatLeftTheConfiguration) {
  table_.acquired("old", now());
  table_.acquired("c1", now());
  const auto p = plan();
  EXPECT_EQ(of_kind(p, LeaseOpKind::kRelease), (std::vector<std::string>{"old"}));
  EXPECT_EQ(of_kind(p, LeaseOpKind::kRenew), (std::vector<std::string>{"c1"}));
}

TEST_F(LeasePlanTest, ReleasesOneExcessClusterPerRenewPeriodOnlyWhenSomeoneCanTakeIt) {
  for (const auto& cluster : clusters_) table_.acquired(cluster, now());
  live_ = {"a", "b"};
  reported_ = {{"b", 2}};  // b already has its share: nobody to hand over to
  EXPECT_TRUE(of_kind(plan(), LeaseOpKind::kRelease).empty());
  EXPECT_EQ(of_kind(plan(), LeaseOpKind::kRenew).size(), 4U);

  reported_ = {{"b", 0}};
  const auto p = plan();
  const auto released = of_kind(p, LeaseOpKind::kRelease);
  ASSERT_EQ(released.size(), 1U);
  EXPECT_EQ(of_kind(p, LeaseOpKind::kRenew).size(), 3U);  // not the one released
  EXPECT_TRUE(of_kind(p, LeaseOpKind::kAcquire).empty());

  // Paced: not again within renewEvery of the last release.
  last_release_ = now();
  table_.released(released.front());
  time_.advance(4999ms);
  EXPECT_TRUE(of_kind(plan(), LeaseOpKind::kRelease).empty());
  time_.advance(1ms);
  EXPECT_EQ(of_kind(plan(), LeaseOpKind::kRelease).size(), 1U);
}

TEST_F(LeasePlanTest, AnAcquireInDoubtIsRetriedFirst) {
  live_ = {"a", "b"};
  table_.acquire_unknown("c4");
  table_.observe("c4", LeaseSighting::kLeased, now());
  for (const auto* cluster : {"c1", "c2", "c3"}) {
    table_.observe(cluster, LeaseSighting::kFree, now());
  }
  const auto p = plan();
  ASSERT_FALSE(p.operations.empty());
  EXPECT_EQ(p.operations.front(), (LeaseOp{LeaseOpKind::kAcquire, "c4"}));
  EXPECT_EQ(of_kind(p, LeaseOpKind::kAcquire).size(), 2U);
}

TEST(ReplicaLiveness, LiveWhileTheHeartbeatChangesWithinTheWindow) {
  FakeTimeSource time;
  ReplicaLiveness liveness("a", 10s);
  const auto t0 = time.monotonic_time();
  liveness.observe({{"a", "\"1\"", 4}, {"b", "\"1\"", 2}, {"c", "\"7\"", std::nullopt}}, t0);
  EXPECT_EQ(liveness.live(t0), (std::vector<std::string>{"a", "b", "c"}));
  // Only counts that were reported; never our own.
  EXPECT_EQ(liveness.reported_holdings(t0), (std::map<std::string, int>{{"b", 2}}));

  liveness.observe({{"b", "\"2\"", 3}, {"c", "\"7\"", std::nullopt}}, t0 + 5s);
  EXPECT_EQ(liveness.live(t0 + 10s), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(liveness.live(t0 + 10001ms), (std::vector<std::string>{"a", "b"}));  // c unchanged
  EXPECT_EQ(liveness.live(t0 + 15001ms), (std::vector<std::string>{"a"}));
  // A heartbeat blob that disappears is forgotten.
  liveness.observe({}, t0 + 6s);
  EXPECT_EQ(liveness.live(t0 + 6s), (std::vector<std::string>{"a"}));
}

TEST(ReplicaLiveness, AFirstSightingIsAgedOnTheServicesClock) {
  FakeTimeSource time;
  ReplicaLiveness liveness("a", 10s);
  const auto t0 = time.monotonic_time();
  // The service's clock is an hour off ours: only differences on each clock are used.
  const auto service_t0 = time.system_time() + 1h;
  liveness.our_heartbeat(service_t0, t0);
  const auto now = t0 + 3s;  // the service's now: service_t0 + 3 s
  liveness.observe({{.replica = "fresh", .etag = "1", .last_modified = service_t0 - 6s},
                    {.replica = "stale", .etag = "1", .last_modified = service_t0 - 8s},
                    {.replica = "unknown", .etag = "1"}},
                   now);
  EXPECT_EQ(liveness.live(now), (std::vector<std::string>{"a", "fresh", "unknown"}));
  EXPECT_EQ(liveness.live(now + 1s), (std::vector<std::string>{"a", "fresh", "unknown"}));
  EXPECT_EQ(liveness.live(now + 1001ms), (std::vector<std::string>{"a", "unknown"}));
}

TEST(ReplicaLiveness, AFirstSightingBeforeOurOwnHeartbeatIsAgedOnceItIsAnswered) {
  FakeTimeSource time;
  ReplicaLiveness liveness("a", 10s);
  const auto t0 = time.monotonic_time();
  const auto service_t0 = time.system_time();
  const std::vector<HeartbeatSighting> listing{
      {.replica = "dead", .etag = "1", .last_modified = service_t0 - 1h}};
  liveness.observe(listing, t0);
  EXPECT_EQ(liveness.live(t0), (std::vector<std::string>{"a", "dead"}));  // no reference yet
  liveness.our_heartbeat(service_t0, t0);
  liveness.observe(listing, t0 + 5s);
  EXPECT_EQ(liveness.live(t0 + 5s), (std::vector<std::string>{"a"}));
}

}  // namespace
}  // namespace frankenetes::coordination
