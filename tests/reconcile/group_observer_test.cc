#include "reconcile/group_observer.h"

#include <gtest/gtest.h>

#include "reconcile/reconcile_test_util.h"
#include "support/fake_container_group_api.h"
#include "support/fake_time_source.h"

namespace frankenetes::reconcile {
namespace {

using namespace std::chrono_literals;
using test_util::config_with;
using test_util::member;
using testing::FakeContainerGroupApi;
using testing::FakeTimeSource;
using Calls = std::vector<std::string>;

const model::MemberKey kEtcd{"prod", "etcd"};
const model::MemberKey kApi{"prod", "apiserver"};

struct ObserverTest : ::testing::Test {
  ObserverTest() {
    api.set(FakeContainerGroupApi::running("etcd", "10.0.0.1"));
    api.set(FakeContainerGroupApi::running("apiserver", "10.0.0.2"));
    observer.configure(config);
  }

  // One pass at the current time; returns the calls it made.
  Calls pass(bool force_full = false) {
    api.clear_calls();
    const auto plan = observer.due_reads(time.monotonic_time(), force_full);
    last = GroupObserver::perform(plan, api, time);
    observer.apply(last);
    return api.calls();
  }

  FakeTimeSource time;
  FakeContainerGroupApi api;
  config::Config config = config_with({member("etcd"), member("apiserver", {"etcd"})});
  bool defer = false;
  GroupObserver observer{[this](const std::string& sub) {
    EXPECT_EQ(sub, "sub");
    return defer;
  }};
  PassResult last;
};

TEST_F(ObserverTest, TickIsTheFinestCadence) {
  EXPECT_EQ(GroupObserver::tick_period(config.policy), 5s);
  config.policy.get_interval.unhealthy = 20s;
  EXPECT_EQ(GroupObserver::tick_period(config.policy), 10s);
}

TEST_F(ObserverTest, FirstPassListsAndGetsEverything) {
  EXPECT_EQ(pass(), (Calls{"list rg", "get apiserver", "get etcd"}));
  EXPECT_TRUE(last.full);
  EXPECT_TRUE(last.ok());
  ASSERT_NE(observer.group(kEtcd), nullptr);
  EXPECT_EQ(observer.group(kEtcd)->outcome, model::GroupObservation::Outcome::kFound);
  EXPECT_EQ(observer.group(kEtcd)->observed_at, time.monotonic_time());
  EXPECT_EQ(observer.ip(kEtcd), "10.0.0.1");
}

TEST_F(ObserverTest, HealthyGroupsAreReadSlowlyButNeverGoStale) {
  pass();
  observer.set_attention(kEtcd, false);
  observer.set_attention(kApi, false);
  Calls seen;
  for (int i = 1; i <= 6; ++i) {  // 30 s in 5 s ticks
    time.advance(5s);
    for (const auto& c : pass()) seen.push_back(std::to_string(i * 5) + " " + c);
  }
  // LIST every poll interval (10 s); healthy GETs every staleAfter - tick = 15 s, not 30 s:
  // older data would make the planner call the member unknown.
  EXPECT_EQ(seen, (Calls{"10 list rg", "15 get apiserver", "15 get etcd", "20 list rg",
                         "30 list rg", "30 get apiserver", "30 get etcd"}));
}

TEST_F(ObserverTest, GroupsThatLookWrongAreReadEveryUnhealthyInterval) {
  pass();
  observer.set_attention(kApi, false);  // etcd keeps attention
  Calls seen;
  for (int i = 1; i <= 3; ++i) {
    time.advance(5s);
    for (const auto& c : pass()) seen.push_back(std::to_string(i * 5) + " " + c);
  }
  EXPECT_EQ(seen,
            (Calls{"5 get etcd", "10 list rg", "10 get etcd", "15 get apiserver", "15 get etcd"}));
}

TEST_F(ObserverTest, LowReadBudgetDefersHealthyGetsUntilAboutToGoStale) {
  pass();
  observer.set_attention(kApi, false);
  observer.set_attention(kEtcd, true);
  defer = true;
  time.advance(15s);
  EXPECT_EQ(pass(), (Calls{"list rg", "get etcd"}));  // apiserver deferred
  EXPECT_EQ(observer.deferred_reads(), 1u);
  time.advance(5s);  // 20 s old: the next tick would be past staleAfter
  EXPECT_EQ(pass(), (Calls{"get apiserver", "get etcd"}));
}

TEST_F(ObserverTest, RequestedGetRunsAtTheNextPass) {
  pass();
  observer.set_attention(kEtcd, false);
  observer.set_attention(kApi, false);
  time.advance(1s);
  EXPECT_EQ(pass(), Calls{});
  observer.request_get(kEtcd);
  EXPECT_EQ(pass(), (Calls{"get etcd"}));
}

// --- proof that a group is gone (README.md "Never making it worse") --------------------------

TEST_F(ObserverTest, GoneNeedsA404AListWithoutItAndASecond404APollIntervalLater) {
  pass();
  api.remove("etcd");
  time.advance(10s);
  pass();  // LIST (sent before the 404) and the first 404
  ASSERT_EQ(observer.group(kEtcd)->outcome, model::GroupObservation::Outcome::kNotFound);
  EXPECT_FALSE(observer.group(kEtcd)->gone_confirmed);
  EXPECT_NE(observer.group(kEtcd)->gone_evidence.find("a LIST sent after the first 404"),
            std::string::npos)
      << observer.group(kEtcd)->gone_evidence;
  observer.set_attention(kApi, false);
  time.advance(5s);
  EXPECT_EQ(pass(), (Calls{"get etcd"}));  // an unhealthy-cadence GET: 404 again, no LIST yet
  EXPECT_FALSE(observer.group(kEtcd)->gone_confirmed);
  time.advance(5s);
  EXPECT_EQ(pass(), (Calls{"list rg", "get etcd"}));
  EXPECT_TRUE(observer.group(kEtcd)->gone_confirmed) << observer.group(kEtcd)->gone_evidence;
  EXPECT_EQ(observer.ip(kEtcd), std::nullopt);
}

TEST_F(ObserverTest, ASpurious404OfAListedGroupIsNeverProof) {
  pass();
  for (int i = 0; i < 6; ++i) {
    api.fail_next("get", FakeContainerGroupApi::not_found("etcd"));
    time.advance(5s);
    pass();
    ASSERT_NE(observer.group(kEtcd), nullptr);
    if (observer.group(kEtcd)->outcome == model::GroupObservation::Outcome::kNotFound) {
      EXPECT_FALSE(observer.group(kEtcd)->gone_confirmed) << "pass " << i;
    }
  }
  time.advance(5s);
  pass();
  EXPECT_EQ(observer.group(kEtcd)->outcome, model::GroupObservation::Outcome::kFound);
}

TEST_F(ObserverTest, A404WithoutArmsEnvelopeIsAnError) {
  pass();
  for (const auto& code : {std::string(), std::string("NotFound"), std::string("SomethingElse")}) {
    auto html = FakeContainerGroupApi::error(core::ErrorKind::kNotFound,
                                             "aci.get: HTTP 404 <html><body>Not Found</body></html>",
                                             404);
    html.azure_code = code;
    api.fail_next("get", html);
    time.advance(10s);
    pass(/*force_full=*/true);  // GETs in key order: apiserver gets the 404
    EXPECT_EQ(observer.group(kApi)->outcome, model::GroupObservation::Outcome::kError) << code;
    EXPECT_NE(observer.group(kApi)->error->message.find("proves nothing"), std::string::npos);
  }
}

TEST_F(ObserverTest, ReadsCarryTheirSendTime) {
  pass();
  const auto* got = observer.group(kEtcd);
  ASSERT_NE(got, nullptr);
  ASSERT_TRUE(got->sent_at.has_value());
  EXPECT_LE(*got->sent_at, got->observed_at);
}

TEST_F(ObserverTest, NotFoundAndErrors) {
  api.remove("etcd");
  api.fail_next("get", FakeContainerGroupApi::error(core::ErrorKind::kTransient, "HTTP 503", 503));
  pass();
  // GETs run in key order: apiserver first (fails), then etcd (404).
  EXPECT_EQ(observer.group(kApi)->outcome, model::GroupObservation::Outcome::kError);
  ASSERT_TRUE(observer.group(kApi)->error.has_value());
  EXPECT_EQ(observer.group(kApi)->error->http_status, 503);
  EXPECT_EQ(observer.group(kEtcd)->outcome, model::GroupObservation::Outcome::kNotFound);
  EXPECT_FALSE(last.ok());
  EXPECT_EQ(observer.ip(kEtcd), std::nullopt);
}

TEST_F(ObserverTest, FailedListChangesNothing) {
  pass();
  const auto before = *observer.group(kEtcd);
  time.advance(10s);
  observer.set_attention(kEtcd, false);
  observer.set_attention(kApi, false);
  api.fail_next("list", FakeContainerGroupApi::error(core::ErrorKind::kTransient, "HTTP 503", 503));
  EXPECT_EQ(pass(), (Calls{"list rg"}));
  EXPECT_FALSE(last.ok());
  EXPECT_EQ(observer.group(kEtcd)->observed_at, before.observed_at);
  EXPECT_EQ(observer.ip(kEtcd), "10.0.0.1");
}

TEST_F(ObserverTest, ListSeeingANewIpAsksForAGet) {
  pass();
  observer.set_attention(kEtcd, false);
  observer.set_attention(kApi, false);
  api.set(FakeContainerGroupApi::running("etcd", "10.0.0.9"));
  time.advance(10s);
  EXPECT_EQ(pass(), (Calls{"list rg"}));
  EXPECT_EQ(observer.ip(kEtcd), "10.0.0.9");  // LIST is newer than the last GET
  time.advance(1s);
  EXPECT_EQ(pass(), (Calls{"get etcd"}));
}

TEST_F(ObserverTest, ReconfigureKeepsWhatItKnowsOfRemainingMembers) {
  pass();
  const auto at = observer.group(kEtcd)->observed_at;
  observer.configure(config_with({member("etcd")}));
  EXPECT_EQ(observer.group(kApi), nullptr);
  ASSERT_NE(observer.group(kEtcd), nullptr);
  EXPECT_EQ(observer.group(kEtcd)->observed_at, at);
}

TEST_F(ObserverTest, ForceFullReadsEverythingAtOnce) {
  pass();
  observer.set_attention(kEtcd, false);
  observer.set_attention(kApi, false);
  time.advance(1s);
  EXPECT_EQ(pass(/*force_full=*/true), (Calls{"list rg", "get apiserver", "get etcd"}));
}

}  // namespace
}  // namespace frankenetes::reconcile
