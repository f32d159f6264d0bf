#include "reconcile/action_executor.h"

#include <gtest/gtest.h>

#include "support/fake_container_group_api.h"
#include "support/fake_time_source.h"

namespace frankenetes::reconcile {
namespace {

using testing::FakeContainerGroupApi;
using testing::FakeTimeSource;
using Calls = std::vector<std::string>;

plan::Action action(plan::ActionKind kind, bool dry_run = false) {
  plan::Action a;
  a.member = {"prod", "etcd"};
  a.kind = kind;
  a.dry_run = dry_run;
  a.reason_text = "test";
  return a;
}

ActionTarget target(std::optional<std::string> spec = std::nullopt) {
  ActionTarget t;
  t.group = {"sub", "rg", "etcd"};
  t.spec_file = std::move(spec);
  t.timeout = std::chrono::minutes(5);
  return t;
}

struct ExecutorTest : ::testing::Test {
  FakeTimeSource time;
  FakeContainerGroupApi api;
  std::vector<std::string> spec_reads;
  AciActionExecutor executor{
      api, time, [this](const std::string& path) -> core::Result<std::string> {
        spec_reads.push_back(path);
        if (path == "missing.json") {
          return FakeContainerGroupApi::error(core::ErrorKind::kInvalidConfig,
                                              "cannot read spec file missing.json");
        }
        return std::string(R"({"location":"westeurope"})");
      }};
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
  const auto result = executor.execute(action(plan::ActionKind::kRecreate), target("etcd.json"));
  EXPECT_EQ(result.outcome, plan::ActionOutcome::kSucceeded);
  EXPECT_EQ(api.calls(), (Calls{"delete etcd", "put etcd"}));
  EXPECT_EQ(api.last_spec(), R"({"location":"westeurope"})");
  EXPECT_EQ(spec_reads, (Calls{"etcd.json"}));
}

TEST_F(ExecutorTest, RecreateOfAGroupAlreadyGoneStillPuts) {
  api.fail_next("delete", FakeContainerGroupApi::error(core::ErrorKind::kNotFound, "gone", 404));
  EXPECT_EQ(executor.execute(action(plan::ActionKind::kRecreate), target("etcd.json")).outcome,
            plan::ActionOutcome::kSucceeded);
  EXPECT_EQ(api.calls(), (Calls{"delete etcd", "put etcd"}));
}

TEST_F(ExecutorTest, FailedDeleteSendsNoPut) {
  api.fail_next("delete",
                FakeContainerGroupApi::error(core::ErrorKind::kTerminal, "Forbidden", 403));
  const auto result = executor.execute(action(plan::ActionKind::kRecreate), target("etcd.json"));
  EXPECT_EQ(result.outcome, plan::ActionOutcome::kFailed);
  EXPECT_EQ(api.calls(), (Calls{"delete etcd"}));
}

TEST_F(ExecutorTest, FailedPutIsFailed) {
  api.fail_next("put",
                FakeContainerGroupApi::error(core::ErrorKind::kTerminal, "InvalidSpec", 400));
  EXPECT_EQ(executor.execute(action(plan::ActionKind::kRecreate), target("etcd.json")).outcome,
            plan::ActionOutcome::kFailed);
  EXPECT_EQ(api.calls(), (Calls{"delete etcd", "put etcd"}));
}

TEST_F(ExecutorTest, UnreadableSpecDeletesNothing) {
  const auto result = executor.execute(action(plan::ActionKind::kRecreate), target("missing.json"));
  EXPECT_EQ(result.outcome, plan::ActionOutcome::kFailed);
  EXPECT_NE(result.detail.find("missing.json"), std::string::npos);
  EXPECT_TRUE(api.calls().empty());
  EXPECT_EQ(executor.execute(action(plan::ActionKind::kRecreate), target()).outcome,
            plan::ActionOutcome::kFailed);
  EXPECT_TRUE(api.calls().empty());
}

TEST_F(ExecutorTest, LroTimeoutIsTimedOut) {
  api.fail_next("restart", FakeContainerGroupApi::error(
                               core::ErrorKind::kTransient,
                               "aci.restart: timed out after 300s waiting for the operation"));
  EXPECT_EQ(executor.execute(action(plan::ActionKind::kRestart), target()).outcome,
            plan::ActionOutcome::kTimedOut);
}

TEST(PolicyExecutor, DryRunSendsNothing) {
  FakeTimeSource time;
  FakeContainerGroupApi api;
  AciActionExecutor real(api, time);
  DryRunExecutor dry;
  PolicyExecutor executor(real, dry);
  for (const auto kind :
       {plan::ActionKind::kRestart, plan::ActionKind::kStopStart, plan::ActionKind::kRecreate}) {
    const auto result = executor.execute(action(kind, /*dry_run=*/true), target("etcd.json"));
    EXPECT_EQ(result.outcome, plan::ActionOutcome::kSucceeded);
    EXPECT_TRUE(result.dry_run);
  }
  EXPECT_TRUE(api.calls().empty());
  executor.execute(action(plan::ActionKind::kRestart, /*dry_run=*/false), target());
  EXPECT_EQ(api.calls(), (Calls{"restart etcd"}));
}

}  // namespace
}  // namespace frankenetes::reconcile
