#include "sim/aci_model.h"

#include <gtest/gtest.h>

#include "support/fake_time_source.h"

namespace frankenetes::sim {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

// Records what the model asked of the runtime.
class RecordingRuntime final : public ContainerRuntime {
 public:
  void launch(const ContainerGroup& g, const Container& c) override {
    launches.push_back(g.name + "/" + c.name + "@" + g.ip);
  }
  void kill(const ContainerGroup& g, const Container& c) override { kills.push_back(g.name + "/" + c.name); }
  void set_hung(const ContainerGroup&, const Container&, bool hung) override { last_hung = hung; }
  void reset_filesystem(const ContainerGroup& g) override { resets.push_back(g.name); }
  void group_removed(const std::string& key) override { removed.push_back(key); }
  std::string logs(const ContainerGroup&, const Container&, std::optional<int>) override { return "log"; }

  std::vector<std::string> launches, kills, resets, removed;
  bool last_hung = false;
};

nlohmann::json body(const std::string& policy = "Always") {
  return {{"location", "West Europe"},
          {"properties",
           {{"osType", "Linux"},
            {"restartPolicy", policy},
            {"containers",
             {{{"name", "app"},
               {"properties", {{"image", "nginx"}, {"resources", {{"requests", {{"cpu", 1}, {"memoryInGB", 1}}}}}}}}}},
            {"ipAddress", {{"type", "Public"}, {"ports", {{{"port", 80}}}}, {"dnsNameLabel", "demo"}}}}}};
}

class AciModelTest : public ::testing::Test {
 protected:
  AciModelTest() : model_(AciSettings{}, clock_, runtime_, random_, IpPool()) {}

  const ContainerGroup& deployed(const std::string& policy = "Always") {
    auto out = model_.create_or_update("rg", "g", body(policy), true);
    return *out.group;
  }
  const Container& app() { return model_.find("rg", "g")->containers.at(0); }
  template <typename D>
  void advance(D d) {
    clock_.advance(d);
    model_.advance();
  }

  frankenetes::testing::FakeTimeSource clock_;
  RecordingRuntime runtime_;
  Random random_{7};
  AciModel model_;
};

// Operations end with their own group's deployment steps, never another group's, and an
// operation that ended keeps its outcome.
TEST_F(AciModelTest, OperationsFinishPerGroup) {
  const auto g_create = model_.create_or_update("rg", "g", body()).operation_id;
  const auto h_create = model_.create_or_update("rg", "h", body()).operation_id;
  auto changed = body();
  changed["properties"]["containers"][0]["properties"]["image"] = "nginx:2";
  const auto g_update = model_.create_or_update("rg", "g", changed).operation_id;
  EXPECT_EQ(model_.operation(g_create)->status, "Canceled");
  EXPECT_EQ(model_.operation(g_create)->error_code, "OperationCanceled");
  EXPECT_EQ(model_.operation(h_create)->status, "InProgress");
  EXPECT_EQ(model_.operation(g_update)->status, "InProgress");
  advance(seconds(4));
  EXPECT_EQ(model_.operation(g_update)->status, "Succeeded");
  EXPECT_EQ(model_.operation(h_create)->status, "Succeeded");

  // An unchanged PUT on a running group is done at once; a later restart does not touch it.
  const auto noop = model_.create_or_update("rg", "h", body()).operation_id;
  EXPECT_EQ(model_.operation(noop)->status, "Succeeded");
  const auto noop_end = model_.operation(noop)->end_time;
  const auto restart = model_.restart("rg", "h").operation_id;
  advance(seconds(1));
  const auto cancelling = model_.restart("rg", "h").operation_id;
  EXPECT_EQ(model_.operation(restart)->status, "Canceled");
  advance(seconds(2));
  EXPECT_EQ(model_.operation(cancelling)->status, "Succeeded");
  EXPECT_EQ(model_.operation(noop)->status, "Succeeded");
  EXPECT_EQ(model_.operation(noop)->end_time, noop_end);

  // A deletion is not cancelled by the group's other steps; it ends when the group is gone.
  const auto del = model_.remove("rg", "g", seconds(5)).operation_id;
  EXPECT_EQ(model_.restart("rg", "g").result, ActionResult::kConflict);
  advance(seconds(4));
  EXPECT_EQ(model_.operation(del)->status, "InProgress");
  advance(seconds(1));
  EXPECT_EQ(model_.operation(del)->status, "Succeeded");
  EXPECT_EQ(model_.find("rg", "g"), nullptr);
}

TEST_F(AciModelTest, FindByIpFollowsTheGroupsAddress) {
  const auto& g = deployed();
  const auto first = g.ip;
  EXPECT_EQ(model_.find_by_ip(first), &g);
  model_.move_ip("rg", "g", std::nullopt);
  EXPECT_EQ(model_.find_by_ip(first), nullptr);
  EXPECT_EQ(model_.find_by_ip(g.ip), &g);
  const auto second = g.ip;
  model_.stop("rg", "g");
  EXPECT_EQ(model_.find_by_ip(second), nullptr);
  model_.start("rg", "g");
  const auto third = g.ip;
  EXPECT_EQ(model_.find_by_ip(third), &g);
  model_.remove("rg", "g");  // g is gone after this
  advance(seconds(2));
  EXPECT_EQ(model_.find_by_ip(third), nullptr);
  EXPECT_EQ(model_.find_by_ip(""), nullptr);
}

TEST_F(AciModelTest, ProvisioningGoesPendingCreatingSucceeded) {
  auto out = model_.create_or_update("RG", "g", body());
  EXPECT_TRUE(out.created);
  const auto* g = model_.find("rg", "G");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->provisioning_state, "Pending");
  EXPECT_EQ(g->instance_state(), "Pending");
  EXPECT_FALSE(g->ip.empty()) << "the IP is assigned in the 201 body already";
  EXPECT_EQ(g->location, "westeurope");
  EXPECT_EQ(g->fqdn(), "demo.westeurope.azurecontainer.io");
  EXPECT_EQ(model_.operation(out.operation_id)->status, "InProgress");
  advance(seconds(2));
  EXPECT_EQ(g->provisioning_state, "Creating");
  EXPECT_TRUE(runtime_.launches.empty());
  advance(seconds(2));
  EXPECT_EQ(g->provisioning_state, "Succeeded");
  EXPECT_EQ(g->instance_state(), "Running");
  EXPECT_EQ(runtime_.launches.size(), 1u);
  EXPECT_EQ(model_.operation(out.operation_id)->status, "Succeeded");
  EXPECT_EQ(app().current->state, "Running");
}

TEST_F(AciModelTest, CrashLoopRaisesRestartCountWithDoublingBackOff) {
  deployed();
  ASSERT_EQ(model_.crash("rg", "g", "app", 1, 0, true), ActionResult::kDone);
  EXPECT_EQ(app().current->state, "Waiting");
  EXPECT_EQ(app().current->detail_status, "CrashLoopBackOff: Back-off restarting failed");
  EXPECT_EQ(app().previous->state, "Terminated");
  EXPECT_EQ(app().previous->exit_code, 1);
  EXPECT_EQ(app().previous->detail_status, "Error");
  EXPECT_EQ(app().restart_count, 0);

  // Back-off 10 s, then the container runs 1 s (crash_run_time) and dies again: 20 s, 40 s …
  const int expected_backoff[] = {10, 20, 40, 80, 160, 300, 300};
  int restarts = 0;
  for (int wait : expected_backoff) {
    advance(seconds(wait - 1));
    EXPECT_EQ(app().phase, ContainerPhase::kBackOff) << "still backing off before " << wait << "s";
    advance(seconds(1));
    ++restarts;
    EXPECT_EQ(app().restart_count, restarts);
    EXPECT_EQ(app().current->state, "Running");
    advance(seconds(1));  // crash_run_time
    EXPECT_EQ(app().current->detail_status, "CrashLoopBackOff: Back-off restarting failed");
  }
  bool saw_backoff = false;
  for (const auto& e : app().events) {
    if (e.name == "BackOff") {
      saw_backoff = true;
      EXPECT_EQ(e.type, "Warning");
      EXPECT_EQ(e.count, restarts + 1);
    }
    if (e.name == "Started") {
      EXPECT_EQ(e.count, restarts + 1);
    }
  }
  EXPECT_TRUE(saw_backoff);
  EXPECT_EQ(model_.find("rg", "g")->instance_state(), "Running");
}

TEST_F(AciModelTest, BackOffResetsAfterTenMinutesRunning) {
  deployed();
  model_.crash("rg", "g", "app", 1, 3, false);  // this crash and the next two starts
  advance(seconds(10));                          // restart 1 → dies after 1 s
  advance(seconds(1));
  advance(seconds(20));  // restart 2
  advance(seconds(1));
  advance(seconds(40));  // restart 3, runs fine now
  EXPECT_EQ(app().restart_count, 3);
  EXPECT_EQ(app().phase, ContainerPhase::kRunning);
  advance(minutes(11));
  model_.crash("rg", "g", "app", 2, 1, false);
  EXPECT_EQ(app().previous->exit_code, 2);
  advance(seconds(10));
  EXPECT_EQ(app().restart_count, 4) << "back-off restarted at 10 s after a long healthy run";
}

TEST_F(AciModelTest, TimeScaleShrinksBackOff) {
  AciSettings fast;
  fast.time_scale = 0.01;
  AciModel model(fast, clock_, runtime_, random_, IpPool());
  model.create_or_update("rg", "g", body(), true);
  model.crash("rg", "g", "app", 1, 1, false);
  clock_.advance(std::chrono::milliseconds(99));
  model.advance();
  EXPECT_EQ(model.find("rg", "g")->containers[0].restart_count, 0);
  clock_.advance(std::chrono::milliseconds(1));
  model.advance();
  EXPECT_EQ(model.find("rg", "g")->containers[0].restart_count, 1);
}

TEST_F(AciModelTest, OnFailureAndNeverEndTheGroup) {
  deployed("OnFailure");
  model_.crash("rg", "g", "app", 0, 1, false);
  EXPECT_EQ(app().current->state, "Terminated");
  EXPECT_EQ(app().current->detail_status, "Completed");
  EXPECT_EQ(model_.find("rg", "g")->instance_state(), "Succeeded");

  model_.create_or_update("rg", "h", body("Never"), true);
  model_.crash("rg", "h", "app", 3, 1, false);
  EXPECT_EQ(model_.find("rg", "h")->instance_state(), "Failed");
  EXPECT_EQ(model_.find("rg", "h")->containers[0].current->exit_code, 3);
}

TEST_F(AciModelTest, RestartKeepsIpStopStartChangesIt) {
  const auto ip = deployed().ip;
  auto restart = model_.restart("rg", "g");
  EXPECT_EQ(restart.result, ActionResult::kDone);
  EXPECT_EQ(model_.find("rg", "g")->instance_state(), "Pending");
  advance(seconds(2));
  EXPECT_EQ(model_.find("rg", "g")->ip, ip);
  EXPECT_EQ(model_.operation(restart.operation_id)->status, "Succeeded");
  EXPECT_EQ(app().current->state, "Running");

  EXPECT_EQ(model_.stop("rg", "g").result, ActionResult::kDone);
  EXPECT_EQ(model_.find("rg", "g")->instance_state(), "Stopped");
  EXPECT_EQ(model_.find("rg", "g")->provisioning_state, "Succeeded");
  EXPECT_TRUE(model_.find("rg", "g")->ip.empty());
  EXPECT_EQ(model_.restart("rg", "g").result, ActionResult::kStopped);

  auto start = model_.start("rg", "g");
  EXPECT_EQ(start.result, ActionResult::kDone);
  EXPECT_EQ(model_.start("rg", "g").result, ActionResult::kNoOp) << "already starting";
  advance(seconds(4));
  EXPECT_EQ(model_.find("rg", "g")->instance_state(), "Running");
  EXPECT_FALSE(model_.find("rg", "g")->ip.empty());
  EXPECT_NE(model_.find("rg", "g")->ip, ip);
  EXPECT_EQ(model_.operation(start.operation_id)->status, "Succeeded");
}

TEST_F(AciModelTest, RestartWithProbabilityOneMovesIp) {
  const auto ip = deployed().ip;
  model_.set_restart_new_ip_probability(1.0);
  model_.restart("rg", "g");
  EXPECT_NE(model_.find("rg", "g")->ip, ip);
}

TEST_F(AciModelTest, MaintenanceMovesToRequestedIp) {
  deployed();
  auto out = model_.move_ip("rg", "g", std::string("127.1.200.7"));
  EXPECT_EQ(out.result, ActionResult::kDone);
  EXPECT_EQ(model_.find("rg", "g")->ip, "127.1.200.7");
  EXPECT_EQ(model_.resolve_fqdn("demo.westeurope.azurecontainer.io."), "127.1.200.7");
}

TEST_F(AciModelTest, DeleteThenRecreateGetsNewIpAndFreshFilesystem) {
  const auto ip = deployed().ip;
  auto del = model_.remove("rg", "g");
  EXPECT_EQ(model_.find("rg", "g")->provisioning_state, "Deleting");
  advance(seconds(1));
  EXPECT_EQ(model_.find("rg", "g"), nullptr);
  EXPECT_EQ(model_.operation(del.operation_id)->status, "Succeeded");
  EXPECT_EQ(runtime_.removed.back(), "rg/g");
  EXPECT_EQ(model_.remove("rg", "g").result, ActionResult::kNotFound);
  model_.create_or_update("rg", "g", body(), true);
  EXPECT_NE(model_.find("rg", "g")->ip, ip);
}

TEST_F(AciModelTest, StaleExitReportsAreIgnored) {
  deployed();
  const auto instance = app().instance;
  model_.restart("rg", "g");
  advance(seconds(2));
  model_.container_exited("rg/g", "app", instance, 137);
  EXPECT_EQ(app().phase, ContainerPhase::kRunning);
  model_.container_exited("rg/g", "app", app().instance, 137);
  EXPECT_EQ(app().phase, ContainerPhase::kBackOff);
  EXPECT_EQ(app().previous->exit_code, 137);
}

TEST_F(AciModelTest, PagingWalksKeysInOrder) {
  for (int i = 0; i < 5; ++i) model_.create_or_update("rg", "g" + std::to_string(i), body(), true);
  model_.create_or_update("other", "x", body(), true);
  std::string next;
  auto page = model_.page(std::string("rg"), "", 2, &next);
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(next, "rg/g1");
  page = model_.page(std::string("rg"), next, 2, &next);
  EXPECT_EQ(page[0]->name, "g2");
  page = model_.page(std::string("rg"), next, 2, &next);
  ASSERT_EQ(page.size(), 1u);
  EXPECT_TRUE(next.empty());
  page = model_.page(std::nullopt, "", 100, &next);
  EXPECT_EQ(page.size(), 6u);
}

TEST(IpPool, UniqueAndNotReusedSoon) {
  auto pool = IpPool::parse("127.9.0.0/30");
  ASSERT_TRUE(pool.ok());
  auto a = pool->allocate();
  auto b = pool->allocate();
  ASSERT_TRUE(a && b);
  EXPECT_NE(*a, *b);
  pool->release(*a);
  auto c = pool->allocate();
  ASSERT_TRUE(c);
  EXPECT_NE(*c, *b);
  EXPECT_FALSE(IpPool::parse("10.0.0.0/16").ok());
}

}  // namespace
}  // namespace frankenetes::sim
