// The state directory: the file format (round trip across a restart with other clocks, every
// malformed input named), the one-writer lock, atomic writes and what load() says.

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "state/state_codec.h"
#include "state/state_store.h"
#include "support/fake_time_source.h"

namespace frankenetes::state {
namespace {

using namespace std::chrono_literals;
using testing::FakeTimeSource;

const model::MemberKey kEtcd{"prod", "etcd"};
const model::MemberKey kApi{"prod", "apiserver"};

plan::History sample_history(core::MonotonicTime now) {
  plan::History h;
  auto& etcd = h.members[kEtcd];
  etcd.actions_taken = 2;
  etcd.last_action = plan::ActionRecord{plan::ActionKind::kStopStart, 1, now - 40s, now - 30s,
                                        plan::ActionOutcome::kTimedOut};
  etcd.in_flight =
      plan::ActionRecord{plan::ActionKind::kRecreate, 2, now - 5s, std::nullopt, std::nullopt};
  etcd.gave_up = true;
  etcd.give_up_reason = plan::SkipReason::kNoSpec;
  etcd.give_up_detail = "no spec";
  etcd.etcd_seen = etcd::DataIdentity{0x8e9e05c52164694dULL, 18446744073709551615ULL};
  etcd.etcd_data_loss = "revision went back from 1001 to 990";
  etcd.etcd_lost = etcd::DataIdentity{0x8e9e05c52164694dULL, 1001};
  etcd.etcd_restore_failed = "the group is stopped";
  auto& api = h.members[kApi];
  api.healthy_since = now - 600s;
  // Not persisted: evidence gathered again after a restart.
  api.restart_samples["apiserver"].push_back({now - 1s, 4, std::nullopt});
  api.probe_failures_before_action = 2;
  h.action_starts = {now - 50min, now - 40s, now - 5s};
  return h;
}

RecreateOperation sample_operation(core::SystemTime started) {
  return RecreateOperation{kEtcd, "sub", "rg", "etcd", R"({"location":"westeurope"})", started,
                           true, 3};
}

TEST(StateCodec, RoundTripsAcrossARestartWithOtherMonotonicClocks) {
  FakeTimeSource before;
  const PersistedState state{sample_history(before.monotonic_time()),
                             {sample_operation(before.system_time() - 5s)}};
  const auto text = encode_state(state, before.system_time(), before.monotonic_time());

  // The next process: 2 minutes later by the wall clock, its monotonic clock near zero.
  const core::SystemTime system_now = before.system_time() + 120s;
  const core::MonotonicTime monotonic_now{std::chrono::seconds(7)};
  auto decoded = decode_state(text, system_now, monotonic_now);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  const auto shift = monotonic_now - 120s - before.monotonic_time();
  const auto& etcd = decoded->history.members.at(kEtcd);
  EXPECT_EQ(etcd.actions_taken, 2);
  EXPECT_EQ(etcd.last_action->finished_at, before.monotonic_time() - 30s + shift);
  EXPECT_EQ(etcd.last_action->outcome, plan::ActionOutcome::kTimedOut);
  EXPECT_EQ(etcd.in_flight->kind, plan::ActionKind::kRecreate);
  EXPECT_EQ(etcd.give_up_reason, plan::SkipReason::kNoSpec);
  EXPECT_EQ(etcd.etcd_seen, (etcd::DataIdentity{0x8e9e05c52164694dULL, 18446744073709551615ULL}))
      << "the revision a restart compares against must survive it, all 64 bits";
  EXPECT_EQ(etcd.etcd_data_loss, "revision went back from 1001 to 990");
  EXPECT_EQ(etcd.etcd_lost, (etcd::DataIdentity{0x8e9e05c52164694dULL, 1001}))
      << "what a restore brings back must survive a restart";
  EXPECT_EQ(etcd.etcd_restore_failed, "the group is stopped")
      << "a failed automatic restore keeps its cluster held across a restart";
  EXPECT_FALSE(decoded->history.members.at(kApi).etcd_seen);
  EXPECT_EQ(decoded->history.members.at(kApi).healthy_since,
            before.monotonic_time() - 600s + shift);
  EXPECT_TRUE(decoded->history.members.at(kApi).restart_samples.empty());
  ASSERT_EQ(decoded->history.action_starts.size(), 3u);
  EXPECT_EQ(decoded->history.action_starts[2], before.monotonic_time() - 5s + shift);
  // "Budget used in the last hour" is the same number for the new process at the same instant.
  EXPECT_EQ(decoded->history.actions_in_budget_window(monotonic_now),
            state.history.actions_in_budget_window(before.monotonic_time() + 120s));
  ASSERT_EQ(decoded->operations.size(), 1u);
  EXPECT_EQ(decoded->operations[0], state.operations[0]);
  EXPECT_EQ(decoded->history, persistent_part(decoded->history));
}

struct BadState {
  std::string name;
  std::string text;
  std::string message;
};

class DecodeErrors : public ::testing::TestWithParam<BadState> {};

TEST_P(DecodeErrors, NameTheField) {
  FakeTimeSource t;
  const auto decoded = decode_state(GetParam().text, t.system_time(), t.monotonic_time());
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().message, GetParam().message);
}

const std::string kHead = R"({"format":"frankenetesd-state","version":1,)";

INSTANTIATE_TEST_SUITE_P(
    State, DecodeErrors,
    ::testing::Values(
        BadState{"truncated", R"({"format":"frankenetesd-st)", "not valid JSON"},
        BadState{"other_file", R"({"format":"something","version":1})",
                 "$.format: not a frankenetesd state file"},
        BadState{"future_version", R"({"format":"frankenetesd-state","version":2})",
                 "$.version: 2 is not supported (this daemon reads 1)"},
        BadState{"version_as_string", R"({"format":"frankenetesd-state","version":"1"})",
                 "$.version: wrong type (string)"},
        BadState{"members_missing", kHead + R"("actionStarts":[],"operations":[]})",
                 "$.members: missing"},
        BadState{"actions_taken_string",
                 kHead + R"("members":[{"cluster":"c","member":"m","actionsTaken":"2","gaveUp":false}],"actionStarts":[],"operations":[]})",
                 "$.members[0].actionsTaken: wrong type (string)"},
        BadState{"negative_actions",
                 kHead + R"("members":[{"cluster":"c","member":"m","actionsTaken":-1,"gaveUp":false}],"actionStarts":[],"operations":[]})",
                 "$.members[0].actionsTaken: -1 is outside 0..1000000"},
        BadState{"actions_wrapping_int",
                 kHead + R"("members":[{"cluster":"c","member":"m","actionsTaken":4294967296,"gaveUp":false}],"actionStarts":[],"operations":[]})",
                 "$.members[0].actionsTaken: 4294967296 is outside 0..1000000"},
        BadState{"time_far_from_now",
                 kHead + R"("members":[{"cluster":"c","member":"m","actionsTaken":1,"gaveUp":false,"healthySinceMs":9223372036854775807}],"actionStarts":[],"operations":[]})",
                 "$.members[0].healthySinceMs: not a time near now"},
        BadState{"unknown_action_kind",
                 kHead + R"("members":[{"cluster":"c","member":"m","actionsTaken":1,"gaveUp":false,"lastAction":{"kind":"reboot","rung":0,"startedAtMs":1}}],"actionStarts":[],"operations":[]})",
                 "$.members[0].lastAction.kind: unknown value 'reboot'"},
        BadState{"action_time_in_year_1970",
                 kHead + R"("members":[{"cluster":"c","member":"m","actionsTaken":1,"gaveUp":false,"lastAction":{"kind":"restart","rung":0,"startedAtMs":1}}],"actionStarts":[],"operations":[]})",
                 "$.members[0].lastAction.startedAtMs: not a time near now"},
        BadState{"action_start_null", kHead + R"("members":[],"actionStarts":[null],"operations":[]})",
                 "$.actionStarts[0]: not a time near now"},
        BadState{"etcd_cluster_id_not_hex",
                 kHead + R"("members":[{"cluster":"c","member":"m","actionsTaken":0,"gaveUp":false,"etcd":{"clusterId":"8E9E05C52164694D","revision":3}}],"actionStarts":[],"operations":[]})",
                 "$.members[0].etcd.clusterId: not 16 lowercase hex digits"},
        BadState{"etcd_revision_negative",
                 kHead + R"("members":[{"cluster":"c","member":"m","actionsTaken":0,"gaveUp":false,"etcd":{"clusterId":"8e9e05c52164694d","revision":-3}}],"actionStarts":[],"operations":[]})",
                 "$.members[0].etcd.revision: wrong type (number)"},
        BadState{"etcd_revision_without_cluster",
                 kHead + R"("members":[{"cluster":"c","member":"m","actionsTaken":0,"gaveUp":false,"etcd":{"revision":3}}],"actionStarts":[],"operations":[]})",
                 "$.members[0].etcd.clusterId: missing"},
        BadState{"operation_without_spec",
                 kHead + R"("members":[],"actionStarts":[],"operations":[{"type":"recreate","cluster":"c","member":"m","subscriptionId":"s","resourceGroup":"r","containerGroup":"g","startedAtMs":1767225600000,"deleteConfirmed":false,"putAttempts":0}]})",
                 "$.operations[0].spec: missing"}),
    [](const auto& param_info) { return param_info.param.name; });

TEST(StateCodec, ComparePersistentTellsSameEtcdProgressAndChanges) {
  FakeTimeSource t;
  auto history = sample_history(t.monotonic_time());
  history.members[kEtcd].etcd_seen = etcd::DataIdentity{7, 1000};
  const auto written = persistent_part(history);
  EXPECT_EQ(compare_persistent(history, written), PersistentChange::kSame);

  auto evidence = history;  // not persisted
  evidence.members[kApi].restart_samples["apiserver"].push_back({t.monotonic_time(), 9, {}});
  evidence.members[{"prod", "scheduler"}].probe_failures_before_action = 1;
  EXPECT_EQ(compare_persistent(evidence, written), PersistentChange::kSame);

  auto progress = history;
  progress.members[kEtcd].etcd_seen = etcd::DataIdentity{7, 1001};
  EXPECT_EQ(compare_persistent(progress, written), PersistentChange::kEtcdProgress);
  progress.members[kApi].actions_taken = 5;
  EXPECT_EQ(compare_persistent(progress, written), PersistentChange::kChanged);

  auto back = history;
  back.members[kEtcd].etcd_seen = etcd::DataIdentity{7, 999};
  EXPECT_EQ(compare_persistent(back, written), PersistentChange::kChanged);
  auto replaced = history;
  replaced.members[kEtcd].etcd_seen = etcd::DataIdentity{8, 2000};
  EXPECT_EQ(compare_persistent(replaced, written), PersistentChange::kChanged);
  auto forgotten = history;
  forgotten.members[kEtcd].etcd_seen.reset();
  EXPECT_EQ(compare_persistent(forgotten, written), PersistentChange::kChanged);

  auto added = history;
  added.members[{"prod", "scheduler"}].actions_taken = 1;
  EXPECT_EQ(compare_persistent(added, written), PersistentChange::kChanged);
  auto removed = history;
  removed.members.erase(kApi);
  EXPECT_EQ(compare_persistent(removed, written), PersistentChange::kChanged);
  auto budget = history;
  budget.action_starts.push_back(t.monotonic_time());
  EXPECT_EQ(compare_persistent(budget, written), PersistentChange::kChanged);
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("fk-state-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir() const { return dir_.string(); }
  std::string read(const std::string& name) const {
    std::ifstream in(dir_ / name);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  std::filesystem::path dir_;
  FakeTimeSource time_;
};

TEST_F(StoreTest, AMissingFileIsReportedAndTheFirstWriteCreatesIt) {
  auto store = StateStore::open(dir(), time_);
  ASSERT_TRUE(store.ok()) << store.error().message;
  const auto loaded = (*store)->load();
  EXPECT_EQ(loaded.status, LoadStatus::kMissing);
  EXPECT_NE(loaded.problem.find("does not exist"), std::string::npos);
  EXPECT_TRUE((*store)->save_history(sample_history(time_.monotonic_time())).ok());
  EXPECT_NE(read("state.json").find("\"frankenetesd-state\""), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "state.json.tmp"));
  struct stat st {};
  ASSERT_EQ(::stat(dir().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST_F(StoreTest, ASecondDaemonOnTheSameDirectoryIsRefused) {
  auto first = StateStore::open(dir(), time_);
  ASSERT_TRUE(first.ok());
  // flock() locks belong to the open file description: a second open() in this process
  // conflicts exactly like another process would.
  auto second = StateStore::open(dir(), time_);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().message.find("in use by another frankenetesd (pid " +
                                        std::to_string(::getpid()) + ")"),
            std::string::npos)
      << second.error().message;
  first->reset();
  EXPECT_TRUE(StateStore::open(dir(), time_).ok()) << "the lock dies with its holder";
}

TEST_F(StoreTest, HistoryAndOperationsSurviveAReopen) {
  const auto history = sample_history(time_.monotonic_time());
  {
    auto store = StateStore::open(dir(), time_);
    ASSERT_TRUE(store.ok());
    (void)(*store)->load();
    ASSERT_TRUE((*store)->save_history(history).ok());
    ASSERT_TRUE((*store)->put_operation(sample_operation(time_.system_time())).ok());
  }
  auto store = StateStore::open(dir(), time_);
  ASSERT_TRUE(store.ok());
  const auto loaded = (*store)->load();
  ASSERT_EQ(loaded.status, LoadStatus::kLoaded) << loaded.problem;
  EXPECT_EQ(loaded.state.history, persistent_part(history));
  ASSERT_EQ(loaded.state.operations.size(), 1u);
  ASSERT_TRUE((*store)->remove_operation(kEtcd).ok());
  EXPECT_TRUE((*store)->operations().empty());
  EXPECT_EQ((*store)->load().state.operations.size(), 0u);
}

TEST(StateCodec, PausedMembersRoundTrip) {
  FakeTimeSource t;
  PersistedState state;
  state.paused = {kEtcd, kApi};
  const auto text = encode_state(state, t.system_time(), t.monotonic_time());
  EXPECT_NE(text.find(R"("paused": [)"), std::string::npos) << text;
  const auto decoded = decode_state(text, t.system_time(), t.monotonic_time());
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->paused, state.paused);
}

TEST(StateCodec, AFileWrittenBeforePausingExistedHasNoPausedMember) {
  FakeTimeSource t;
  const auto decoded = decode_state(kHead + R"("members":[],"actionStarts":[],"operations":[]})",
                                    t.system_time(), t.monotonic_time());
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_TRUE(decoded->paused.empty());
}

TEST(StateCodec, AMalformedPausedEntryIsNamed) {
  FakeTimeSource t;
  const auto decoded =
      decode_state(kHead + R"("members":[],"actionStarts":[],"operations":[],"paused":[{"cluster":"c"}]})",
                   t.system_time(), t.monotonic_time());
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().message, "$.paused[0].member: missing");
  const auto not_a_list = decode_state(
      kHead + R"("members":[],"actionStarts":[],"operations":[],"paused":"etcd"})",
      t.system_time(), t.monotonic_time());
  ASSERT_FALSE(not_a_list.ok());
  EXPECT_EQ(not_a_list.error().message, "$.paused: wrong type (string)");
}

TEST_F(StoreTest, APauseIsWrittenAtOnceAndSurvivesAReopen) {
  {
    auto store = StateStore::open(dir(), time_);
    ASSERT_TRUE(store.ok());
    (void)(*store)->load();
    ASSERT_TRUE((*store)->set_paused(kEtcd, true).ok());
    EXPECT_NE(read("state.json").find(R"("member": "etcd")"), std::string::npos);
    // History saved afterwards keeps the pause in the file.
    ASSERT_TRUE((*store)->save_history(sample_history(time_.monotonic_time())).ok());
  }
  auto store = StateStore::open(dir(), time_);
  ASSERT_TRUE(store.ok());
  const auto loaded = (*store)->load();
  ASSERT_EQ(loaded.status, LoadStatus::kLoaded) << loaded.problem;
  EXPECT_EQ(loaded.state.paused, (std::set<model::MemberKey>{kEtcd}));
  EXPECT_EQ((*store)->paused(), (std::set<model::MemberKey>{kEtcd}));
  // Resuming twice writes once.
  ASSERT_TRUE((*store)->set_paused(kEtcd, false).ok());
  std::filesystem::remove(dir_ / "state.json");
  ASSERT_TRUE((*store)->set_paused(kEtcd, false).ok());
  EXPECT_FALSE(std::filesystem::exists(dir_ / "state.json"));
  EXPECT_TRUE((*store)->paused().empty());
}

TEST_F(StoreTest, UnchangedHistoryIsNotRewritten) {
  auto store = StateStore::open(dir(), time_);
  ASSERT_TRUE(store.ok());
  auto history = sample_history(time_.monotonic_time());
  ASSERT_TRUE((*store)->save_history(history).ok());
  std::filesystem::remove(dir_ / "state.json");
  // Only evidence changed: nothing persistent, no write.
  history.members[kApi].restart_samples["apiserver"].push_back({time_.monotonic_time(), 9, {}});
  ASSERT_TRUE((*store)->save_history(history).ok());
  EXPECT_FALSE(std::filesystem::exists(dir_ / "state.json"));
  history.members[kApi].actions_taken = 1;
  ASSERT_TRUE((*store)->save_history(history).ok());
  EXPECT_TRUE(std::filesystem::exists(dir_ / "state.json"));
}

// etcd's revision grows with every write its cluster takes and is read after every passing
// probe: its progress alone is written at most every kEtcdProgressWriteInterval, anything
// else (a new cluster id, a revision that went back, any other change) at once.
TEST_F(StoreTest, EtcdStatusProgressAloneIsWrittenAtMostOnceAnInterval) {
  auto store = StateStore::open(dir(), time_);
  ASSERT_TRUE(store.ok());
  auto history = sample_history(time_.monotonic_time());
  history.members[kEtcd].etcd_seen = etcd::DataIdentity{7, 1000};
  ASSERT_TRUE((*store)->save_history(history).ok());
  const auto written_revision = [&]() -> std::uint64_t {
    const auto decoded =
        decode_state(read("state.json"), time_.system_time(), time_.monotonic_time());
    EXPECT_TRUE(decoded.ok()) << decoded.error().message;
    if (!decoded.ok()) return 0;
    const auto& seen = decoded->history.members.at(kEtcd).etcd_seen;
    return seen ? seen->revision : 0;
  };
  const auto save = [&](std::uint64_t cluster, std::uint64_t revision) {
    history.members[kEtcd].etcd_seen = etcd::DataIdentity{cluster, revision};
    ASSERT_TRUE((*store)->save_history(history).ok());
  };

  time_.advance(std::chrono::seconds(5));
  save(7, 1010);
  EXPECT_EQ(written_revision(), 1000u) << "progress alone waits";
  time_.advance(StateStore::kEtcdProgressWriteInterval - std::chrono::seconds(10));
  save(7, 1020);
  EXPECT_EQ(written_revision(), 1000u);
  time_.advance(std::chrono::seconds(5));
  save(7, 1030);
  EXPECT_EQ(written_revision(), 1030u) << "an interval after the last write";

  time_.advance(std::chrono::seconds(1));
  save(7, 1029);
  EXPECT_EQ(written_revision(), 1029u) << "a revision that went back is written at once";
  time_.advance(std::chrono::seconds(1));
  save(8, 1);
  EXPECT_EQ(written_revision(), 1u) << "a new cluster id is written at once";

  time_.advance(std::chrono::seconds(1));
  history.members[kEtcd].etcd_seen = etcd::DataIdentity{8, 50};
  history.members[kApi].actions_taken += 1;
  ASSERT_TRUE((*store)->save_history(history).ok());
  EXPECT_EQ(written_revision(), 50u) << "any other change writes the progress with it";
}

TEST_F(StoreTest, AnUnreadableFileIsReportedWithItsProblem) {
  std::filesystem::create_directories(dir_);
  std::ofstream(dir_ / "state.json") << R"({"format":"frankenetesd-state","version":9})";
  auto store = StateStore::open(dir(), time_);
  ASSERT_TRUE(store.ok());
  const auto loaded = (*store)->load();
  EXPECT_EQ(loaded.status, LoadStatus::kUnreadable);
  EXPECT_NE(loaded.problem.find("$.version: 9 is not supported"), std::string::npos)
      << loaded.problem;
  EXPECT_TRUE(std::filesystem::exists(dir_ / "state.json.unreadable")) << "kept for a person";
  EXPECT_FALSE(std::filesystem::exists(dir_ / "state.json"));
}

}  // namespace
}  // namespace frankenetes::state
