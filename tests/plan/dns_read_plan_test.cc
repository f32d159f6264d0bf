// DnsReadPlanner on plain time points: which members a pass reads, why, and what the cap
// defers. Each test drives passes by hand: plan(), then tell it how each read and member ended.
#include "plan/dns_read_plan.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace frankenetes::plan {
namespace {

using namespace std::chrono_literals;

const core::MonotonicTime kStart{std::chrono::hours(1000)};

model::MemberKey key(std::size_t i) {
  return {"c" + std::to_string(i / 4), "m" + std::to_string(i % 4)};
}

std::vector<DnsReadCandidate> candidates(std::size_t n,
                                         DnsReadSignature signature = dns_read_signature("ip-1")) {
  std::vector<DnsReadCandidate> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back({key(i), signature, true});
  return out;
}

DnsReadSettings settings(int per_second, core::Duration resync = 5min,
                         core::Duration window = 10s) {
  return {resync, per_second, window};
}

// The synchronizer's part: every read succeeds and settles the member on its signature.
void settle(DnsReadPlanner& planner, const DnsReadDecision& decision,
            const std::vector<DnsReadCandidate>& all, core::MonotonicTime now) {
  std::map<model::MemberKey, DnsReadSignature> signatures;
  for (const auto& c : all) signatures[c.member] = c.signature;
  for (const auto& read : decision.reads) {
    planner.read(read.member, now);
    planner.settled(read.member, signatures.at(read.member));
  }
}

// Every member read and settled at kStart, as after a pass that read them all.
core::MonotonicTime start(DnsReadPlanner& planner, const std::vector<DnsReadCandidate>& all,
                          const DnsReadSettings& s) {
  settle(planner, planner.plan(all, kStart, s, /*force=*/true), all, kStart);
  return kStart;
}

std::size_t count(const std::vector<DnsRead>& reads, DnsReadReason reason) {
  return static_cast<std::size_t>(std::count_if(
      reads.begin(), reads.end(), [&](const DnsRead& r) { return r.reason == reason; }));
}

// The digest stands in for the signature text: equal texts agree, and a change anywhere in
// the text (one address octet, a trailing provider key) changes it. The value is FNV-1a's,
// the same in every build.
TEST(DnsReadPlan, SignatureDigestFollowsTheText) {
  EXPECT_EQ(dns_read_signature(""), 14695981039346656037ull);
  EXPECT_EQ(dns_read_signature("c1/etcd|Running|10.0.0.1|p"),
            dns_read_signature(std::string("c1/etcd|Running|") + "10.0.0.1|p"));
  EXPECT_NE(dns_read_signature("c1/etcd|Running|10.0.0.1|p"),
            dns_read_signature("c1/etcd|Running|10.0.0.2|p"));
  EXPECT_NE(dns_read_signature("c1/etcd|Running|10.0.0.1|p"),
            dns_read_signature("c1/etcd|Running|10.0.0.1|q"));
  EXPECT_NE(dns_read_signature("ab"), dns_read_signature("ba"));
}

TEST(DnsReadPlan, ReasonSpellingsAreStableAndComplete) {
  std::vector<std::string> names;
  for (const DnsReadReason r : all_dns_read_reasons()) names.emplace_back(to_string(r));
  EXPECT_EQ(names, (std::vector<std::string>{"inputs_changed", "retry", "never_read", "resync"}));
}

// Members whose provider lists its zone take no share of the rotation: quiet passes read none
// of them until they are overdue, then all of them (the listing reads them at once), while the
// members of other providers keep their even share.
TEST(DnsReadPlan, MembersResyncedByAZoneListAreReadOnlyWhenOverdue) {
  DnsReadPlanner planner;
  auto all = candidates(200);
  for (std::size_t i = 0; i < 100; ++i) all[i].resynced_by_zone_list = true;
  const auto s = settings(1000);
  auto now = start(planner, all, s);
  std::size_t listed = 0, rotated = 0;
  for (int pass = 0; pass < 29; ++pass) {
    now += 10s;
    const auto decision = planner.plan(all, now, s);
    for (const auto& read : decision.reads) {
      (std::stoul(read.member.cluster.substr(1)) < 25 ? listed : rotated)++;
    }
    settle(planner, decision, all, now);
  }
  EXPECT_EQ(listed, 0u);
  EXPECT_GE(rotated, 95u);  // 100 x 290 s / 300 s, the rest at 300 s
  now += 10s;
  const auto due = planner.plan(all, now, s);
  std::size_t listed_due = 0;
  for (const auto& read : due.reads) {
    if (std::stoul(read.member.cluster.substr(1)) < 25) ++listed_due;
  }
  EXPECT_EQ(listed_due, 100u);
  EXPECT_EQ(count(due.reads, DnsReadReason::kResync), due.reads.size());
}

// 4000 members, a pass every 10 s, resync 5 min: after the first reads, each pass reads
// 4000 x 10 / 300 = 133.3 members (133 or 134), all for resync, and in one resync interval every
// member is read exactly once: evenly spread, never a burst.
TEST(DnsReadPlan, SteadyStateResyncIsSpreadEvenlyOverTheInterval) {
  DnsReadPlanner planner;
  const auto all = candidates(4000);
  const auto s = settings(1000);
  auto now = kStart;
  const auto first = planner.plan(all, now, s);
  EXPECT_EQ(first.reads.size(), 4000u);
  EXPECT_EQ(count(first.reads, DnsReadReason::kNeverRead), 4000u);
  settle(planner, first, all, now);

  std::map<model::MemberKey, int> reads_per_member;
  std::size_t min_pass = 4000, max_pass = 0, total = 0;
  for (int pass = 0; pass < 30; ++pass) {  // one resync interval
    now += 10s;
    const auto d = planner.plan(all, now, s);
    EXPECT_EQ(count(d.reads, DnsReadReason::kResync), d.reads.size());
    EXPECT_TRUE(d.deferred.empty());
    min_pass = std::min(min_pass, d.reads.size());
    max_pass = std::max(max_pass, d.reads.size());
    total += d.reads.size();
    for (const auto& r : d.reads) ++reads_per_member[r.member];
    settle(planner, d, all, now);
  }
  EXPECT_GE(min_pass, 133u);
  EXPECT_LE(max_pass, 134u);
  EXPECT_EQ(total, 4000u);
  EXPECT_EQ(reads_per_member.size(), 4000u);
  for (const auto& [member, n] : reads_per_member) EXPECT_EQ(n, 1) << member.to_string();
}

// The same rate whatever the pass frequency: passes every 5 s read half as many.
TEST(DnsReadPlan, ResyncRateDoesNotDependOnThePassFrequency) {
  DnsReadPlanner planner;
  const auto all = candidates(600);
  const auto s = settings(1000);
  auto now = start(planner, all, s);
  std::size_t total = 0;
  for (int pass = 0; pass < 60; ++pass) {  // 5 min
    now += 5s;
    const auto d = planner.plan(all, now, s);
    EXPECT_GE(d.reads.size(), 9u);
    EXPECT_LE(d.reads.size(), 11u);
    total += d.reads.size();
    settle(planner, d, all, now);
  }
  EXPECT_EQ(total, 600u);
}

TEST(DnsReadPlan, ChangedInputsAreReadInTheNextPassAheadOfResync) {
  DnsReadPlanner planner;
  auto all = candidates(100);
  const auto s = settings(1000);
  auto now = start(planner, all, s);
  all[42].signature = dns_read_signature("ip-2");
  now += 10s;
  const auto d = planner.plan(all, now, s);
  ASSERT_FALSE(d.reads.empty());
  EXPECT_EQ(d.reads.front().member, key(42));
  EXPECT_EQ(d.reads.front().reason, DnsReadReason::kInputsChanged);
  EXPECT_EQ(count(d.reads, DnsReadReason::kInputsChanged), 1u);
  settle(planner, d, all, now);
  now += 10s;
  const auto next = planner.plan(all, now, s);
  EXPECT_EQ(count(next.reads, DnsReadReason::kInputsChanged), 0u);  // settled on ip-2
}

TEST(DnsReadPlan, UnsettledMemberIsRetriedEveryPassUntilSettled) {
  DnsReadPlanner planner;
  const auto all = candidates(10);
  const auto s = settings(1000);
  auto now = start(planner, all, s);
  planner.unsettled(key(3));  // its write failed
  for (int pass = 0; pass < 3; ++pass) {
    now += 10s;
    const auto d = planner.plan(all, now, s);
    ASSERT_EQ(count(d.reads, DnsReadReason::kRetry), 1u);
    EXPECT_EQ(d.reads.front().member, key(3));
    planner.read(key(3), now);  // read, but the write fails again
  }
  planner.settled(key(3), dns_read_signature("ip-1"));
  now += 10s;
  EXPECT_EQ(count(planner.plan(all, now, s).reads, DnsReadReason::kRetry), 0u);
}

TEST(DnsReadPlan, UrgentReasonsComeFirstInTheirOrder) {
  DnsReadPlanner planner;
  auto all = candidates(3);
  const auto s = settings(1000);
  auto now = kStart;
  const auto first = planner.plan({all[0], all[1]}, now, s);
  settle(planner, first, all, now);
  planner.unsettled(key(0));
  all[1].signature = dns_read_signature("ip-2");
  now += 10s;
  const auto d = planner.plan(all, now, s);
  ASSERT_EQ(d.reads.size(), 3u);
  EXPECT_EQ(d.reads[0].reason, DnsReadReason::kInputsChanged);
  EXPECT_EQ(d.reads[1].reason, DnsReadReason::kRetry);
  EXPECT_EQ(d.reads[2].reason, DnsReadReason::kNeverRead);
}

// A region event hands 4000 members new IPs at once: 20 reads/s and a 10 s window read 200 per
// pass; the rest wait, longest waiting first, and are reported; nobody is left behind.
TEST(DnsReadPlan, CapDefersAMassChangeLongestWaitingFirst) {
  DnsReadPlanner planner;
  auto all = candidates(4000);
  const auto s = settings(20);
  auto now = start(planner, all, s);
  now += 10s;
  // Half change now, the other half a pass later: the first half goes first.
  for (std::size_t i = 0; i < 2000; ++i) all[i].signature = dns_read_signature("ip-2");
  auto d = planner.plan(all, now, s);
  EXPECT_EQ(d.reads.size(), 200u);
  EXPECT_EQ(d.deferred.size(), 1800u);
  settle(planner, d, all, now);
  for (std::size_t i = 2000; i < 4000; ++i) all[i].signature = dns_read_signature("ip-2");
  std::set<model::MemberKey> read;
  for (const auto& r : d.reads) read.insert(r.member);
  for (int pass = 0; pass < 19; ++pass) {
    now += 10s;
    d = planner.plan(all, now, s);
    EXPECT_EQ(d.reads.size(), 200u);
    EXPECT_EQ(count(d.reads, DnsReadReason::kInputsChanged), 200u);
    for (const auto& r : d.reads) {
      const auto index = static_cast<std::size_t>(std::stoi(r.member.cluster.substr(1))) * 4;
      // Passes 1-9 finish the first half before any of the second.
      if (pass < 9) {
        EXPECT_LT(index, 2000u) << pass;
      }
      read.insert(r.member);
    }
    ASSERT_FALSE(d.deferred.empty() && pass < 18);
    if (!d.deferred.empty()) {
      EXPECT_LE(d.deferred.front().waiting_since, d.deferred.back().waiting_since);
    }
    settle(planner, d, all, now);
  }
  EXPECT_EQ(read.size(), 4000u);
  now += 10s;
  d = planner.plan(all, now, s);
  EXPECT_TRUE(d.deferred.empty());
  EXPECT_LE(d.reads.size(), 200u);
}

// After a start the cap works through the first reads; a member whose IP changes meanwhile
// goes ahead of the members that merely wait for their first read.
TEST(DnsReadPlan, ChangeWhileWaitingForTheFirstReadIsUrgent) {
  DnsReadPlanner planner;
  auto all = candidates(1000);
  const auto s = settings(20);
  auto now = kStart;
  auto d = planner.plan(all, now, s);
  EXPECT_EQ(d.reads.size(), 200u);
  settle(planner, d, all, now);
  all[999].signature = dns_read_signature("ip-2");
  now += 10s;
  d = planner.plan(all, now, s);
  ASSERT_EQ(d.reads.size(), 200u);
  EXPECT_EQ(d.reads.front().member, key(999));
  EXPECT_EQ(d.reads.front().reason, DnsReadReason::kInputsChanged);
  EXPECT_EQ(count(d.reads, DnsReadReason::kNeverRead), 199u);
}

// Quiet passes do not save up more than one window: after an hour without passes, still 200.
TEST(DnsReadPlan, CapSavesUpAtMostOneWindow) {
  DnsReadPlanner planner;
  auto all = candidates(1000);
  const auto s = settings(20);
  auto now = start(planner, all, s);
  for (auto& c : all) c.signature = dns_read_signature("ip-2");
  now += 1h;
  EXPECT_EQ(planner.plan(all, now, s).reads.size(), 200u);
  now += 1s;
  EXPECT_EQ(planner.plan(all, now, s).reads.size(), 20u);
}

TEST(DnsReadPlan, OverdueResyncGoesFirstAndIsDeferredWhenTheCapIsUsedUp) {
  DnsReadPlanner planner;
  auto all = candidates(10);
  const auto s = settings(1, 5min, 1s);
  auto now = start(planner, all, s);
  now += 5min;  // everybody is due at once; the cap allows one read
  const auto d = planner.plan(all, now, s);
  ASSERT_EQ(d.reads.size(), 1u);
  EXPECT_EQ(d.reads[0].reason, DnsReadReason::kResync);
  EXPECT_EQ(d.deferred.size(), 9u);
  EXPECT_EQ(count(d.deferred, DnsReadReason::kResync), 9u);
}

TEST(DnsReadPlan, UnreadableMembersCostNothingAndKeepTheirReason) {
  DnsReadPlanner planner;
  auto all = candidates(3);
  const auto s = settings(1, 5min, 1s);
  auto now = kStart;
  all[0].readable = false;
  all[1].readable = false;
  const auto d = planner.plan(all, now, s);
  EXPECT_EQ(d.unreadable.size(), 2u);
  ASSERT_EQ(d.reads.size(), 1u);  // the one token goes to the readable member
  EXPECT_EQ(d.reads[0].member, key(2));
  settle(planner, d, all, now);
  all[0].readable = true;
  now += 1s;
  const auto next = planner.plan(all, now, s);
  ASSERT_EQ(next.reads.size(), 1u);
  EXPECT_EQ(next.reads[0].member, key(0));
  EXPECT_EQ(next.reads[0].reason, DnsReadReason::kNeverRead);
  EXPECT_EQ(next.unreadable.size(), 1u);
}

TEST(DnsReadPlan, MemberJudgedWithoutRecordsIsReadWhenTheyMatterAgain) {
  DnsReadPlanner planner;
  const auto all = candidates(2);
  const auto s = settings(1000);
  auto now = start(planner, all, s);
  now += 10s;
  planner.plan({all[1]}, now, s);  // member 0's state is unknown this pass
  planner.not_needed(key(0));
  now += 10s;
  const auto d = planner.plan(all, now, s);  // same inputs as before the outage
  ASSERT_EQ(count(d.reads, DnsReadReason::kInputsChanged), 1u);
  EXPECT_EQ(d.reads.front().member, key(0));
}

TEST(DnsReadPlan, ForgetsMembersNoLongerConfigured) {
  DnsReadPlanner planner;
  const auto all = candidates(2);
  start(planner, all, settings(1000));
  ASSERT_TRUE(planner.read_at(key(1)).has_value());
  planner.forget_except({key(0)});
  EXPECT_TRUE(planner.read_at(key(0)).has_value());
  EXPECT_FALSE(planner.read_at(key(1)).has_value());
}

}  // namespace
}  // namespace frankenetes::plan
