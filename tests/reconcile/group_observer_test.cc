#include "reconcile/group_observer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

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

  // Members m00, m01, ... whose groups run, one IP each.
  std::vector<config::MemberConfig> running_members(int count) {
    std::vector<config::MemberConfig> members;
    for (int i = 0; i < count; ++i) {
      members.push_back(member("m" + std::to_string(i / 10) + std::to_string(i % 10)));
      api.set(FakeContainerGroupApi::running(members.back().name, "10.0.1." + std::to_string(i)));
    }
    return members;
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

TEST_F(ObserverTest, HealthyGroupsAreResyncedSpreadOverTheHealthyInterval) {
  pass();
  observer.set_attention(kEtcd, false);
  observer.set_attention(kApi, false);
  Calls seen;
  for (int i = 1; i <= 12; ++i) {  // 60 s in 5 s ticks
    time.advance(5s);
    for (const auto& c : pass()) seen.push_back(std::to_string(i * 5) + " " + c);
  }
  // LIST every poll interval; each healthy member GET at most getInterval.healthy (30 s)
  // after the last, and not both at once: the second waits until it is due.
  EXPECT_EQ(seen, (Calls{"10 list rg", "20 list rg", "25 get apiserver", "30 list rg",
                         "30 get etcd", "40 list rg", "50 list rg", "55 get apiserver",
                         "60 list rg", "60 get etcd"}));
}

TEST_F(ObserverTest, AListThatShowsTheGroupUnchangedVouchesForTheGet) {
  pass();
  observer.set_attention(kEtcd, false);
  observer.set_attention(kApi, false);
  EXPECT_FALSE(observer.group(kEtcd)->vouched_at.has_value());  // LIST and GET at once
  time.advance(10s);
  EXPECT_EQ(pass(), (Calls{"list rg"}));
  EXPECT_EQ(observer.group(kEtcd)->vouched_at, time.monotonic_time());
  EXPECT_EQ(observer.group(kEtcd)->observed_at, time.monotonic_time() - 10s);

  // A new IP: no vouching, and a GET at the next pass.
  api.set(FakeContainerGroupApi::running("etcd", "10.0.0.9"));
  time.advance(10s);
  EXPECT_EQ(pass(), (Calls{"list rg"}));
  EXPECT_EQ(observer.group(kEtcd)->vouched_at, time.monotonic_time() - 10s);
  EXPECT_TRUE(observer.gets_requested());
  EXPECT_EQ(pass(), (Calls{"get etcd"}));
  EXPECT_FALSE(observer.gets_requested());
}

TEST_F(ObserverTest, GroupsThatLookWrongAreReadEveryUnhealthyInterval) {
  pass();
  observer.set_attention(kApi, false);  // etcd keeps attention
  Calls seen;
  for (int i = 1; i <= 3; ++i) {
    time.advance(5s);
    for (const auto& c : pass()) seen.push_back(std::to_string(i * 5) + " " + c);
  }
  EXPECT_EQ(seen, (Calls{"5 get etcd", "10 list rg", "10 get etcd", "15 get etcd"}));
}

TEST_F(ObserverTest, FewRemainingReadsDeferTheResyncWhileListVouches) {
  pass();
  observer.set_attention(kApi, false);
  observer.set_attention(kEtcd, true);
  defer = true;
  Calls seen;
  for (int i = 1; i <= 8; ++i) {  // 40 s: apiserver is overdue from 30 s
    time.advance(5s);
    for (const auto& c : pass()) {
      if (c != "get etcd") seen.push_back(std::to_string(i * 5) + " " + c);
    }
  }
  EXPECT_EQ(seen, (Calls{"10 list rg", "20 list rg", "30 list rg", "40 list rg"}));
  EXPECT_GT(observer.deferred_reads(), 0u);
  // LIST fails: nothing vouches any more, and once the last vouching is staleAfter old the
  // read is no longer deferred.
  api.fail_always("list", FakeContainerGroupApi::error(core::ErrorKind::kTransient, "503", 503));
  seen.clear();
  for (int i = 9; i <= 13; ++i) {
    time.advance(5s);
    for (const auto& c : pass()) {
      if (c != "get etcd") seen.push_back(std::to_string(i * 5) + " " + c);
    }
  }
  EXPECT_EQ(seen, (Calls{"50 list rg", "60 list rg", "60 get apiserver"}));
}

TEST_F(ObserverTest, TheReadBudgetHoldsBackGetsEtcdAndSuspectsFirst) {
  auto members = running_members(30);
  members.push_back(member("etcd"));
  members.back().role = config::MemberRole::kEtcd;
  config = config_with(members);
  config.policy.budget.arm_reads_per_minute = 60;  // 1/s: 10 reads per poll interval
  observer.configure(config);

  // As the reconciler does for members found healthy: no more attention.
  auto pass_healthy = [&] {
    auto calls = pass();
    for (const auto& c : calls) {
      if (c.rfind("get ", 0) == 0) observer.set_attention({"prod", c.substr(4)}, false);
    }
    return calls;
  };
  // A full bucket (one poll interval's worth): the LIST, etcd, then the stalest others.
  auto calls = pass_healthy();
  std::set<std::string> read(calls.begin() + 1, calls.end());
  ASSERT_EQ(calls.size(), 10u);
  EXPECT_EQ(calls[0], "list rg");
  EXPECT_EQ(calls[1], "get etcd");
  EXPECT_EQ(observer.budget_deferred_reads(), 22u);  // 31 wanted, 9 read
  // 5 s refill 5 reads; a member asked for (an action finished) goes first.
  observer.request_get({"prod", "m29"});
  time.advance(5s);
  calls = pass_healthy();
  ASSERT_EQ(calls.size(), 5u);
  EXPECT_EQ(calls[0], "get m29");
  EXPECT_NEAR(observer.read_budget_used_ratio(time.monotonic_time()), 15.0 / 60, 1e-9);
  // Never more than the refill per tick (the LIST included), and every member read at that
  // pace: 9 + 5 + 4 x 5 reads, less the LISTs at 10 s and 20 s, cover all 31 by 30 s.
  read.insert(calls.begin(), calls.end());
  for (int i = 0; i < 4; ++i) {
    time.advance(5s);
    calls = pass_healthy();
    EXPECT_LE(calls.size(), 5u);
    read.insert(calls.begin(), calls.end());
  }
  read.erase("list rg");
  EXPECT_EQ(read.size(), 31u);
  EXPECT_EQ(observer.budget_deferred_reads(), 22u + 17u + 13u + 8u + 4u);
}

TEST_F(ObserverTest, ATroubledMemberIsReadBeforeMembersNeverRead) {
  // A thousand clusters take minutes to read once within the budget; a member whose probe
  // fails (or whose last reading was not healthy) must not wait behind them.
  auto members = running_members(30);
  config = config_with(members);
  config.policy.budget.arm_reads_per_minute = 60;  // 1/s: 5 reads per tick
  observer.configure(config);
  auto calls = pass();
  ASSERT_EQ(calls.size(), 10u);  // the LIST and 9 GETs; 21 members never read
  const std::string troubled = calls.back().substr(4);
  for (const auto& c : calls) {
    if (c.rfind("get ", 0) == 0)
      observer.set_attention({"prod", c.substr(4)}, c.substr(4) == troubled);
  }
  time.advance(5s);
  calls = pass();
  ASSERT_FALSE(calls.empty());
  EXPECT_EQ(calls[0], "get " + troubled);
}

TEST_F(ObserverTest, TheResyncLeavesSuspectsAShareOfTheBudget) {
  // At a thousand clusters the rolling resync keeps the budget spent; a GET a failing probe
  // asks for (the proof a restart waits for) must not wait for the refill behind it.
  auto members = running_members(40);
  config = config_with(members);
  config.policy.budget.arm_reads_per_minute = 600;  // 10/s: 100 reads per poll interval
  observer.configure(config);
  for (const auto& c : pass()) {
    if (c.rfind("get ", 0) == 0) observer.set_attention({"prod", c.substr(4)}, false);
  }
  // Every member's reading is overdue and the bucket is full again: the resync reads until
  // only the reserve (a tenth: 10 reads) is left.
  time.advance(config.policy.get_interval.healthy);
  const auto resync = pass();
  EXPECT_EQ(resync.size(), 1u + 40u);  // the LIST and every member: 41 of 100 tokens
  time.advance(config.policy.get_interval.healthy);
  std::vector<config::MemberConfig> more = members;
  for (int i = 40; i < 200; ++i) {
    more.push_back(member("n" + std::to_string(i)));
    api.set(FakeContainerGroupApi::running(more.back().name, "10.0.2." + std::to_string(i % 250)));
  }
  config.clusters[0].members = more;
  observer.configure(config);
  for (const auto& c : pass()) {
    if (c.rfind("get ", 0) == 0) observer.set_attention({"prod", c.substr(4)}, false);
  }
  time.advance(config.policy.get_interval.healthy);
  const auto spent = pass();
  EXPECT_EQ(spent.size(), 1u + 89u);  // the LIST, then resync GETs down to the reserve
  observer.set_attention({"prod", "m07"}, true);
  observer.request_get({"prod", "m07"});
  EXPECT_EQ(pass(), (Calls{"get m07"}));  // same instant: no refill, the reserve pays
}

TEST_F(ObserverTest, AResyncSlowerThanTheHealthyIntervalIsWarnedOnceUntilItCatchesUp) {
  // 40 members, 1 read/s of which the LIST takes one per 10 s: 0.9 GETs/s resync them in
  // about 44 s, longer than a getInterval.healthy of 30 s.
  auto members = running_members(40);
  config = config_with(members);
  config.policy.budget.arm_reads_per_minute = 60;
  config.policy.get_interval.healthy = 30s;
  observer.configure(config);
  pass();  // the first LIST: the pace is known and said at once
  auto notes = observer.take_notes();
  ASSERT_EQ(notes.size(), 1u);
  for (int i = 0; i < 40; ++i) {  // 200 s: every member read and found healthy, and again
    for (const auto& c : pass()) {
      if (c.rfind("get ", 0) == 0) observer.set_attention({"prod", c.substr(4)}, false);
    }
    for (auto& note : observer.take_notes()) notes.push_back(std::move(note));
    time.advance(5s);
  }
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_TRUE(notes[0].warning);
  for (const auto* part :
       {"falls behind policy.getInterval.healthy", "LISTs take 1 every poll", "0.9 GETs/s",
        "its 40 members takes about 44s", "policy.budget.armReadsPerMinute", "turns unknown"}) {
    EXPECT_NE(notes[0].detail.find(part), std::string::npos) << part << "\n" << notes[0].detail;
  }
  // A budget that fits: said once, as news, at the next LIST.
  config.policy.budget.arm_reads_per_minute = 600;
  observer.configure(config);
  for (int i = 0; i < 4; ++i) {
    pass();
    for (auto& note : observer.take_notes()) notes.push_back(std::move(note));
    time.advance(5s);
  }
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_FALSE(notes[1].warning);
  EXPECT_NE(notes[1].detail.find("keeps up"), std::string::npos) << notes[1].detail;
}

TEST_F(ObserverTest, WithABudgetOfTwoReadsPerIntervalTheResyncStillReads) {
  // The reserve for suspects is a share of the bucket: with two reads per poll interval, one
  // of them the LIST, healthy members are still re-read.
  config.policy.budget.arm_reads_per_minute = 12;  // 10 s poll interval: a bucket of 2
  observer.configure(config);
  for (int i = 0; i < 3; ++i) {  // the LIST and both never-read GETs, as tokens come
    pass(/*force_full=*/i == 0);
    time.advance(10s);
  }
  observer.set_attention(kEtcd, false);
  observer.set_attention(kApi, false);
  std::set<std::string> resynced;
  for (int i = 0; i < 40; ++i) {  // 400 s: past getInterval.healthy, both are due
    time.advance(10s);
    for (const auto& c : pass()) {
      if (c.rfind("get ", 0) == 0) resynced.insert(c.substr(4));
    }
  }
  EXPECT_EQ(resynced, (std::set<std::string>{"apiserver", "etcd"}));
}

TEST_F(ObserverTest, RequestedGetsGoAloneAndWithinTheBudget) {
  config.policy.budget.arm_reads_per_minute = 18;  // a bucket of 3
  config.clusters[0].members[0].role = config::MemberRole::kEtcd;
  observer.configure(config);
  pass();  // the LIST and both GETs: the bucket is empty
  observer.request_get(kEtcd);
  observer.request_get(kApi);
  time.advance(1500ms);  // refills 0.45 of a read
  EXPECT_TRUE(observer.due_requested(time.monotonic_time()).empty());
  time.advance(2s);  // 1.05 reads: one GET, etcd first
  const auto plan = observer.due_requested(time.monotonic_time());
  EXPECT_TRUE(plan.lists.empty());
  ASSERT_EQ(plan.gets.size(), 1u);
  EXPECT_EQ(plan.gets[0].member, kEtcd);
  EXPECT_TRUE(observer.gets_requested()) << "apiserver's waits for the next pass";
}

TEST_F(ObserverTest, ARequestedGetThatFindsTheBucketEmptyKnowsWhenItHoldsARead) {
  config.policy.budget.arm_reads_per_minute = 18;  // 0.3 reads/s, a bucket of 3
  observer.configure(config);
  pass();  // the LIST and both GETs: the bucket is empty
  EXPECT_EQ(observer.requested_gets_budget_wait(time.monotonic_time()), std::nullopt)
      << "nothing asked for";
  time.advance(1500ms);  // 0.45 of a read
  observer.request_get(kApi);
  EXPECT_TRUE(observer.due_requested(time.monotonic_time()).empty());
  // 0.55 of a read at 0.3/s: 1.8333 s, rounded up.
  EXPECT_EQ(observer.requested_gets_budget_wait(time.monotonic_time()), 1834ms);
  time.advance(1834ms);
  const auto plan = observer.due_requested(time.monotonic_time());
  ASSERT_EQ(plan.gets.size(), 1u);
  EXPECT_EQ(plan.gets[0].member, kApi);
  EXPECT_EQ(observer.requested_gets_budget_wait(time.monotonic_time()), std::nullopt);
}

// A GET asked for beside a long pass (due_requested) can answer before that pass does: what
// answers last is not always what was read last.
TEST_F(ObserverTest, AnAnswerOlderThanTheReadingHeldIsNotTheReading) {
  pass();
  time.advance(10s);
  auto slow = GroupObserver::perform(observer.due_reads(time.monotonic_time(), true), api, time);
  time.advance(1s);  // meanwhile etcd's group is recreated: a new IP, read by a requested GET
  api.set(FakeContainerGroupApi::running("etcd", "10.0.0.9"));
  observer.request_get(kEtcd);
  observer.apply(GroupObserver::perform(observer.due_requested(time.monotonic_time()), api, time));
  time.advance(1s);
  for (auto& list : slow.lists) list.at = time.monotonic_time();  // its last page came late
  observer.apply(slow);
  EXPECT_EQ(observer.ip(kEtcd), "10.0.0.9");
  ASSERT_NE(observer.group(kEtcd), nullptr);
  EXPECT_EQ(*observer.group(kEtcd)->sent_at, time.monotonic_time() - 1s);
  EXPECT_TRUE(observer.gets_requested()) << "the LIST differs from the GET: read again";
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

// --- LIST scope -------------------------------------------------------------------------------

struct ListScopeTest : ObserverTest {
  // Two clusters in resource groups rg-a and rg-b of subscription "sub".
  ListScopeTest() {
    api.remove("etcd");
    api.remove("apiserver");
    config = config_with({member("etcd")});
    config.clusters[0].resource_group = "rg-a";
    auto second = config.clusters[0];
    second.name = "staging";
    second.resource_group = "RG-B";  // ARM names are case-insensitive
    config.clusters.push_back(second);
    add("etcd", "rg-a", "10.0.0.1");
    observer.configure(config);
  }
  void add(const std::string& name, const std::string& rg, const std::string& ip) {
    auto view = FakeContainerGroupApi::running(name, ip);
    view.summary.resource_group = rg;
    api.set(view);
  }
};

TEST_F(ListScopeTest, OneSubscriptionWideListFilteredByResourceGroup) {
  EXPECT_EQ(pass(), (Calls{"list *", "get etcd", "get etcd"}));
  // Only rg-a holds a group named etcd: prod sees it, staging's is absent.
  EXPECT_EQ(observer.ip({"prod", "etcd"}), "10.0.0.1");
  EXPECT_EQ(observer.ip({"staging", "etcd"}), std::nullopt);
  EXPECT_TRUE(observer.take_notes().empty());
}

TEST_F(ListScopeTest, ARefusedSubscriptionListFallsBackToOneListPerResourceGroup) {
  auto denied = FakeContainerGroupApi::error(core::ErrorKind::kTerminal,
                                             "AuthorizationFailed: no read at subscription scope",
                                             403);
  denied.azure_code = "AuthorizationFailed";
  api.fail_next("list", denied);
  pass();
  const auto notes = observer.take_notes();
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].detail.find("LIST per resource group (2)"), std::string::npos)
      << notes[0].detail;
  EXPECT_NE(notes[0].detail.find("refused"), std::string::npos) << notes[0].detail;
  time.advance(10s);
  const auto calls = pass();
  EXPECT_EQ(std::count(calls.begin(), calls.end(), "list rg-a"), 1);
  EXPECT_EQ(std::count(calls.begin(), calls.end(), "list rg-b"), 1);
}

TEST_F(ListScopeTest, ASubscriptionListOfMorePagesThanResourceGroupsIsReplaced) {
  api.set_list_pages(3);  // a subscription full of other groups
  pass();
  const auto notes = observer.take_notes();
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].detail.find("took 3 pages"), std::string::npos) << notes[0].detail;
  time.advance(10s);
  const auto calls = pass();
  EXPECT_EQ(std::count(calls.begin(), calls.end(), "list *"), 0);
  EXPECT_EQ(std::count(calls.begin(), calls.end(), "list rg-a"), 1);
}

TEST_F(ListScopeTest, ListsPerResourceGroupAreChargedWhatTheyTake) {
  // 20 troubled members per cluster (read every unhealthy interval): more wanted than the
  // budget of 1 read/s allows, so the reads made are what the budget lets through.
  std::vector<config::MemberConfig> members;
  for (int i = 0; i < 20; ++i) {
    members.push_back(member("m" + std::to_string(i)));
    add(members.back().name, "rg-a", "10.0.2." + std::to_string(i));
  }
  config.clusters[0].members = members;
  config.clusters[1].members = members;
  config.policy.budget.arm_reads_per_minute = 60;
  observer.configure(config);
  api.set_list_pages(3);  // the subscription's LIST: more pages than resource groups
  pass();
  const auto notes = observer.take_notes();
  ASSERT_TRUE(std::any_of(notes.begin(), notes.end(), [](const auto& note) {
    return note.detail.find("LIST per resource group") != std::string::npos;
  }));
  api.set_list_pages(2);         // each resource group's LIST
  for (int i = 0; i < 4; ++i) {  // spend the bucket and what the switch-over cost
    time.advance(5s);
    pass();
  }
  // A minute of reads: LIST pages plus GETs fill the budget, no read charged twice.
  std::size_t reads = 0;
  for (int i = 0; i < 12; ++i) {
    time.advance(5s);
    for (const auto& call : pass()) reads += call.rfind("list ", 0) == 0 ? 2 : 1;
  }
  EXPECT_GE(reads, 59u);
  EXPECT_LE(reads, 61u);
}

TEST_F(ListScopeTest, ASingleResourceGroupIsListedByItself) {
  observer.configure(config_with({member("etcd")}));
  EXPECT_EQ(pass(), (Calls{"list rg", "get etcd"}));
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
  ASSERT_TRUE(observer.group(kApi)->error != nullptr);
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
