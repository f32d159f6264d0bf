#include "status/status_board.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "support/fake_time_source.h"

namespace frankenetes::status {
namespace {

using namespace std::chrono_literals;

MemberStatus member(std::string cluster, std::string name) {
  MemberStatus m;
  m.cluster = std::move(cluster);
  m.name = std::move(name);
  m.health = "healthy";
  return m;
}

PlanStatus plan_with(std::vector<MemberStatus> members) {
  PlanStatus p;
  p.clusters.push_back({"prod", std::move(members)});
  return p;
}

// The members as a source that always builds the same plan.
PlanStatusSource fixed(std::vector<MemberStatus> members) {
  return [plan = plan_with(std::move(members))] { return plan; };
}

TEST(StatusBoard, PublishesBuildAndStartBeforeAnyPlan) {
  testing::FakeTimeSource time;
  StatusBoard board(time, {{"1.2.3", "abc", "Debug"}, {}});
  const auto s = board.snapshot();
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->build.version, "1.2.3");
  EXPECT_EQ(s->started_at, time.system_time());
  EXPECT_FALSE(s->plan.has_value());
  EXPECT_TRUE(s->arm.subscriptions.empty());
}

TEST(StatusBoard, APublishedSnapshotNeverChangesAfterwards) {
  testing::FakeTimeSource time;
  StatusBoard board(time, {});
  board.planned(fixed({member("prod", "etcd")}));
  const auto before = board.snapshot();
  time.advance(5s);
  board.planned(fixed({member("prod", "etcd"), member("prod", "apiserver")}));
  EXPECT_EQ(before->plan->clusters[0].members.size(), 1u);
  EXPECT_EQ(board.snapshot()->plan->clusters[0].members.size(), 2u);
  EXPECT_EQ(board.snapshot()->generated_at - before->generated_at, 5s);
}

TEST(StatusBoard, TheMembersAreBuiltWhenReadAndOnlyFromTheLatestPlan) {
  testing::FakeTimeSource time;
  StatusBoard board(time, {});
  std::vector<int> built;
  for (int pass = 1; pass <= 5; ++pass) {
    board.planned([pass, &built] {
      built.push_back(pass);
      return plan_with({member("prod", "etcd")});
    });
  }
  EXPECT_TRUE(built.empty()) << "a plan builds nothing for a page nobody reads";
  ASSERT_TRUE(board.snapshot()->plan);
  board.snapshot();
  EXPECT_EQ(built, std::vector<int>{5});
  board.event({{}, "action", "prod", "etcd", "restart", "started", ""});
  board.snapshot();
  EXPECT_EQ(built, (std::vector<int>{5, 5})) << "any change builds the snapshot anew, members too";
}

TEST(StatusBoard, BuildsASnapshotOnlyWhenReadAfterAChange) {
  testing::FakeTimeSource time;
  int arm_samples = 0;
  StatusBoard board(time, {{}, [&arm_samples] {
                             ++arm_samples;
                             return ArmStatus{};
                           }});
  // Updates store their piece without building anything.
  for (int i = 0; i < 5; ++i) {
    board.planned(fixed({member("prod", "etcd")}));
    board.event({{}, "action", "prod", "etcd", "restart", "started", ""});
  }
  EXPECT_EQ(arm_samples, 0);
  const auto first = board.snapshot();
  EXPECT_EQ(arm_samples, 1);
  EXPECT_EQ(board.snapshot(), first);  // nothing changed: the same snapshot
  EXPECT_EQ(arm_samples, 1);
  time.advance(1s);
  board.event({{}, "action", "prod", "etcd", "restart", "succeeded", ""});
  const auto second = board.snapshot();
  EXPECT_NE(second, first);
  EXPECT_EQ(second->events.size(), 6u);
  EXPECT_EQ(first->events.size(), 5u);
  EXPECT_EQ(arm_samples, 2);
}

TEST(StatusBoard, DnsRecordsOverlayTheirMembers) {
  testing::FakeTimeSource time;
  StatusBoard board(time, {});
  auto etcd = member("prod", "etcd");
  etcd.dns = DnsStatus{"bind", "cp-etcd.example.com", std::nullopt, "", "", std::nullopt, false};
  board.planned(fixed({etcd, member("prod", "apiserver")}));
  board.dns_records(
      {{"prod",
        "etcd",
        {"bind", "cp-etcd.example.com", true, "in_sync", "A 1.2.3.4", std::nullopt, false}},
       {"other", "etcd", {"bind", "x.example.com", false, "", "", std::nullopt, false}}});
  const auto s = board.snapshot();
  const auto& members = s->plan->clusters[0].members;
  ASSERT_TRUE(members[0].dns);
  EXPECT_EQ(members[0].dns->in_sync, true);
  EXPECT_EQ(members[0].dns->detail, "A 1.2.3.4");
  EXPECT_FALSE(members[1].dns.has_value());
  // A later plan keeps the DNS view.
  board.planned(fixed({etcd}));
  EXPECT_EQ(board.snapshot()->plan->clusters[0].members[0].dns->in_sync, true);
}

TEST(StatusBoard, EventsAreStampedAndTheRingKeepsTheLast200) {
  testing::FakeTimeSource time;
  StatusBoard board(time, {});
  for (int i = 0; i < 250; ++i) {
    time.advance(1s);
    board.event({{}, "action", "prod", "etcd", "restart", "started", std::to_string(i)});
  }
  const auto s = board.snapshot();
  ASSERT_EQ(s->events.size(), kMaxStatusEvents);
  EXPECT_EQ(s->events.front().detail, "50");
  EXPECT_EQ(s->events.back().detail, "249");
  EXPECT_EQ(s->events.back().at, time.system_time());
}

TEST(StatusBoard, SamplesArmAtEveryPublicationAndTracksAdmin) {
  testing::FakeTimeSource time;
  long reads = 100;
  StatusBoard board(time, {{}, [&] {
                             ArmStatus arm;
                             arm.subscriptions.push_back({"sub", reads, std::nullopt, std::nullopt});
                             return arm;
                           }});
  reads = 42;
  board.set_admin_enabled(true);
  const auto s = board.snapshot();
  EXPECT_EQ(s->arm.subscriptions.at(0).remaining_reads, 42);
  EXPECT_TRUE(s->admin_enabled);
}

TEST(StatusBoard, ReadersOnOtherThreadsSeeWholeSnapshots) {
  testing::FakeTimeSource time;
  StatusBoard board(time, {});
  std::atomic<bool> done{false};
  std::thread reader([&] {
    while (!done) {
      const auto s = board.snapshot();
      if (s->plan) {
        const auto& members = s->plan->clusters[0].members;
        ASSERT_TRUE(members.size() == 1 || members.size() == 2);
      }
    }
  });
  for (int i = 0; i < 2000; ++i) {
    board.planned(fixed(i % 2 ? std::vector{member("prod", "a")}
                              : std::vector{member("prod", "a"), member("prod", "b")}));
    board.event({{}, "skip", "prod", "a", "backoff", "", ""});
  }
  done = true;
  reader.join();
}

}  // namespace
}  // namespace frankenetes::status
