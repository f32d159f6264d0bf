// Coordinator against FakeBlobLeases (Blob Storage's lease rules on a fake clock): what one
// replica does with each kind of answer, and several replicas on one store — fair shares that
// settle within one cluster, hand-over after a kill, after losing storage and on release_all(),
// and at every simulated 100 ms the safety rule: a replica that may act on a cluster is the one
// whose lease the service holds for it.

#include "coordination/coordinator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <numeric>

#include "fake_lease_store.h"
#include "support/fake_time_source.h"

namespace frankenetes::coordination {
namespace {

using namespace std::chrono_literals;
using frankenetes::testing::FakeTimeSource;
using testing::FakeBlobLeases;
using testing::FakeStoreClient;

constexpr std::uint64_t kIncarnation = 7;

CoordinatorSettings settings_for(const std::string& id) {
  return CoordinatorSettings{.replica_id = id,
                             .incarnation = kIncarnation,
                             .lease_duration = 15s,
                             .renew_every = 5s,
                             .fencing_margin = 2s};
}

std::vector<std::string> cluster_names(int count) {
  std::vector<std::string> out;
  for (int i = 0; i < count; ++i) out.push_back("c" + std::to_string(i));
  return out;
}

// One replica: its client of the shared store, its Coordinator and its tick schedule.
struct Replica {
  std::string id;
  std::unique_ptr<FakeStoreClient> client;
  std::unique_ptr<Coordinator> coordinator;
  MonotonicTime next_tick{};
  bool running = true;

  std::string lease_id(const std::string& cluster) const {
    return proposed_lease_id(id, kIncarnation, cluster);
  }
};

class CoordinatorTest : public ::testing::Test {
 protected:
  Replica& add_replica(const std::string& id, core::Duration first_tick_in = 0ms) {
    auto replica = std::make_unique<Replica>();
    replica->id = id;
    replica->client = std::make_unique<FakeStoreClient>(leases_, time_);
    replica->coordinator =
        std::make_unique<Coordinator>(*replica->client, time_, settings_for(id), clusters_);
    replica->next_tick = now() + first_tick_in;
    replicas_.push_back(std::move(replica));
    return *replicas_.back();
  }

  // A replica that has ticked twice (the first only warms up) and holds every cluster; the
  // clock is 5 s past its acquire.
  Replica& holding_replica(const std::string& id) {
    auto& replica = add_replica(id);
    replica.coordinator->tick();
    time_.advance(5s);
    replica.coordinator->tick();
    EXPECT_EQ(replica.coordinator->held(), clusters_);
    time_.advance(5s);
    return replica;
  }

  MonotonicTime now() const { return time_.monotonic_time(); }

  // Runs every running replica's ticks (every renewEvery from its first) for `duration`, in
  // steps of 100 ms, checking safety after every step. Stops early when `done` says so and
  // returns whether it did.
  bool run(
      core::Duration duration, const std::function<bool()>& done = [] { return false; }) {
    const auto end = now() + duration;
    while (now() < end) {
      for (auto& replica : replicas_) {
        if (replica->running && replica->next_tick <= now()) {
          replica->coordinator->tick();
          replica->next_tick += 5s;
        }
      }
      check_safety();
      if (done()) return true;
      time_.advance(100ms);
    }
    return done();
  }

  // A replica that may act on a cluster holds the service's active lease on it — also a
  // replica that was stopped (killed), whose fencing must run out before anyone else takes over.
  void check_safety() {
    for (const auto& cluster : clusters_) {
      int actors = 0;
      for (const auto& replica : replicas_) {
        if (!replica->coordinator->may_act(cluster)) continue;
        ++actors;
        ASSERT_EQ(leases_.holder(cluster), replica->lease_id(cluster))
            << replica->id << " may act on " << cluster << " without holding its lease";
      }
      ASSERT_LE(actors, 1) << cluster;
    }
  }

  // Every cluster's lease is held, by a running replica that may act on it.
  bool all_held_by_running() const {
    for (const auto& cluster : clusters_) {
      const bool held = std::any_of(replicas_.begin(), replicas_.end(), [&](const auto& r) {
        return r->running && r->coordinator->may_act(cluster);
      });
      if (!held) return false;
    }
    return true;
  }

  std::vector<int> holdings() const {
    std::vector<int> out;
    for (const auto& replica : replicas_) {
      if (replica->running) out.push_back(static_cast<int>(replica->coordinator->held().size()));
    }
    return out;
  }

  bool settled() const {
    const auto counts = holdings();
    const auto [low, high] = std::minmax_element(counts.begin(), counts.end());
    return all_held_by_running() && *high - *low <= 1;
  }

  FakeTimeSource time_;
  FakeBlobLeases leases_{time_};
  std::vector<std::string> clusters_ = cluster_names(4);
  std::vector<std::unique_ptr<Replica>> replicas_;
};

// --- one replica -------------------------------------------------------------------------

TEST_F(CoordinatorTest, AloneItCreatesTheLeaseBlobsAndTakesEveryClusterOnItsSecondTick) {
  auto& a = add_replica("a");
  const auto first = a.coordinator->tick();
  EXPECT_EQ(first.plan.operations, (std::vector<LeaseOp>{{LeaseOpKind::kHeartbeat, ""}}));
  EXPECT_EQ(leases_.blobs().at("replicas/a").held, 0);
  time_.advance(5s);
  const auto sent = now();
  const auto report = a.coordinator->tick();
  EXPECT_TRUE(report.lease_listing_error.empty());
  EXPECT_EQ(report.plan.share, 4);
  EXPECT_EQ(report.held, clusters_);
  for (const auto& cluster : clusters_) {
    EXPECT_EQ(leases_.holder(cluster), a.lease_id(cluster));
    EXPECT_EQ(a.coordinator->table().act_deadline(cluster), sent + 13s);
  }
  EXPECT_EQ(leases_.calls("create"), 4);
  EXPECT_EQ(leases_.blobs().at("replicas/a").held, 4);
  for (const auto& result : report.results) EXPECT_EQ(result.outcome, LeaseOutcome::kOk);
}

TEST_F(CoordinatorTest, RenewalsKeepItActingWithoutAGap) {
  auto& a = add_replica("a");
  ASSERT_TRUE(run(6s, [&] { return all_held_by_running(); }));
  bool gap = false;
  run(2min, [&] {
    gap = gap || !all_held_by_running();
    return false;
  });
  EXPECT_FALSE(gap);
  EXPECT_GE(leases_.calls("renew"), 4 * 23);
  // From the last renew's send time (the last tick, 5 s before the next).
  EXPECT_EQ(a.coordinator->table().act_deadline("c0"), a.next_tick - 5s + 13s);
}

TEST_F(CoordinatorTest, AConflictOnRenewDropsTheClusterAtOnce) {
  auto& a = holding_replica("a");
  // The lease expired unnoticed and another replica took it.
  leases_.blobs().at("leases/c1").lease = FakeBlobLeases::Lease{
      .id = proposed_lease_id("b", 1, "c1"), .expires = now() + 15s, .duration = 15s};
  time_.advance(5s);
  const auto report = a.coordinator->tick();
  EXPECT_FALSE(a.coordinator->may_act("c1"));
  EXPECT_EQ(a.coordinator->table().find("c1")->holding, LeaseHolding::kHeldByOthers);
  EXPECT_TRUE(a.coordinator->may_act("c0"));
  const auto renew_c1 = std::find_if(report.results.begin(), report.results.end(), [](auto& r) {
    return r.op == LeaseOp{LeaseOpKind::kRenew, "c1"};
  });
  ASSERT_NE(renew_c1, report.results.end());
  EXPECT_EQ(renew_c1->outcome, LeaseOutcome::kConflict);
}

TEST_F(CoordinatorTest, AnUnknownRenewOutcomeNeverExtendsTheDeadline) {
  auto& a = holding_replica("a");
  const auto acquired = now() - 5s;
  a.client->reachable = false;
  const auto report = a.coordinator->tick();
  for (const auto& result : report.results) EXPECT_EQ(result.outcome, LeaseOutcome::kUnknown);
  EXPECT_FALSE(report.lease_listing_error.empty());
  // Still believed held, deadline unchanged, running down.
  EXPECT_EQ(a.coordinator->held(), clusters_);
  EXPECT_EQ(a.coordinator->table().act_deadline("c0"), acquired + 13s);
  time_.advance(7999ms);
  EXPECT_TRUE(a.coordinator->may_act("c0"));
  time_.advance(1ms);
  EXPECT_FALSE(a.coordinator->may_act("c0"));
  // Back in reach before anyone took it: Blob Storage renews an expired lease nobody else
  // acquired, and the right to act comes back from that renew's send time.
  time_.advance(10s);
  a.client->reachable = true;
  const auto renewed = now();
  a.coordinator->tick();
  EXPECT_TRUE(a.coordinator->may_act("c0"));
  EXPECT_EQ(a.coordinator->table().act_deadline("c0"), renewed + 13s);
}

TEST_F(CoordinatorTest, ARenewAnsweredLateCountsFromItsSendTime) {
  auto& a = holding_replica("a");
  time_.advance(5s);
  a.client->latency["renew"] = 3s;  // each renew reaches the service 3 s after it was sent
  const auto tick_start = now();
  const auto report = a.coordinator->tick();
  // The first renew is sent at tick_start and applied 3 s later; the second is sent when the
  // first has answered. Each deadline counts from its own send time.
  ASSERT_EQ(report.plan.operations.at(1).kind, LeaseOpKind::kRenew);
  const auto table = a.coordinator->table();
  EXPECT_EQ(table.act_deadline(report.plan.operations.at(0).cluster), tick_start + 13s);
  EXPECT_EQ(table.act_deadline(report.plan.operations.at(1).cluster), tick_start + 16s);
}

TEST_F(CoordinatorTest, ALostAcquireAnswerIsRetriedWithTheSameLeaseId) {
  auto& a = add_replica("a");
  a.coordinator->tick();  // warming up
  time_.advance(5s);
  a.client->lose_answers["acquire"] = 4;  // applied, but every answer times out
  a.coordinator->tick();
  EXPECT_TRUE(a.coordinator->held().empty());
  for (const auto& cluster : clusters_) {
    EXPECT_EQ(leases_.holder(cluster), a.lease_id(cluster));  // the service did grant them
    EXPECT_TRUE(a.coordinator->table().find(cluster)->acquire_in_doubt);
  }
  time_.advance(5s);
  a.coordinator->tick();  // the listing shows them leased: retried, answered 201
  EXPECT_EQ(a.coordinator->held(), clusters_);
}

TEST_F(CoordinatorTest, AClusterLeavingTheConfigurationIsReleased) {
  auto& a = holding_replica("a");
  a.coordinator->set_clusters({"c0", "c1", "c2"});
  time_.advance(5s);
  a.coordinator->tick();
  EXPECT_EQ(a.coordinator->held(), (std::vector<std::string>{"c0", "c1", "c2"}));
  EXPECT_EQ(leases_.holder("c3"), "");
  EXPECT_EQ(a.coordinator->table().find("c3"), nullptr);
}

TEST_F(CoordinatorTest, ReleaseAllStopsActingThenReleasesAndLeaves) {
  auto& a = holding_replica("a");
  const auto report = a.coordinator->release_all();
  for (const auto& cluster : clusters_) {
    EXPECT_FALSE(a.coordinator->may_act(cluster));
    EXPECT_EQ(leases_.holder(cluster), "");
  }
  EXPECT_EQ(report.results.size(), 5U);
  EXPECT_FALSE(leases_.blobs().contains("replicas/a"));
  time_.advance(5s);
  EXPECT_TRUE(a.coordinator->tick().plan.operations.empty());
  EXPECT_EQ(leases_.holder("c0"), "");
}

// --- several replicas ----------------------------------------------------------------------

struct ShareCase {
  int replicas;
  int clusters;
  bool staggered;  // the first runs alone for a minute and must hand over
};

class FairShareTest : public CoordinatorTest, public ::testing::WithParamInterface<ShareCase> {};

TEST_P(FairShareTest, HoldingsSettleWithinOneAndStaySettled) {
  clusters_ = cluster_names(GetParam().clusters);
  const std::vector<std::string> ids{"vm-a", "vm-b", "vm-c"};
  for (int i = 0; i < GetParam().replicas; ++i) {
    const auto first_tick =
        GetParam().staggered && i > 0 ? 60s : std::chrono::milliseconds(i * 700);
    add_replica(ids[static_cast<std::size_t>(i)], first_tick);
  }
  // One release per renew period from the replica that holds everything: 20 of 30 in 100 s.
  const auto start = now();
  const auto all_started = GetParam().staggered ? 61s : 2s;
  ASSERT_TRUE(run(5min, [&] { return now() - start > all_started && settled(); }))
      << ::testing::PrintToString(holdings());
  RecordProperty("settled_after_ms", static_cast<int>((now() - start) / 1ms));
  RecordProperty("holdings", ::testing::PrintToString(holdings()));
  const auto counts = holdings();
  EXPECT_EQ(std::accumulate(counts.begin(), counts.end(), 0), GetParam().clusters);
  const auto settled_at = now();
  run(2min);
  EXPECT_TRUE(settled()) << ::testing::PrintToString(holdings());
  // Settled means quiet: no more hand-overs, so no releases after settling.
  const auto releases = leases_.calls("release");
  run(1min);
  EXPECT_EQ(leases_.calls("release"), releases);
  EXPECT_GT(now(), settled_at);
}

INSTANTIATE_TEST_SUITE_P(Coordination, FairShareTest,
                         ::testing::Values(ShareCase{2, 4, false}, ShareCase{2, 30, false},
                                           ShareCase{3, 4, false}, ShareCase{3, 30, false},
                                           ShareCase{2, 4, true}, ShareCase{2, 30, true},
                                           ShareCase{3, 4, true}, ShareCase{3, 30, true}),
                         [](const auto& param_info) {
                           return std::to_string(param_info.param.replicas) + "Replicas" +
                                  std::to_string(param_info.param.clusters) + "Clusters" +
                                  (param_info.param.staggered ? "Staggered" : "Together");
                         });

TEST_F(CoordinatorTest, AKilledReplicasClustersMoveWithinLeaseDurationPlusOneRenewPeriod) {
  auto& a = add_replica("a");
  auto& b = add_replica("b", 2300ms);
  ASSERT_TRUE(run(1min, [&] { return settled() && b.coordinator->held().size() == 2; }));
  run(3100ms);        // somewhere between two of a's ticks
  a.running = false;  // kill -9: no more ticks, no release
  const auto killed = now();
  const auto moved = run(1min, [&] { return b.coordinator->held().size() == 4; });
  ASSERT_TRUE(moved);
  RecordProperty("handover_ms", static_cast<int>((now() - killed) / 1ms));
  EXPECT_LE(now() - killed, 15s + 5s);
  EXPECT_TRUE(all_held_by_running());
  for (const auto& cluster : clusters_) EXPECT_FALSE(a.coordinator->may_act(cluster));
}

TEST_F(CoordinatorTest, AReplicaCutOffFromStorageStopsActingBeforeTheOthersTakeOver) {
  auto& a = add_replica("a");
  auto& b = add_replica("b", 1s);
  ASSERT_TRUE(run(1min, [&] { return settled() && b.coordinator->held().size() == 2; }));
  const auto a_held = a.coordinator->held();
  a.client->reachable = false;  // a keeps ticking; every call times out
  const auto cut = now();
  // check_safety() inside run() asserts that a's fencing ends before b's acquire succeeds.
  ASSERT_TRUE(run(1min, [&] { return b.coordinator->held().size() == 4; }));
  RecordProperty("handover_ms", static_cast<int>((now() - cut) / 1ms));
  EXPECT_LE(now() - cut, 15s + 5s);
  for (const auto& cluster : a_held) EXPECT_FALSE(a.coordinator->may_act(cluster));
  EXPECT_EQ(a.coordinator->held(), a_held);  // it still believes, but may not act
  // Storage back: a's renewals are refused (409) and it drops them; the split settles again.
  a.client->reachable = true;
  ASSERT_TRUE(run(3min, [&] { return settled() && a.coordinator->held().size() == 2; }))
      << ::testing::PrintToString(holdings());
}

TEST_F(CoordinatorTest, ReleaseAllHandsTheClustersOverAtTheOthersNextTick) {
  auto& a = add_replica("a");
  auto& b = add_replica("b", 2500ms);
  ASSERT_TRUE(run(1min, [&] { return settled() && b.coordinator->held().size() == 2; }));
  a.coordinator->release_all();
  a.running = false;
  const auto released = now();
  ASSERT_TRUE(run(1min, [&] { return b.coordinator->held().size() == 4; }));
  RecordProperty("handover_ms", static_cast<int>((now() - released) / 1ms));
  EXPECT_LE(now() - released, 5s);
}

}  // namespace
}  // namespace frankenetes::coordination
