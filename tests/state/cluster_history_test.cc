// One cluster's history as it moves with the cluster's lease (state/cluster_history.h).

#include "state/cluster_history.h"

#include <gtest/gtest.h>

#include "plan/history.h"
#include "support/fake_time_source.h"

namespace frankenetes::state {
namespace {

using namespace std::chrono_literals;
using testing::FakeTimeSource;

const model::MemberKey kApi{"prod", "apiserver"};
const model::MemberKey kEtcd{"prod", "etcd"};
const model::MemberKey kOther{"staging", "apiserver"};

plan::Action restart_of(const model::MemberKey& member, int rung) {
  plan::Action action;
  action.member = member;
  action.kind = rung == 0 ? plan::ActionKind::kRestart : plan::ActionKind::kStopStart;
  action.rung = rung;
  return action;
}

// The holder's history: apiserver restarted (rung 0, finished 20 s ago: back-off running),
// etcd gave up long ago, a member of another cluster acted too.
plan::History holder_history(core::MonotonicTime now) {
  plan::History h;
  h = plan::record_action_started(std::move(h), restart_of(kOther, 0), now - 40min);
  h = plan::record_action_started(std::move(h), restart_of(kApi, 0), now - 30s);
  h = plan::record_action_finished(std::move(h), kApi, plan::ActionOutcome::kSucceeded,
                                   now - 20s);
  h.members[kEtcd].gave_up = true;
  h.members[kEtcd].give_up_detail = "ladder exhausted";
  return h;
}

TEST(ClusterHistory, RoundTripsOnlyItsClusterToAnotherProcess) {
  FakeTimeSource holder;
  const auto history = holder_history(holder.monotonic_time());
  const auto text = encode_cluster_history("prod", history, holder.system_time(),
                                           holder.monotonic_time());
  EXPECT_NE(text.find("\"cluster\": \"prod\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"version\": 1"), std::string::npos) << text;

  // The next holder: 3 s later by the wall clock, another monotonic clock.
  const core::SystemTime system_now = holder.system_time() + 3s;
  const core::MonotonicTime monotonic_now{std::chrono::hours(5)};
  const auto shift = monotonic_now - 3s - holder.monotonic_time();
  auto decoded = decode_cluster_history(text, "prod", system_now, monotonic_now);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_FALSE(decoded->members.contains(kOther)) << "another cluster's member left the blob";
  const auto& api = decoded->members.at(kApi);
  EXPECT_EQ(api.actions_taken, 1) << "the rung";
  ASSERT_TRUE(api.last_action);
  EXPECT_EQ(api.last_action->finished_at, holder.monotonic_time() - 20s + shift)
      << "the back-off runs from the holder's finish time";
  EXPECT_TRUE(decoded->members.at(kEtcd).gave_up);
  ASSERT_EQ(decoded->action_starts.size(), 1u) << "only this cluster's share of the budget";
  EXPECT_EQ(decoded->actions_in_budget_window(monotonic_now), 1);
  EXPECT_EQ(*decoded, cluster_part(*decoded, "prod"));
}

TEST(ClusterHistory, ABlobOfAnotherClusterOrCorruptIsRefused) {
  FakeTimeSource t;
  const auto text =
      encode_cluster_history("prod", holder_history(t.monotonic_time()), t.system_time(),
                             t.monotonic_time());
  EXPECT_FALSE(decode_cluster_history(text, "staging", t.system_time(), t.monotonic_time()).ok());
  auto corrupt = decode_cluster_history(text.substr(0, text.size() / 2), "prod", t.system_time(),
                                        t.monotonic_time());
  ASSERT_FALSE(corrupt.ok());
  EXPECT_EQ(corrupt.error().message, "not valid JSON");
  auto old = decode_cluster_history(R"({"cluster": "prod", "format": "frankenetesd-state",
      "version": 2, "members": [], "actionStarts": [], "operations": []})",
                                    "prod", t.system_time(), t.monotonic_time());
  ASSERT_FALSE(old.ok());
  EXPECT_NE(old.error().message.find("$.version"), std::string::npos);
}

TEST(ClusterHistory, TheNextHolderContinuesTheLadderBackOffAndBudget) {
  FakeTimeSource t;
  const auto now = t.monotonic_time();
  const auto remote = cluster_part(holder_history(now), "prod");
  // The standby's own history: it observed the members (healthy_since, samples) but never
  // acted on prod; it acted on staging once.
  plan::History local;
  local = plan::record_action_started(std::move(local), restart_of(kOther, 0), now - 10min);
  local.members[kApi].restart_samples["apiserver"].push_back({now - 1s, 7, std::nullopt});

  const auto merged = merge_cluster_history(local, remote, "prod");
  const auto& api = merged.members.at(kApi);
  EXPECT_EQ(api.actions_taken, 1) << "the next action is the next rung, not the first again";
  EXPECT_EQ(api.last_action, remote.members.at(kApi).last_action) << "back-off continues";
  EXPECT_EQ(api.restart_samples.at("apiserver").size(), 1u) << "local evidence stays";
  EXPECT_TRUE(merged.members.at(kEtcd).gave_up);
  EXPECT_EQ(merged.members.at(kOther), local.members.at(kOther)) << "other clusters untouched";
  EXPECT_EQ(merged.actions_in_budget_window(now), 2) << "staging's and prod's action";
  EXPECT_TRUE(std::is_sorted(merged.action_starts.begin(), merged.action_starts.end()));
}

TEST(ClusterHistory, ALocalHistoryNewerThanTheBlobWins) {
  FakeTimeSource t;
  const auto now = t.monotonic_time();
  // The blob is stale: this replica acted later (its write before the release failed).
  const auto remote = cluster_part(holder_history(now - 5min), "prod");
  auto local = holder_history(now - 5min);
  local = plan::record_action_started(std::move(local), restart_of(kApi, 1), now - 10s);
  const auto merged = merge_cluster_history(local, remote, "prod");
  EXPECT_EQ(merged.members.at(kApi), local.members.at(kApi));
  EXPECT_EQ(merged.action_starts, local.action_starts) << "no start counted twice";

  // Equal within the tolerance (the wall-clock round trip): the blob's, no double count.
  const auto same = merge_cluster_history(holder_history(now), cluster_part(holder_history(now), "prod"),
                                          "prod");
  EXPECT_EQ(same.actions_in_budget_window(now), 2);
}

}  // namespace
}  // namespace frankenetes::state
