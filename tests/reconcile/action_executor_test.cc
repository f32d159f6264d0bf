#include "reconcile/action_executor.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "support/fake_container_group_api.h"
#include "support/fake_sleeper.h"
#include "support/fake_time_source.h"

namespace frankenetes::reconcile {
namespace {

using testing::FakeContainerGroupApi;
using testing::FakeTimeSource;
using Calls = std::vector<std::string>;
using namespace std::chrono_literals;

plan::Action action(plan::ActionKind kind, bool dry_run = false) {
  plan::Action a;
  a.member = {"prod", "etcd"};
  a.kind = kind;
  a.dry_run = dry_run;
  a.reason_text = "test";
  return a;
}

ActionTarget target(std::string spec = {}) {
  ActionTarget t;
  t.group = {"sub", "rg", "etcd"};
  t.spec_text = std::move(spec);
  t.timeout = std::chrono::minutes(5);
  return t;
}

const std::string kSpec = R"({"location":"westeurope"})";

std::filesystem::path fresh_dir() {
  auto dir = std::filesystem::temp_directory_path() /
             ("fk-exec-" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(dir);
  return dir;
}

struct ExecutorTest : ::testing::Test {
  ExecutorTest() { api.set(FakeContainerGroupApi::running("etcd", "10.0.0.1")); }
  ~ExecutorTest() override { std::filesystem::remove_all(dir); }

  // The operation as the state directory has it now.
  std::optional<state::RecreateOperation> recorded() const {
    auto ops = store->operations();
    if (ops.empty()) return std::nullopt;
    return ops.front();
  }

  FakeTimeSource time;
  testing::FakeSleeper sleeper{time};
  FakeContainerGroupApi api;
  std::filesystem::path dir = fresh_dir();
  std::unique_ptr<state::StateStore> store =
      std::move(state::StateStore::open(dir.string(), time).value());
  std::function<bool()> stopping = [] { return false; };
  AciActionExecutor executor{api, time, sleeper, [this] { return stopping(); }, store.get()};
};

TEST_F(ExecutorTest, RestartAndStartAreOneCall) {
  EXPECT_EQ(executor.execute(action(plan::ActionKind::kRestart), target()).outcome,
            plan::ActionOutcome::kSucceeded);
  EXPECT_EQ(executor.execute(action(plan::ActionKind::kStart), target()).outcome,
            plan::ActionOutcome::kSucceeded);
  EXPECT_EQ(api.calls(), (Calls{"restart etcd", "start etcd"}));
}

TEST_F(ExecutorTest, StopThenStart) {
  const auto result = executor.execute(action(plan::ActionKind::kStopStart), target());
  EXPECT_EQ(result.outcome, plan::ActionOutcome::kSucceeded);
  EXPECT_EQ(result.detail, "");
  EXPECT_EQ(api.calls(), (Calls{"stop etcd", "start etcd"}));
}

TEST_F(ExecutorTest, FailedStopEndsTheSequence) {
  api.fail_next("stop", FakeContainerGroupApi::error(core::ErrorKind::kConflict, "Conflict", 409));
  const auto result = executor.execute(action(plan::ActionKind::kStopStart), target());
  EXPECT_EQ(result.outcome, plan::ActionOutcome::kFailed);
  EXPECT_NE(result.detail.find("stop: "), std::string::npos) << result.detail;
  EXPECT_EQ(api.calls(), (Calls{"stop etcd"}));
}

TEST_F(ExecutorTest, RecreateDeletesThenPutsTheSpec) {
  const auto result = executor.execute(action(plan::ActionKind::kRecreate), target(kSpec));
  EXPECT_EQ(result.outcome, plan::ActionOutcome::kSucceeded) << result.detail;
  EXPECT_EQ(api.calls(), (Calls{"delete etcd", "get etcd", "get etcd", "put etcd"}));
  EXPECT_EQ(api.last_spec(), kSpec);
  EXPECT_FALSE(recorded()) << "a finished operation leaves no record";
}

TEST_F(ExecutorTest, AProvenGoneGroupGetsOnlyAPut) {
  api.remove("etcd");
  auto a = action(plan::ActionKind::kRecreate);
  a.reason = plan::UnhealthyReason::kMissing;
  const auto result = executor.execute(a, target(kSpec));
  EXPECT_EQ(result.outcome, plan::ActionOutcome::kSucceeded) << result.detail;
  EXPECT_EQ(api.calls(), (Calls{"get etcd", "put etcd"}));
}

TEST_F(ExecutorTest, TheIntentIsRecordedBeforeTheDelete) {
  api.model_mutations(false);  // DELETE "succeeds" but the group never goes away
  int checks = 0;
  // Stop the daemon while it waits for ARM to confirm the deletion.
  stopping = [&] { return ++checks > 3; };
  const auto result = executor.execute(action(plan::ActionKind::kRecreate), target(kSpec));
  EXPECT_EQ(result.outcome, plan::ActionOutcome::kInterrupted);
  ASSERT_TRUE(recorded());
  EXPECT_EQ(recorded()->spec_text, kSpec);
  EXPECT_FALSE(recorded()->delete_confirmed);
  EXPECT_EQ(api.calls().front(), "delete etcd");
}

TEST_F(ExecutorTest, ASlowDeleteIsWaitedForPastActionTimeout) {
  api.delete_lag(20);  // Deleting for 20 GETs
  auto t = target(kSpec);
  t.timeout = std::chrono::seconds(10);
  const auto result = executor.execute(action(plan::ActionKind::kRecreate), t);
  EXPECT_EQ(result.outcome, plan::ActionOutcome::kSucceeded) << result.detail;
  EXPECT_GT(sleeper.total(), std::chrono::seconds(10));
  EXPECT_EQ(api.count("put"), 1u);
  EXPECT_EQ(api.calls().back(), "put etcd");
  EXPECT_TRUE(api.exists("etcd"));
}

TEST_F(ExecutorTest, ADeleteLroTimeoutStillEndsInAPut) {
  api.fail_next("delete",
                core::timeout_error("aci.delete: timed out after 300s waiting for the operation"));
  // A scripted failure does not change the fake's table: ARM finished the deletion later.
  api.remove("etcd");
  const auto result = executor.execute(action(plan::ActionKind::kRecreate), target(kSpec));
  EXPECT_EQ(result.outcome, plan::ActionOutcome::kSucceeded) << result.detail;
  EXPECT_EQ(api.count("put"), 1u);
}

TEST_F(ExecutorTest, RefusedPutsAreRetriedWithBackoffUntilTheGroupExists) {
  for (int i = 0; i < 4; ++i) {
    api.fail_next("put", FakeContainerGroupApi::error(core::ErrorKind::kTransient,
                                                      "ServiceUnavailable", 503));
  }
  const auto result = executor.execute(action(plan::ActionKind::kRecreate), target(kSpec));
  EXPECT_EQ(result.outcome, plan::ActionOutcome::kSucceeded) << result.detail;
  EXPECT_EQ(api.count("put"), 5u);
  EXPECT_EQ(result.detail, "created after 5 PUT attempts");
  // 1 s, 2 s, 4 s, 8 s between the PUTs (after the deletion was confirmed at once).
  EXPECT_EQ(sleeper.sleeps(), (std::vector<core::Duration>{1s, 2s, 4s, 8s}));
  EXPECT_TRUE(api.exists("etcd"));
}

TEST_F(ExecutorTest, AStopBetweenDeleteAndPutLeavesThePutOwed) {
  api.fail_always("put", FakeContainerGroupApi::error(core::ErrorKind::kTerminal,
                                                      "InvalidRequestContent", 400));
  int checks = 0;
  stopping = [&] { return ++checks > 4; };
  const auto result = executor.execute(action(plan::ActionKind::kRecreate), target(kSpec));
  EXPECT_EQ(result.outcome, plan::ActionOutcome::kInterrupted);
  ASSERT_TRUE(recorded());
  EXPECT_TRUE(recorded()->delete_confirmed);
  EXPECT_GE(recorded()->put_attempts, 1);

  // The next start resumes it: no second DELETE, only the PUT.
  api.clear_failures();
  api.clear_calls();
  AciActionExecutor next{api, time, sleeper, [] { return false; }, store.get()};
  auto t = target(kSpec);
  t.resume = recorded();
  const auto resumed = next.execute(action(plan::ActionKind::kRecreate), t);
  EXPECT_EQ(resumed.outcome, plan::ActionOutcome::kSucceeded) << resumed.detail;
  EXPECT_EQ(api.calls(), (Calls{"get etcd", "put etcd"}));
  EXPECT_FALSE(recorded());
}

TEST_F(ExecutorTest, AResumedPutNeverOverwritesAGroupThatExistsMeanwhile) {
  // Deleted and PUT owed when the daemon stopped; a person recreated the group since.
  state::RecreateOperation op{{"prod", "etcd"}, "sub", "rg", "etcd", kSpec, time.system_time(),
                              /*delete_confirmed=*/true, 2};
  ASSERT_TRUE(store->put_operation(op).ok());
  auto t = target(kSpec);
  t.resume = op;
  const auto result = executor.execute(action(plan::ActionKind::kRecreate), t);
  EXPECT_EQ(result.outcome, plan::ActionOutcome::kSucceeded);
  EXPECT_EQ(api.calls(), (Calls{"get etcd"}));
  EXPECT_FALSE(recorded());
}

TEST_F(ExecutorTest, AResumedRecreateThatFindsTheGroupPresentDeletesNothing) {
  state::RecreateOperation op{{"prod", "etcd"}, "sub", "rg", "etcd", kSpec, time.system_time(),
                              /*delete_confirmed=*/false, 0};
  ASSERT_TRUE(store->put_operation(op).ok());
  auto t = target(kSpec);
  t.resume = op;
  const auto result = executor.execute(action(plan::ActionKind::kRecreate), t);
  EXPECT_EQ(result.outcome, plan::ActionOutcome::kFailed);
  EXPECT_NE(result.detail.find("not deleting on old evidence"), std::string::npos);
  EXPECT_EQ(api.mutations(), 0u);
  EXPECT_FALSE(recorded());
}

TEST_F(ExecutorTest, AResumedRecreateWaitsForADeletionInProgress) {
  api.delete_lag(2);
  ASSERT_TRUE(api.delete_group({"sub", "rg", "etcd"}).ok());
  api.clear_calls();
  state::RecreateOperation op{{"prod", "etcd"}, "sub", "rg", "etcd", kSpec, time.system_time(),
                              false, 0};
  auto t = target(kSpec);
  t.resume = op;
  const auto result = executor.execute(action(plan::ActionKind::kRecreate), t);
  EXPECT_EQ(result.outcome, plan::ActionOutcome::kSucceeded) << result.detail;
  EXPECT_EQ(api.calls(), (Calls{"get etcd", "get etcd", "get etcd", "get etcd", "put etcd"}));
}

TEST_F(ExecutorTest, ARefusedDeleteChangesNothing) {
  api.fail_next("delete",
                FakeContainerGroupApi::error(core::ErrorKind::kTerminal, "Forbidden", 403));
  const auto result = executor.execute(action(plan::ActionKind::kRecreate), target(kSpec));
  EXPECT_EQ(result.outcome, plan::ActionOutcome::kFailed);
  EXPECT_NE(result.detail.find("the group is unchanged"), std::string::npos);
  EXPECT_EQ(api.calls(), (Calls{"delete etcd", "get etcd"}));
  EXPECT_FALSE(recorded());
}

TEST_F(ExecutorTest, NoSpecOrNoStateDirectorySendsNothing) {
  auto result = executor.execute(action(plan::ActionKind::kRecreate), target());
  EXPECT_EQ(result.outcome, plan::ActionOutcome::kFailed);
  AciActionExecutor without_store{api, time, sleeper, {}, nullptr};
  result = without_store.execute(action(plan::ActionKind::kRecreate), target(kSpec));
  EXPECT_EQ(result.outcome, plan::ActionOutcome::kFailed);
  EXPECT_NE(result.detail.find("no state directory"), std::string::npos);
  EXPECT_TRUE(api.calls().empty());
}

TEST_F(ExecutorTest, LroTimeoutIsTimedOut) {
  api.fail_next("restart",
                core::timeout_error("aci.restart: timed out after 300s waiting for the operation"));
  EXPECT_EQ(executor.execute(action(plan::ActionKind::kRestart), target()).outcome,
            plan::ActionOutcome::kTimedOut);
}

// Coordination's fence (act_gate.h): asked right before every mutating call, for the action's
// cluster; a refusal ends the action as lease_lost with that call not sent.
struct FencedExecutorTest : ExecutorTest {
  // The gate allows `allowed` more calls, then refuses.
  int allowed = 0;
  std::vector<std::string> asked;
  AciActionExecutor fenced{api,
                           time,
                           sleeper,
                           [] { return false; },
                           store.get(),
                           RecreatePacing{},
                           [this](const std::string& cluster) {
                             asked.push_back(cluster);
                             return allowed-- > 0;
                           }};
};

TEST_F(FencedExecutorTest, ARefusedGateSendsNothing) {
  for (const auto kind : {plan::ActionKind::kRestart, plan::ActionKind::kStart,
                          plan::ActionKind::kStopStart, plan::ActionKind::kRecreate}) {
    const auto result = fenced.execute(action(kind), target(kSpec));
    EXPECT_EQ(result.outcome, plan::ActionOutcome::kLeaseLost) << plan::to_string(kind);
    EXPECT_NE(result.detail.find("lease_lost"), std::string::npos) << result.detail;
  }
  EXPECT_TRUE(api.calls().empty());
  EXPECT_EQ(asked, (Calls{"prod", "prod", "prod", "prod"}));
  EXPECT_FALSE(recorded()) << "a recreate refused before its DELETE leaves no operation";
  EXPECT_EQ(plan::to_string(plan::ActionOutcome::kLeaseLost), "lease_lost");
}

TEST_F(FencedExecutorTest, ALeaseLostBetweenStopAndStartSendsNoStart) {
  allowed = 1;
  const auto result = fenced.execute(action(plan::ActionKind::kStopStart), target());
  EXPECT_EQ(result.outcome, plan::ActionOutcome::kLeaseLost);
  EXPECT_EQ(result.detail, "start: lease_lost (not sent)");
  EXPECT_EQ(api.calls(), (Calls{"stop etcd"}));
}

TEST_F(FencedExecutorTest, ALeaseLostBeforeThePutKeepsTheOperationForWhenTheLeaseIsBack) {
  allowed = 2;  // the intent and the DELETE
  const auto result = fenced.execute(action(plan::ActionKind::kRecreate), target(kSpec));
  EXPECT_EQ(result.outcome, plan::ActionOutcome::kLeaseLost);
  EXPECT_EQ(result.detail, "recreate: put: lease_lost (not sent)");
  EXPECT_EQ(api.calls(), (Calls{"delete etcd", "get etcd", "get etcd"}));
  ASSERT_TRUE(recorded()) << "the PUT is owed: resumed when this replica holds the cluster";
  EXPECT_TRUE(recorded()->delete_confirmed);

  allowed = 100;  // the lease is ours again: the resumed operation reads, then PUTs
  api.clear_calls();
  auto resumed = target(kSpec);
  resumed.resume = *recorded();
  EXPECT_EQ(fenced.execute(action(plan::ActionKind::kRecreate), resumed).outcome,
            plan::ActionOutcome::kSucceeded);
  EXPECT_EQ(api.calls(), (Calls{"get etcd", "put etcd"}));
  EXPECT_FALSE(recorded());
}

TEST_F(FencedExecutorTest, AnAllowingGateChangesNothing) {
  allowed = 100;
  EXPECT_EQ(fenced.execute(action(plan::ActionKind::kStopStart), target()).outcome,
            plan::ActionOutcome::kSucceeded);
  EXPECT_EQ(fenced.execute(action(plan::ActionKind::kRecreate), target(kSpec)).outcome,
            plan::ActionOutcome::kSucceeded);
  EXPECT_EQ(api.calls(),
            (Calls{"stop etcd", "start etcd", "delete etcd", "get etcd", "get etcd", "put etcd"}));
}

TEST(PolicyExecutor, DryRunSendsNothing) {
  FakeTimeSource time;
  testing::FakeSleeper sleeper{time};
  FakeContainerGroupApi api;
  AciActionExecutor real(api, time, sleeper, {}, nullptr);
  DryRunExecutor dry;
  PolicyExecutor executor(real, dry);
  for (const auto kind :
       {plan::ActionKind::kRestart, plan::ActionKind::kStopStart, plan::ActionKind::kRecreate}) {
    const auto result = executor.execute(action(kind, /*dry_run=*/true), target(kSpec));
    EXPECT_EQ(result.outcome, plan::ActionOutcome::kSucceeded);
    EXPECT_TRUE(result.dry_run);
  }
  EXPECT_TRUE(api.calls().empty());
  executor.execute(action(plan::ActionKind::kRestart, /*dry_run=*/false), target());
  EXPECT_EQ(api.calls(), (Calls{"restart etcd"}));
}

}  // namespace
}  // namespace frankenetes::reconcile
