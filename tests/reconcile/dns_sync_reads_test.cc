// DnsSynchronizer's provider reads at scale (issue 12), on fakes and fake time: 4000 members in
// clusters of four, one pass per poll interval through observe() (InlineWorker: the job runs
// on the test thread), a FakeProvider that counts read() calls (two per member: its name and
// its ownership TXT name) and answers verification from the same records. Default settings:
// pollInterval 10s, dns.resyncInterval 5m, dns.maxMemberReadsPerSecond 20.
//
// Before the read planner every member was read once per poll interval: 4000 members, 8000
// read() calls per pass (24000 ARM GETs with Azure DNS). Now a quiet pass reads 4000 x 10s / 5m
// = 133.3 members.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "dns_test_util.h"
#include "log/event.h"
#include "plan/dns_registry.h"
#include "reconcile/dns_sync.h"
#include "reconcile_test_util.h"
#include "status/metrics.h"
#include "support/fake_time_source.h"

namespace frankenetes::reconcile {
namespace {

using namespace std::chrono_literals;
using dns::RecordType;
using test_util::running;

constexpr std::size_t kMembers = 4000;

// What /status was last handed.
class CapturedStatus final : public status::StatusRecorder {
 public:
  void planned(status::PlanStatusSource) override {}
  void dns_records(std::vector<status::DnsRecordStatus> records) override {
    last = std::move(records);
  }
  void event(status::StatusEvent) override {}
  const status::DnsStatus* find(const model::MemberKey& key) const {
    for (const auto& r : last) {
      if (r.cluster == key.cluster && r.member == key.member) return &r.status;
    }
    return nullptr;
  }
  std::vector<status::DnsRecordStatus> last;
};

class DnsSyncReadsTest : public test_util::DnsFakesTest {
 protected:
  DnsSyncReadsTest() : sync_({worker_, time_, querier_, sleeper_, metrics_, metrics_, status_}) {
    config_ = test_util::config_with({});
    config_.clusters.clear();
    for (std::size_t i = 0; i < kMembers; ++i) {
      if (i % 4 == 0) {
        config_.clusters.emplace_back();
        config_.clusters.back().name = "c" + std::to_string(i / 4);
        config_.clusters.back().resource_group = "rg";
      }
      auto member = test_util::member("m" + std::to_string(i % 4));
      member.dns = config::MemberDnsConfig{};
      member.dns->provider = "p";
      member.dns->name = name(i);
      config_.clusters.back().members.push_back(member);
      ips_.push_back(ip(i, 1));
      provider_->set(name(i), RecordType::kA, {ips_[i]});
      provider_->set(plan::registry_name(name(i)), RecordType::kTxt,
                     {plan::encode_ownership({"owner-1", key(i).cluster, key(i).member})});
    }
    config_.dns = config::DnsConfig{};
    config_.dns->owner_id = "owner-1";
    sync_.configure(std::make_shared<const config::Config>(config_), {{"p", provider_}});
    sync_.on_sync([this](const DnsSyncReport& report) { last_ = report; });
    log::configure(log::Level::kInfo, log::Format::kText);
  }

  static std::string name(std::size_t i) {
    return "m" + std::to_string(i % 4) + ".c" + std::to_string(i / 4) + ".example.com";
  }
  static model::MemberKey key(std::size_t i) {
    return {"c" + std::to_string(i / 4), "m" + std::to_string(i % 4)};
  }
  static std::string ip(std::size_t i, int generation) {
    return "10." + std::to_string(generation) + "." + std::to_string(i / 256) + "." +
           std::to_string(i % 256);
  }

  model::Observations observations() {
    model::Observations out;
    for (std::size_t i = 0; i < kMembers; ++i) {
      model::MemberObservation m;
      m.key = key(i);
      m.group = running(ips_[i], time_.monotonic_time());
      out.emplace(m.key, std::move(m));
    }
    return out;
  }

  // One poll interval later, one pass; the members it read.
  std::size_t pass() {
    time_.advance(config_.policy.poll_interval);
    const int before = provider_->reads;
    sync_.observe(std::make_shared<const model::Observations>(observations()));
    return static_cast<std::size_t>(provider_->reads - before) / 2;
  }
  // Every member read and in sync, as after the first passes.
  void start_in_sync() {
    const auto report = sync_.sync_now(observations());
    ASSERT_EQ(report.reads, kMembers);
    ASSERT_EQ(report.applied, 0u);
  }

  double reads_total(const char* reason) {
    return metrics_.dns_record_reads_total.Add({{"provider", "p"}, {"reason", reason}}).Value();
  }
  double in_sync(std::size_t i) {
    return metrics_.dns_record_in_sync.value({key(i).cluster, key(i).member}).value_or(0);
  }

  CapturedStatus status_;
  config::Config config_;
  std::vector<std::string> ips_;
  DnsSynchronizer sync_;
  DnsSyncReport last_;
};

// Quiet passes read only the resync share, spread evenly: 133 or 134 members per pass, every
// member exactly once per resync interval, nothing written.
TEST_F(DnsSyncReadsTest, SteadyStateReadsOnlyTheResyncShareOfMembersPerPass) {
  start_in_sync();
  const int reads_before = provider_->reads;
  std::vector<std::size_t> per_pass;
  for (int i = 0; i < 30; ++i) per_pass.push_back(pass());  // 30 x 10s = one resync interval
  const auto [min, max] = std::minmax_element(per_pass.begin(), per_pass.end());
  std::fprintf(stderr,
               "members read per pass, %zu members, steady state: min %zu max %zu (was %zu)\n",
               kMembers, *min, *max, kMembers);
  EXPECT_GE(*min, 133u);
  EXPECT_LE(*max, 134u);
  EXPECT_EQ(provider_->reads - reads_before, static_cast<int>(2 * kMembers));
  EXPECT_EQ(reads_total("resync"), static_cast<double>(kMembers));
  EXPECT_EQ(provider_->applies, 0);
  EXPECT_EQ(last_.deferred, 0u);
}

// With a provider that lists its zone (Azure DNS: per-name reads cost 3 requests each, a zone
// page holds 1000 sets), a pass that reads members lists the zone once instead, and a listing
// reads every member: the quiet passes of a resync interval cost one zone read (8 pages for
// 8000 sets) when the members fall due, instead of one per pass (30) or 8000 x 3 = 24000 GETs,
// and plan exactly as before.
TEST_F(DnsSyncReadsTest, AZoneListReplacesPerNameReadsWhenItCostsLess) {
  provider_->lists_zone = true;
  provider_->per_read_requests = 3;
  provider_->zone_pages = 8;
  start_in_sync();
  ASSERT_EQ(provider_->zone_reads, 1);
  const int reads_before = provider_->reads;
  for (int i = 0; i < 29; ++i) pass();  // 290 s: nobody's resync is due
  EXPECT_EQ(provider_->zone_reads, 1);
  EXPECT_EQ(reads_total("resync"), 0);
  pass();  // 300 s: every member is due, one listing reads them all
  EXPECT_EQ(provider_->zone_reads, 2);
  EXPECT_EQ(reads_total("resync"), static_cast<double>(kMembers));
  EXPECT_EQ(last_.deferred, 0u) << "the cap is no reason to wait for records already listed";
  EXPECT_EQ(provider_->reads, reads_before);  // no per-name read
  EXPECT_EQ(provider_->applies, 0);
  EXPECT_EQ(in_sync(17), 1);
  // Drift is still found and put right from the next zone read.
  provider_->set(name(42), RecordType::kA, {"192.0.2.9"});
  for (int i = 0; i < 31 && provider_->applies == 0; ++i) pass();
  EXPECT_EQ(provider_->applies, 1);
  EXPECT_EQ(provider_->zone_reads, 3);
  EXPECT_EQ(provider_->values(name(42), RecordType::kA), std::vector<std::string>{ips_[42]});
}

// A change the names cost more to read than a listing (many new IPs after a region event):
// the listing reads every member, including those the cap would have deferred.
TEST_F(DnsSyncReadsTest, AZoneListReadsTheMembersTheCapWouldDefer) {
  provider_->lists_zone = true;
  provider_->per_read_requests = 3;
  provider_->zone_pages = 8;
  start_in_sync();
  for (std::size_t i = 0; i < 1000; ++i) ips_[i] = ip(i, 2);
  pass();
  EXPECT_EQ(provider_->zone_reads, 2);
  EXPECT_EQ(last_.deferred, 0u);
  EXPECT_EQ(last_.applied, 1000u);
  EXPECT_EQ(reads_total("inputs_changed"), 1000);
  EXPECT_EQ(provider_->values(name(999), RecordType::kA), std::vector<std::string>{ips_[999]});
}

// A zone read that fails fails the read of every member it was for: nothing is planned on a
// partial view, and nothing is written.
TEST_F(DnsSyncReadsTest, AFailedZoneReadLeavesItsMembersUnread) {
  provider_->lists_zone = true;
  provider_->per_read_requests = 3;
  provider_->fail_zone_read = core::make_error(core::ErrorKind::kTransient, "HTTP 503");
  const auto report = sync_.sync_now(observations());
  EXPECT_EQ(provider_->zone_reads, 1);  // then the provider backs off
  EXPECT_EQ(provider_->reads, 0);
  EXPECT_EQ(report.applied, 0u);
  EXPECT_EQ(provider_->applies, 0);
}

// A zone that took more requests than the pass's per-name reads would is not listed for a
// few members: their names are read one by one.
TEST_F(DnsSyncReadsTest, PerNameReadsWhenTheZoneListCostsMore) {
  provider_->lists_zone = true;
  provider_->per_read_requests = 3;
  provider_->zone_pages = 100;  // a zone shared with many other records
  config_.dns->resync_interval = 24h;  // < 1 resync read per pass
  sync_.configure(std::make_shared<const config::Config>(config_), {{"p", provider_}});
  start_in_sync();
  ASSERT_EQ(provider_->zone_reads, 1);
  ips_[5] = ip(5, 2);
  const int reads_before = provider_->reads;
  pass();  // one or two members to read: 6 or 12 requests name by name, not 100
  EXPECT_EQ(provider_->zone_reads, 1);
  EXPECT_GE(provider_->reads - reads_before, 2);
  EXPECT_LE(provider_->reads - reads_before, 4);
  EXPECT_EQ(provider_->values(name(5), RecordType::kA), std::vector<std::string>{ips_[5]});
}

// A record changed behind our back is found by the rolling resync (within one interval) and
// put right in that pass; the status shows when each member's records were read.
TEST_F(DnsSyncReadsTest, ResyncCatchesDriftWithinOneInterval) {
  start_in_sync();
  const auto started = time_.system_time();
  provider_->set(name(3999), RecordType::kA, {"192.0.2.1"});
  for (int i = 0; i < 30 && provider_->applies == 0; ++i) pass();
  EXPECT_EQ(provider_->applies, 1);
  EXPECT_EQ(provider_->values(name(3999), RecordType::kA), std::vector<std::string>{ips_[3999]});
  const auto* status = status_.find(key(3999));
  ASSERT_NE(status, nullptr);
  ASSERT_TRUE(status->read_at.has_value());
  EXPECT_GT(*status->read_at, started);
  EXPECT_EQ(status->in_sync, true);
}

// A new IP is read and written in the very next pass, whatever the resync rotation.
TEST_F(DnsSyncReadsTest, IpChangeIsReadAndWrittenInTheNextPass) {
  start_in_sync();
  pass();
  ips_[1234] = ip(1234, 2);
  const auto read = pass();
  EXPECT_LE(read, 135u);  // the changed member and the resync share
  EXPECT_EQ(reads_total("inputs_changed"), 1);
  EXPECT_EQ(last_.applied, 1u);
  EXPECT_EQ(last_.verified, 1u);
  EXPECT_EQ(provider_->values(name(1234), RecordType::kA), std::vector<std::string>{ips_[1234]});
  EXPECT_EQ(in_sync(1234), 1);
  pass();  // written and verified: not read again for it
  EXPECT_EQ(reads_total("inputs_changed"), 1);
  EXPECT_EQ(reads_total("retry"), 0);
}

TEST_F(DnsSyncReadsTest, FailedWriteIsRetriedInTheNextPass) {
  start_in_sync();
  provider_->fail_apply = core::make_error(core::ErrorKind::kTransient, "503");
  ips_[7] = ip(7, 2);
  pass();
  EXPECT_EQ(last_.failed, 1u);
  EXPECT_EQ(in_sync(7), 0);
  provider_->fail_apply.reset();
  pass();  // the provider's back-off (1 s) is over a pass later
  EXPECT_EQ(reads_total("retry"), 1);
  EXPECT_EQ(last_.applied, 1u);
  EXPECT_EQ(provider_->values(name(7), RecordType::kA), std::vector<std::string>{ips_[7]});
  EXPECT_EQ(in_sync(7), 1);
  pass();
  EXPECT_EQ(reads_total("retry"), 1);
}

// A region event: every member gets a new IP at once. 20 reads/s over a 10 s pass read 200
// members; the other 3800 are deferred (gauge, dns.read.deferred once, /status), longest
// waiting first, and marked out of sync until read; 20 passes later every name is right.
TEST_F(DnsSyncReadsTest, ReadCapDefersAMassChangeAndReportsIt) {
  start_in_sync();
  for (std::size_t i = 0; i < kMembers; ++i) ips_[i] = ip(i, 2);
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(pass(), 200u);
  std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(last_.applied, 200u);
  EXPECT_EQ(last_.deferred, kMembers - 200);
  EXPECT_EQ(metrics_.dns_record_reads_deferred.Value(), static_cast<double>(kMembers - 200));
  EXPECT_NE(log.find("dns.read.deferred deferred=3800 read=200"), std::string::npos) << log;
  EXPECT_EQ(in_sync(3999), 0);  // its new address is not written yet
  const auto* waiting = status_.find(key(3999));
  ASSERT_NE(waiting, nullptr);
  EXPECT_TRUE(waiting->read_deferred);
  EXPECT_EQ(waiting->in_sync, false);

  std::size_t passes = 1;
  ::testing::internal::CaptureStderr();
  while (last_.deferred > 0 && passes < 30) {
    EXPECT_EQ(pass(), 200u);
    ++passes;
  }
  pass();
  log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(passes, kMembers / 200);
  EXPECT_EQ(log.find("dns.read.deferred"), std::string::npos);  // logged when it starts only
  EXPECT_NE(log.find("dns.read.caught_up"), std::string::npos);
  EXPECT_EQ(metrics_.dns_record_reads_deferred.Value(), 0);
  EXPECT_EQ(provider_->applies, static_cast<int>(kMembers));
  for (std::size_t i = 0; i < kMembers; ++i) {
    ASSERT_EQ(provider_->values(name(i), RecordType::kA), std::vector<std::string>{ips_[i]}) << i;
    ASSERT_EQ(in_sync(i), 1) << i;
  }
  EXPECT_FALSE(status_.find(key(3999))->read_deferred);
}

// At start nothing has been read: the cap spreads the first reads over 20 passes, reported
// like any backlog, and then the resync share takes over.
TEST_F(DnsSyncReadsTest, FirstReadsAfterStartAreCappedToo) {
  std::vector<std::size_t> per_pass;
  for (int i = 0; i < 22; ++i) per_pass.push_back(pass());
  EXPECT_EQ(per_pass.front(), 200u);
  EXPECT_EQ(reads_total("never_read"), static_cast<double>(kMembers));
  EXPECT_LE(per_pass.back(), 134u);
  EXPECT_EQ(provider_->applies, 0);
}

}  // namespace
}  // namespace frankenetes::reconcile
