// HistoryHandOver (daemon/history_hand_over.h): no act before the handed-over history is
// merged, writes only for clusters this replica may act on, retries.

#include "daemon/history_hand_over.h"

#include <gtest/gtest.h>

#include "state/cluster_history.h"
#include "support/fake_time_source.h"

namespace frankenetes::daemon {
namespace {

using namespace std::chrono_literals;
using testing::FakeTimeSource;

class FakeBlobs final : public HistoryBlobs {
 public:
  core::Result<std::optional<std::string>> read(const std::string& name) override {
    ++reads;
    if (fail) return core::make_error(core::ErrorKind::kTransient, "timed out");
    const auto it = blobs.find(name);
    if (it == blobs.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }
  core::Status write(const std::string& name, std::string text) override {
    ++writes;
    if (fail) return core::make_error(core::ErrorKind::kTransient, "timed out");
    blobs[name] = std::move(text);
    return {};
  }
  std::map<std::string, std::string> blobs;
  bool fail = false;
  int reads = 0;
  int writes = 0;
};

const model::MemberKey kApi{"prod", "apiserver"};

plan::History one_restart(core::MonotonicTime now) {
  plan::Action action;
  action.member = kApi;
  action.rung = 0;
  auto h = plan::record_action_started({}, action, now - 30s);
  return plan::record_action_finished(std::move(h), kApi, plan::ActionOutcome::kSucceeded,
                                      now - 20s);
}

class HandOverTest : public ::testing::Test {
 protected:
  HandOverTest() {
    hand_over.set_merge([this](const std::string& cluster, std::optional<plan::History> remote,
                               std::function<void()> done) {
      merged.emplace_back(cluster, std::move(remote));
      pending_done.push_back(std::move(done));
    });
  }
  FakeTimeSource time;
  FakeBlobs blobs;
  std::set<std::string> leases;
  HistoryHandOver hand_over{blobs, time, "replica-b",
                            [this](const std::string& c) { return leases.contains(c); }};
  std::vector<std::pair<std::string, std::optional<plan::History>>> merged;
  std::vector<std::function<void()>> pending_done;
};

TEST_F(HandOverTest, ANewlyHeldClusterIsNotReadyUntilItsHistoryIsMerged) {
  blobs.blobs["state/prod.json"] = state::encode_cluster_history(
      "prod", one_restart(time.monotonic_time()), time.system_time(), time.monotonic_time());
  leases = {"prod"};
  hand_over.after_tick({"prod"});
  ASSERT_EQ(merged.size(), 1u);
  ASSERT_TRUE(merged[0].second);
  EXPECT_EQ(merged[0].second->members.at(kApi).actions_taken, 1);
  EXPECT_FALSE(hand_over.ready("prod")) << "no act before the merge is done";
  hand_over.after_tick({"prod"});
  EXPECT_EQ(blobs.reads, 1) << "a load in progress is not started again";
  pending_done[0]();
  EXPECT_TRUE(hand_over.ready("prod"));

  // Dropped, then taken again: read again (another replica may have held it meanwhile).
  hand_over.after_tick({});
  EXPECT_FALSE(hand_over.ready("prod"));
  hand_over.after_tick({"prod"});
  EXPECT_EQ(blobs.reads, 2);
}

TEST_F(HandOverTest, MissingOrCorruptMeansLocalHistoryAndAFailedReadIsRetried) {
  blobs.blobs["state/bad.json"] = "{\"format\": tru";
  hand_over.after_tick({"fresh", "bad"});
  ASSERT_EQ(merged.size(), 2u);
  EXPECT_FALSE(merged[0].second);
  EXPECT_FALSE(merged[1].second);
  for (auto& done : pending_done) done();
  EXPECT_TRUE(hand_over.ready("fresh"));
  EXPECT_TRUE(hand_over.ready("bad"));

  blobs.fail = true;
  hand_over.after_tick({"fresh", "bad", "prod"});
  EXPECT_EQ(merged.size(), 2u) << "no merge of a read that failed";
  EXPECT_FALSE(hand_over.ready("prod"));
  blobs.fail = false;
  hand_over.after_tick({"fresh", "bad", "prod"});
  EXPECT_EQ(merged.size(), 3u) << "read again at the next tick";
}

TEST_F(HandOverTest, WritesOnlyWhatThisReplicaMayActOnAndRetriesAFailedWrite) {
  leases = {"prod"};
  hand_over.after_tick({"prod"});
  pending_done[0]();
  hand_over.publish("prod", state::cluster_part(one_restart(time.monotonic_time()), "prod"));
  hand_over.publish("other", {});
  blobs.fail = true;
  hand_over.flush();
  EXPECT_EQ(blobs.writes, 1) << "not for 'other': not ours";
  blobs.fail = false;
  hand_over.flush();
  EXPECT_EQ(blobs.writes, 2) << "the failed write is retried";
  auto written = state::decode_cluster_history(blobs.blobs.at("state/prod.json"), "prod",
                                               time.system_time(), time.monotonic_time());
  ASSERT_TRUE(written.ok()) << written.error().message;
  EXPECT_EQ(written->members.at(kApi).actions_taken, 1);
  hand_over.flush();
  EXPECT_EQ(blobs.writes, 2) << "nothing new published: nothing written";

  leases.clear();  // the lease is gone: its holder's blob is the truth
  hand_over.publish("prod", {});
  hand_over.flush();
  EXPECT_EQ(blobs.writes, 2);
}

}  // namespace
}  // namespace frankenetes::daemon
