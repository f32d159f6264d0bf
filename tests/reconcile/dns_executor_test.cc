// The DNS executors on a FakeProvider: what the real one sends, how a conflict is re-read and
// re-planned (never overwritten), when it gives up, and that dry-run sends nothing.

#include "reconcile/dns_executor.h"

#include <gtest/gtest.h>

#include <stop_token>
#include <string>
#include <vector>

#include "dns_test_util.h"
#include "plan/dns_registry.h"
#include "support/fake_time_source.h"

namespace frankenetes::reconcile {
namespace {

using namespace std::chrono_literals;
using dns::RecordType;
using Outcome = DnsApplyResult::Outcome;
using test_util::FakeProvider;

constexpr const char* kName = "etcd.example.com";
const std::string kOwner = "owner-1";

class DnsExecutorTest : public ::testing::Test {
 protected:
  DnsExecutorTest() {
    policy_.stale_after = 20s;
    input_.member = {"prod", "etcd"};
    input_.dns.provider = "p";
    input_.dns.name = kName;
    provider_.set(kName, RecordType::kA, {"10.0.0.1"});
    provider_.set(plan::registry_name(kName), RecordType::kTxt,
                  {plan::encode_ownership({kOwner, "prod", "etcd"})});
  }

  // The member planned as the synchronizer would: the group at `ip`, the provider read now.
  plan::DnsMemberChange planned(const std::string& ip) {
    input_.group = test_util::running(ip, time_.monotonic_time());
    input_.current = read_member_records(provider_, input_.dns).sets;
    const auto result = plan::plan_dns_changes({kOwner, policy_, {input_}, time_.monotonic_time()});
    EXPECT_EQ(result.changes.size(), 1u);
    return result.changes.at(0);
  }

  DnsApplyResult apply(const plan::DnsMemberChange& change) {
    ProviderDnsExecutor executor(time_, stop_.get_token());
    return executor.apply(change, {provider_, input_, kOwner, policy_});
  }

  testing::FakeTimeSource time_;
  std::stop_source stop_;
  config::PolicyConfig policy_;
  plan::DnsMemberInput input_;
  FakeProvider provider_;
};

TEST_F(DnsExecutorTest, AppliesTheChangeAndTimesTheCall) {
  const auto change = planned("10.0.0.2");
  provider_.before_apply = [&](FakeProvider&) { time_.advance(250ms); };
  const auto result = apply(change);
  EXPECT_EQ(result.outcome, Outcome::kApplied);
  EXPECT_EQ(result.attempts, 1);
  EXPECT_EQ(result.duration, 250ms);
  EXPECT_TRUE(result.conflicts.empty());
  EXPECT_EQ(provider_.values(kName, RecordType::kA), std::vector<std::string>{"10.0.0.2"});
}

TEST_F(DnsExecutorTest, OtherErrorsFailWithoutAReread) {
  const auto change = planned("10.0.0.2");
  const int reads = provider_.reads;
  provider_.fail_apply = core::make_error(core::ErrorKind::kTerminal, "TSIG BADSIG");
  const auto result = apply(change);
  EXPECT_EQ(result.outcome, Outcome::kFailed);
  ASSERT_TRUE(result.error);
  EXPECT_EQ(result.error->kind, core::ErrorKind::kTerminal);
  EXPECT_EQ(provider_.applies, 1);
  EXPECT_EQ(provider_.reads, reads);
}

TEST_F(DnsExecutorTest, ConflictIsReplannedAgainstWhatIsThereNow) {
  const auto change = planned("10.0.0.2");
  bool moved = false;
  provider_.before_apply = [&](FakeProvider& p) {
    if (moved) return;
    moved = true;
    p.set(kName, RecordType::kA, {"10.0.0.9"});  // somebody else, between our read and write
  };
  const auto result = apply(change);
  EXPECT_EQ(result.outcome, Outcome::kApplied);
  EXPECT_EQ(result.attempts, 2);
  ASSERT_EQ(result.conflicts.size(), 1u);
  EXPECT_EQ(result.conflicts[0].kind, core::ErrorKind::kConflict);
  // The write that went through was guarded by what the re-read found.
  ASSERT_TRUE(result.change.old_record);
  EXPECT_EQ(result.change.old_record->values, std::vector<std::string>{"10.0.0.9"});
  EXPECT_EQ(provider_.values(kName, RecordType::kA), std::vector<std::string>{"10.0.0.2"});
}

TEST_F(DnsExecutorTest, ConflictWithTheDesiredValueAlreadyThereSettles) {
  const auto change = planned("10.0.0.2");
  bool written = false;
  provider_.before_apply = [&](FakeProvider& p) {
    if (written) return;
    written = true;
    p.set(kName, RecordType::kA, {"10.0.0.2"});  // somebody else wrote what we wanted
  };
  const auto result = apply(change);
  EXPECT_EQ(result.outcome, Outcome::kSettled);
  EXPECT_EQ(provider_.applies, 1);
  ASSERT_TRUE(result.replan);
  ASSERT_EQ(result.replan->skips.size(), 1u);
  EXPECT_EQ(result.replan->skips[0].reason, plan::DnsSkipReason::kInSync);
}

TEST_F(DnsExecutorTest, ConflictRetriesAreBounded) {
  const auto change = planned("10.0.0.2");
  int n = 0;
  provider_.before_apply = [&](FakeProvider& p) {
    p.set(kName, RecordType::kA, {"10.0.1." + std::to_string(++n)});
  };
  const auto result = apply(change);
  EXPECT_EQ(result.outcome, Outcome::kFailed);
  EXPECT_EQ(result.attempts, 1 + ProviderDnsExecutor::kMaxConflictRetries);
  EXPECT_EQ(provider_.applies, 1 + ProviderDnsExecutor::kMaxConflictRetries);
  EXPECT_EQ(result.conflicts.size(),
            static_cast<std::size_t>(ProviderDnsExecutor::kMaxConflictRetries));
  ASSERT_TRUE(result.error);
  EXPECT_EQ(result.error->kind, core::ErrorKind::kConflict);
}

TEST_F(DnsExecutorTest, FailedRereadEndsAsUnreadable) {
  const auto change = planned("10.0.0.2");
  provider_.before_apply = [&](FakeProvider& p) {
    p.set(kName, RecordType::kA, {"10.0.0.9"});
    p.fail_read = core::make_error(core::ErrorKind::kTransient, "503");
  };
  const auto result = apply(change);
  EXPECT_EQ(result.outcome, Outcome::kUnreadable);
  ASSERT_TRUE(result.read_failure);
  EXPECT_EQ(result.read_failure->fqdn, kName);
  EXPECT_EQ(result.read_failure->error.message, "503");
  EXPECT_EQ(provider_.applies, 1);
}

TEST_F(DnsExecutorTest, StopSendsNothingMore) {
  const auto change = planned("10.0.0.2");
  stop_.request_stop();
  const auto result = apply(change);
  EXPECT_EQ(result.outcome, Outcome::kStopped);
  EXPECT_EQ(provider_.applies, 0);
}

TEST_F(DnsExecutorTest, DryRunSendsNothing) {
  policy_.dry_run = true;
  const auto change = planned("10.0.0.2");
  ASSERT_TRUE(change.dry_run);
  DryRunDnsExecutor executor;
  const auto result = executor.apply(change, {provider_, input_, kOwner, policy_});
  EXPECT_EQ(result.outcome, Outcome::kDryRun);
  EXPECT_EQ(result.attempts, 0);
  EXPECT_EQ(provider_.applies, 0);
  EXPECT_EQ(provider_.values(kName, RecordType::kA), std::vector<std::string>{"10.0.0.1"});
}

// The planner's dry_run flag picks the executor; nothing else does.
TEST_F(DnsExecutorTest, PolicyExecutorChoosesByTheChangesDryRunFlag) {
  class Counting final : public DnsExecutor {
   public:
    int calls = 0;
    DnsApplyResult apply(const plan::DnsMemberChange& change, const DnsChangeTarget&) override {
      ++calls;
      DnsApplyResult r;
      r.change = change;
      return r;
    }
  };
  Counting real;
  Counting dry_run;
  PolicyDnsExecutor executor(real, dry_run);
  auto change = planned("10.0.0.2");
  executor.apply(change, {provider_, input_, kOwner, policy_});
  change.dry_run = true;
  executor.apply(change, {provider_, input_, kOwner, policy_});
  executor.apply(change, {provider_, input_, kOwner, policy_});
  EXPECT_EQ(real.calls, 1);
  EXPECT_EQ(dry_run.calls, 2);
}

}  // namespace
}  // namespace frankenetes::reconcile
