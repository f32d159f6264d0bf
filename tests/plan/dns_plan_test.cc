// plan_dns_changes(): one table row per rule, each on one member with an explicit group
// observation and explicit provider records; expectations are compact renderings of the
// change list ("upsert A name 10.0.0.2 if A 10.0.0.1") so a row reads like the rule it checks.

#include "plan/dns_plan.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "plan/dns_registry.h"
#include "support/edit_view.h"

namespace frankenetes::plan {
namespace {

using namespace std::chrono_literals;
using model::Change;
using model::RecordSet;
using model::RecordType;
using model::GroupObservation;

const core::MonotonicTime kNow{std::chrono::hours(1000)};
const model::MemberKey kEtcd{"prod", "etcd"};
constexpr const char* kName = "cp-etcd.example.com";
constexpr const char* kRegistry = "_frankenetes.cp-etcd.example.com";
constexpr const char* kAciFqdn = "etcd-prod.westeurope.azurecontainer.io";

// --- builders --------------------------------------------------------------------------------

GroupObservation group_in_state(std::string state, std::optional<std::string> ip = "10.0.0.2",
                                core::MonotonicTime at = kNow - 1s) {
  GroupObservation g;
  g.outcome = GroupObservation::Outcome::kFound;
  g.observed_at = at;
  model::ContainerGroupView view;
  view.summary.name = "cg-etcd";
  view.summary.provisioning_state = "Succeeded";
  view.summary.ip = std::move(ip);
  view.summary.fqdn = kAciFqdn;
  view.state = std::move(state);
  g.view = std::make_shared<const model::ContainerGroupView>(view);
  return g;
}

GroupObservation running(std::string ip = "10.0.0.2") { return group_in_state("Running", ip); }

GroupObservation gone() {
  GroupObservation g;
  g.outcome = GroupObservation::Outcome::kNotFound;
  g.observed_at = kNow - 1s;
  g.gone_confirmed = true;
  return g;
}

GroupObservation read_failed() {
  GroupObservation g;
  g.outcome = GroupObservation::Outcome::kError;
  g.error = std::make_shared<const core::Error>(
      core::Error{core::ErrorKind::kTransient, "ARM said 503", 503, "", ""});
  g.observed_at = kNow - 1s;
  return g;
}

RecordSet set(std::string fqdn, RecordType type, std::vector<std::string> values, uint32_t ttl = 60,
              std::string version = "") {
  RecordSet s;
  s.fqdn = std::move(fqdn);
  s.type = type;
  s.ttl = ttl;
  s.values = std::move(values);
  s.version = std::move(version);
  return s;
}

RecordSet a(std::string ip, uint32_t ttl = 60) {
  return set(kName, RecordType::kA, {std::move(ip)}, ttl, "etag-a");
}
RecordSet cname(std::string target) {
  return set(kName, RecordType::kCname, {std::move(target)}, 60, "etag-cname");
}
RecordSet txt_at_registry(std::vector<std::string> values) {
  return set(kRegistry, RecordType::kTxt, std::move(values), 60, "etag-txt");
}
std::string ours(std::string owner = "prod-fk", std::string member = "etcd") {
  return encode_ownership({std::move(owner), "prod", std::move(member)});
}
RecordSet our_txt() { return txt_at_registry({ours()}); }

config::MemberDnsConfig dns_config() {
  config::MemberDnsConfig d;
  d.provider = "bind";
  d.name = kName;
  d.ttl = 60;
  return d;
}

// model::to_string lives in the provider library, which the plan does not link.
std::string type_name(RecordType type) {
  switch (type) {
    case RecordType::kA:
      return "A";
    case RecordType::kTxt:
      return "TXT";
    case RecordType::kCname:
      return "CNAME";
  }
  return "?";
}

std::string render(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : "+") + v;
  return out;
}

// "upsert A cp-etcd.example.com 10.0.0.2 ttl=60 if A 10.0.0.1@etag-a"; "if absent" for a
// must-not-exist guard; "unguarded" when expected_current is missing (never expected).
std::string render(const Change& c) {
  std::string out = c.kind == Change::Kind::kUpsert ? "upsert " : "delete ";
  out += type_name(c.desired.type);
  out += " " + c.desired.fqdn;
  if (c.kind == Change::Kind::kUpsert) {
    out += " " + render(c.desired.values) + " ttl=" + std::to_string(c.desired.ttl);
  }
  if (!c.expected_current) return out + " unguarded";
  const RecordSet& e = *c.expected_current;
  if (e.fqdn != c.desired.fqdn || e.type != c.desired.type) return out + " guard-mismatch";
  if (e.values.empty()) return out + " if absent";
  return out + " if " + render(e.values) + "@" + e.version;
}

std::vector<std::string> render(const std::vector<Change>& changes) {
  std::vector<std::string> out;
  for (const auto& c : changes) out.push_back(render(c));
  return out;
}

DnsPlanResult run(const config::MemberDnsConfig& dns, std::optional<GroupObservation> group,
                  std::optional<std::vector<RecordSet>> current,
                  const config::PolicyConfig& policy = config::PolicyConfig{}) {
  DnsMemberInput member{kEtcd, dns, std::move(group), std::move(current), ""};
  if (!member.current) member.read_error = "transient: connection refused";
  const DnsPlanInput input{"prod-fk", policy, {member}, kNow};
  return plan_dns_changes(input);
}

// --- the table -------------------------------------------------------------------------------

struct DnsCase {
  std::string name;
  std::function<void(config::MemberDnsConfig&)> configure;  // may be null
  std::optional<GroupObservation> group;
  std::optional<std::vector<RecordSet>> current;
  // Either a skip ("skip <reason>") or a change ("<kind>") with its rendered change list.
  std::string expected;
  std::vector<std::string> changes;
  std::optional<bool> in_sync;
  std::string detail;  // substring of the skip's or change's detail
};

class DnsPlanRules : public ::testing::TestWithParam<DnsCase> {};

TEST_P(DnsPlanRules, Table) {
  const DnsCase& c = GetParam();
  auto dns = dns_config();
  if (c.configure) c.configure(dns);
  const DnsPlanResult r = run(dns, c.group, c.current);

  ASSERT_EQ(r.members.size(), 1u);
  EXPECT_EQ(r.members[0].in_sync, c.in_sync);
  EXPECT_EQ(r.changes.size() + r.skips.size(), 1u) << "exactly one outcome per member";
  if (c.expected.rfind("skip ", 0) == 0) {
    ASSERT_EQ(r.skips.size(), 1u) << (r.changes.empty() ? "" : r.changes[0].detail);
    EXPECT_EQ("skip " + std::string(to_string(r.skips[0].reason)), c.expected) << r.skips[0].detail;
    EXPECT_NE(r.skips[0].detail.find(c.detail), std::string::npos) << r.skips[0].detail;
    EXPECT_EQ(r.skips[0].fqdn, kName);
    EXPECT_EQ(r.skips[0].provider, "bind");
  } else {
    ASSERT_EQ(r.changes.size(), 1u) << (r.skips.empty() ? "" : r.skips[0].detail);
    const DnsMemberChange& ch = r.changes[0];
    EXPECT_EQ(std::string(to_string(ch.kind)), c.expected) << ch.detail;
    EXPECT_EQ(render(ch.changes), c.changes);
    EXPECT_NE(ch.detail.find(c.detail), std::string::npos) << ch.detail;
    EXPECT_EQ(ch.member, kEtcd);
    EXPECT_EQ(ch.provider, "bind");
    EXPECT_FALSE(ch.dry_run);
    for (const Change& change : ch.changes) {
      EXPECT_TRUE(change.expected_current.has_value()) << "every change is guarded";
    }
  }
}

const auto kAdopt = [](config::MemberDnsConfig& d) { d.adopt = true; };
const auto kDeleteWhenGone = [](config::MemberDnsConfig& d) { d.delete_when_gone = true; };
const auto kCnameMode = [](config::MemberDnsConfig& d) { d.mode = config::DnsRecordMode::kCname; };
const std::string kTxtUpsertNew =
    std::string("upsert TXT ") + kRegistry + " " + ours() + " ttl=60 if absent";
const std::string kTxtUpsertOverForeign =
    std::string("upsert TXT ") + kRegistry + " " + ours() + " ttl=60 if ";

INSTANTIATE_TEST_SUITE_P(
    DnsPlan, DnsPlanRules,
    ::testing::Values(
        // --- the group's state decides first: nothing moves on what we do not know
        DnsCase{"NeverObserved", nullptr, std::nullopt, std::vector{a("10.0.0.1"), our_txt()},
                "skip state_unknown", {}, std::nullopt, "no container group observation"},
        DnsCase{"ReadFailed", nullptr, read_failed(), std::vector{a("10.0.0.1"), our_txt()},
                "skip state_unknown", {}, std::nullopt, "ARM said 503"},
        DnsCase{"Stale", nullptr, group_in_state("Running", "10.0.0.2", kNow - 21s),
                std::vector{a("10.0.0.1"), our_txt()}, "skip state_unknown", {}, std::nullopt,
                "21s old (staleAfter 20s)"},
        DnsCase{"NoInstanceViewState", nullptr, group_in_state(""),
                std::vector{a("10.0.0.1"), our_txt()}, "skip state_unknown", {}, std::nullopt,
                "no instanceView.state"},
        DnsCase{"StaleGoneIsUnknownToo", kDeleteWhenGone,
                [] {
                  auto g = gone();
                  g.observed_at = kNow - 1h;
                  return std::optional(g);
                }(),
                std::vector{a("10.0.0.1"), our_txt()}, "skip state_unknown", {}, std::nullopt,
                "staleAfter"},
        DnsCase{"Stopped", nullptr, group_in_state("Stopped", std::nullopt),
                std::vector{a("10.0.0.1"), our_txt()}, "skip group_not_running", {},
                std::nullopt, "group state Stopped"},
        DnsCase{"Pending", nullptr, group_in_state("Pending"),
                std::vector{a("10.0.0.1"), our_txt()}, "skip group_not_running", {},
                std::nullopt, "Pending"},
        DnsCase{"Failed", nullptr, group_in_state("Failed"),
                std::vector{a("10.0.0.1"), our_txt()}, "skip group_not_running", {},
                std::nullopt, "Failed"},
        DnsCase{"RunningIsCaseInsensitive", nullptr, group_in_state("running"),
                std::vector{a("10.0.0.2"), our_txt()}, "skip in_sync", {}, true, "A 10.0.0.2"},
        DnsCase{"RunningWithoutIp", nullptr, group_in_state("Running", std::nullopt),
                std::vector{a("10.0.0.1"), our_txt()}, "skip no_ip", {}, std::nullopt,
                "without a public IP"},
        DnsCase{"RunningWithGarbageIp", nullptr, group_in_state("Running", "10.0.0.256"),
                std::vector{a("10.0.0.1"), our_txt()}, "skip no_ip", {}, std::nullopt,
                "not an IPv4 address"},
        DnsCase{"RunningWithLeadingZeroIp", nullptr, group_in_state("Running", "10.0.0.02"),
                std::vector{a("10.0.0.1"), our_txt()}, "skip no_ip", {}, std::nullopt,
                "not an IPv4"},
        DnsCase{"ProviderUnreadable", nullptr, running(), std::nullopt,
                "skip provider_unreadable", {}, std::nullopt, "connection refused"},

        // --- owned records follow the IP
        DnsCase{"NewIp", nullptr, running("10.0.0.2"), std::vector{a("10.0.0.1"), our_txt()},
                "update",
                {std::string("upsert A ") + kName + " 10.0.0.2 ttl=60 if 10.0.0.1@etag-a"},
                false, "A 10.0.0.1 -> A 10.0.0.2"},
        DnsCase{"InSync", nullptr, running("10.0.0.2"), std::vector{a("10.0.0.2"), our_txt()},
                "skip in_sync", {}, true, "A 10.0.0.2"},
        DnsCase{"TtlDrift", nullptr, running("10.0.0.2"),
                std::vector{a("10.0.0.2", 300), our_txt()}, "update",
                {std::string("upsert A ") + kName + " 10.0.0.2 ttl=60 if 10.0.0.2@etag-a"}, true,
                "TTL 300 -> 60"},
        DnsCase{"ExtraAddressRemoved", nullptr, running("10.0.0.2"),
                std::vector{set(kName, RecordType::kA, {"10.0.0.2", "10.0.0.9"}, 60, "e"),
                            our_txt()},
                "update",
                {std::string("upsert A ") + kName + " 10.0.0.2 ttl=60 if 10.0.0.2+10.0.0.9@e"},
                false, "10.0.0.2 10.0.0.9 -> A 10.0.0.2"},
        DnsCase{"NameIsFreeCreatesTxtThenRecord", nullptr, running(), std::vector<RecordSet>{},
                "create",
                {kTxtUpsertNew, std::string("upsert A ") + kName + " 10.0.0.2 ttl=60 if absent"},
                false, "creating A 10.0.0.2"},
        DnsCase{"OurTxtButRecordMissing", nullptr, running(), std::vector{our_txt()}, "create",
                {std::string("upsert A ") + kName + " 10.0.0.2 ttl=60 if absent"}, false,
                "creating"},
        DnsCase{"RecordRightTxtOutdatedLabels", nullptr, running(),
                std::vector{a("10.0.0.2"), txt_at_registry({ours("prod-fk", "old-name")})},
                "refresh_registry",
                {kTxtUpsertOverForeign + ours("prod-fk", "old-name") + "@etag-txt"}, true,
                "rewriting the ownership TXT"},
        DnsCase{"QuotedTxtFromProviderIsStillRight", nullptr, running("10.0.0.2"),
                std::vector{a("10.0.0.2"), txt_at_registry({"\"" + ours() + "\""})},
                "skip in_sync", {}, true, "A 10.0.0.2"},
        DnsCase{"ExtraForeignValueBesideOurMarkerIsRewritten", nullptr, running("10.0.0.2"),
                std::vector{a("10.0.0.2"), txt_at_registry({ours(), "v=spf1 -all"})},
                "refresh_registry",
                {kTxtUpsertOverForeign + ours() + "+v=spf1 -all@etag-txt"}, true,
                "rewriting the ownership TXT"},
        DnsCase{"TxtAtTheNameItselfIsNotOurs", nullptr, running(),
                std::vector{a("10.0.0.1"), set(kName, RecordType::kTxt, {"v=spf1 -all"}),
                            our_txt()},
                "update",
                {std::string("upsert A ") + kName + " 10.0.0.2 ttl=60 if 10.0.0.1@etag-a"},
                false, "->"},

        // --- records that are not ours
        DnsCase{"NotOwnedNoTxt", nullptr, running(), std::vector{a("10.0.0.1")},
                "skip not_owned", {}, false, "no ownership TXT; the name has A 10.0.0.1"},
        DnsCase{"NotOwnedButAlreadyRight", nullptr, running(), std::vector{a("10.0.0.2")},
                "skip not_owned", {}, true, "adopt: true takes it over"},
        DnsCase{"OtherOwnerId", nullptr, running(),
                std::vector{a("10.0.0.1"), txt_at_registry({ours("staging")})}, "skip not_owned",
                {}, false, "owned by owner id \"staging\""},
        DnsCase{"MalformedMarker", nullptr, running(),
                std::vector{a("10.0.0.1"),
                            txt_at_registry({"heritage=frankenetes,frankenetes/owner=prod-fk,x"})},
                "skip not_owned", {}, false, "unreadable ownership TXT"},
        DnsCase{"ForeignTxtAtRegistryNameOnly", nullptr, running(),
                std::vector{txt_at_registry({"someone else"})}, "skip not_owned", {}, false,
                "no ownership TXT"},
        DnsCase{"AdoptTakesOverIncludingTxt", kAdopt, running(), std::vector{a("10.0.0.1")},
                "adopt",
                {kTxtUpsertNew, std::string("upsert A ") + kName + " 10.0.0.2 ttl=60 if 10.0.0.1@etag-a"},
                false, "adopting (no ownership TXT): A 10.0.0.1 -> A 10.0.0.2"},
        DnsCase{"AdoptRightRecordWritesOnlyTxt", kAdopt, running(), std::vector{a("10.0.0.2")},
                "adopt", {kTxtUpsertNew}, true, "adopting"},
        DnsCase{"AdoptFromOtherOwner", kAdopt, running(),
                std::vector{a("10.0.0.1"), txt_at_registry({ours("staging")})}, "adopt",
                {kTxtUpsertOverForeign + ours("staging") + "@etag-txt",
                 std::string("upsert A ") + kName + " 10.0.0.2 ttl=60 if 10.0.0.1@etag-a"},
                false, "owned by owner id \"staging\""},

        // --- group gone
        DnsCase{"GoneKeepsRecord", nullptr, gone(), std::vector{a("10.0.0.1"), our_txt()},
                "skip group_gone", {}, std::nullopt, "delete_when_gone off"},
        DnsCase{"GoneDeleteOwnedRecordThenTxt", kDeleteWhenGone, gone(),
                std::vector{a("10.0.0.1"), our_txt()}, "delete",
                {std::string("delete A ") + kName + " if 10.0.0.1@etag-a",
                 std::string("delete TXT ") + kRegistry + " if " + ours() + "@etag-txt"},
                false, "deleting A 10.0.0.1 and the ownership TXT"},
        DnsCase{"GoneDeleteLeftoverTxtOnly", kDeleteWhenGone, gone(), std::vector{our_txt()},
                "delete", {std::string("delete TXT ") + kRegistry + " if " + ours() + "@etag-txt"},
                true, "deleting the leftover ownership TXT"},
        DnsCase{"GoneDeleteNotOwned", kDeleteWhenGone, gone(), std::vector{a("10.0.0.1")},
                "skip not_owned", {}, false, "not ours: no ownership TXT"},
        DnsCase{"GoneDeleteNotOwnedEvenWithAdopt",
                [](config::MemberDnsConfig& d) {
                  d.delete_when_gone = true;
                  d.adopt = true;
                },
                gone(), std::vector{a("10.0.0.1")}, "skip not_owned", {}, false, "not ours"},
        DnsCase{"GoneDeleteNothingLeft", kDeleteWhenGone, gone(), std::vector<RecordSet>{},
                "skip in_sync", {}, true, "no record of ours"},
        DnsCase{"GoneDeleteProviderUnreadable", kDeleteWhenGone, gone(), std::nullopt,
                "skip provider_unreadable", {}, std::nullopt, "connection refused"},

        // --- mode cname
        DnsCase{"CnameCreatesCnameToAciFqdnAndPrefixedTxt", kCnameMode, running(),
                std::vector<RecordSet>{}, "create",
                {kTxtUpsertNew, std::string("upsert CNAME ") + kName + " " + kAciFqdn +
                                    " ttl=60 if absent"},
                false, "creating CNAME " + std::string(kAciFqdn)},
        DnsCase{"CnameInSync", kCnameMode, running(), std::vector{cname(kAciFqdn), our_txt()},
                "skip in_sync", {}, true, "CNAME"},
        DnsCase{"CnameWithoutAciFqdn", kCnameMode,
                [] {
                  auto g = running();
                  testing::edit_view(g).summary.fqdn.reset();
                  return std::optional(g);
                }(),
                std::vector<RecordSet>{}, "skip no_ip", {}, std::nullopt, "no ACI fqdn"},
        DnsCase{"ModeSwitchAToCnameDeletesTheA", kCnameMode, running(),
                std::vector{a("10.0.0.1"), our_txt()}, "update",
                {std::string("delete A ") + kName + " if 10.0.0.1@etag-a",
                 std::string("upsert CNAME ") + kName + " " + kAciFqdn + " ttl=60 if absent"},
                false, "A 10.0.0.1 -> CNAME"},
        DnsCase{"ModeSwitchCnameToA", nullptr, running(),
                std::vector{cname(kAciFqdn), our_txt()}, "update",
                {std::string("delete CNAME ") + kName + " if " + kAciFqdn + "@etag-cname",
                 std::string("upsert A ") + kName + " 10.0.0.2 ttl=60 if absent"},
                false, "CNAME " + std::string(kAciFqdn) + " -> A 10.0.0.2"},
        DnsCase{"CnameBlockedByTxtAtTheName", kCnameMode, running(),
                std::vector{set(kName, RecordType::kTxt, {"v=spf1 -all"}), our_txt()},
                "skip not_owned", {}, false, "cannot coexist"}),
    [](const auto& test_info) { return test_info.param.name; });

// --- beyond one row ----------------------------------------------------------------------------

TEST(DnsPlan, StaleBoundaryIsInclusive) {
  // Exactly staleAfter old is still fresh (as in plan/health.h); one millisecond more is not.
  config::PolicyConfig policy;
  auto fresh = group_in_state("Running", "10.0.0.2", kNow - policy.stale_after);
  EXPECT_EQ(run(dns_config(), fresh, std::vector{a("10.0.0.1"), our_txt()}, policy).changes.size(),
            1u);
  auto stale = group_in_state("Running", "10.0.0.2", kNow - policy.stale_after - 1ms);
  const auto r = run(dns_config(), stale, std::vector{a("10.0.0.1"), our_txt()}, policy);
  ASSERT_EQ(r.skips.size(), 1u);
  EXPECT_EQ(r.skips[0].reason, DnsSkipReason::kStateUnknown);
}

TEST(DnsPlan, DryRunIsCarriedOnEveryChange) {
  config::PolicyConfig policy;
  policy.dry_run = true;
  const auto r = run(dns_config(), running(), std::vector{a("10.0.0.1"), our_txt()}, policy);
  ASSERT_EQ(r.changes.size(), 1u);
  EXPECT_TRUE(r.changes[0].dry_run);
}

TEST(DnsPlan, ChangeCarriesOldAndNewRecordForEvents) {
  const auto r = run(dns_config(), running("10.0.0.2"), std::vector{a("10.0.0.1"), our_txt()});
  ASSERT_EQ(r.changes.size(), 1u);
  ASSERT_TRUE(r.changes[0].old_record && r.changes[0].new_record);
  EXPECT_EQ(r.changes[0].old_record->values, std::vector<std::string>{"10.0.0.1"});
  EXPECT_EQ(r.changes[0].old_record->version, "etag-a");
  EXPECT_EQ(r.changes[0].new_record->values, std::vector<std::string>{"10.0.0.2"});
  ASSERT_TRUE(r.members[0].desired.has_value());
  EXPECT_EQ(*r.members[0].desired, set(kName, RecordType::kA, {"10.0.0.2"}));
}

TEST(DnsPlan, NamesCompareCaseInsensitivelyAndWithoutRootDot) {
  auto dns = dns_config();
  dns.name = "CP-Etcd.Example.com.";
  auto record = a("10.0.0.2");
  record.fqdn = "cp-etcd.example.com";
  const auto r = run(dns, running("10.0.0.2"), std::vector{record, our_txt()});
  ASSERT_EQ(r.skips.size(), 1u);
  EXPECT_EQ(r.skips[0].reason, DnsSkipReason::kInSync);
  EXPECT_EQ(r.skips[0].fqdn, kName);
}

TEST(DnsPlan, ManyMembersAcrossProvidersAreIndependent) {
  auto etcd = dns_config();
  auto api = dns_config();
  api.provider = "cloudflare";
  api.name = "cp-api.example.com";
  const model::MemberKey kApi{"prod", "apiserver"};
  auto api_txt = set("_frankenetes.cp-api.example.com", RecordType::kTxt,
                     {encode_ownership({"prod-fk", "prod", "apiserver"})});
  auto api_a = set("cp-api.example.com", RecordType::kA, {"10.0.0.5"});
  auto third = dns_config();
  third.name = "cp-sched.example.com";
  const model::MemberKey kSched{"prod", "scheduler"};

  const config::PolicyConfig policy;
  const DnsPlanInput input{
      "prod-fk",
      policy,
      {DnsMemberInput{kEtcd, etcd, running("10.0.0.2"), std::vector{a("10.0.0.1"), our_txt()}, ""},
       DnsMemberInput{kApi, api, running("10.0.0.6"), std::vector{api_a, api_txt}, ""},
       DnsMemberInput{kSched, third, read_failed(), std::vector<RecordSet>{}, ""}},
      kNow};
  const DnsPlanResult r = plan_dns_changes(input);
  ASSERT_EQ(r.members.size(), 3u);
  EXPECT_EQ(r.members[2].member, kSched);
  ASSERT_EQ(r.changes.size(), 2u);
  ASSERT_NE(r.find_change(kEtcd), nullptr);
  ASSERT_NE(r.find_change(kApi), nullptr);
  ASSERT_NE(r.find_skip(kSched), nullptr);
  EXPECT_EQ(r.find_skip(kSched)->reason, DnsSkipReason::kStateUnknown);
  EXPECT_EQ(r.find_member(kSched)->in_sync, std::nullopt);

  const auto by_provider = r.changes_by_provider();
  ASSERT_EQ(by_provider.size(), 2u);
  EXPECT_EQ(render(by_provider.at("bind")),
            std::vector<std::string>{std::string("upsert A ") + kName +
                                     " 10.0.0.2 ttl=60 if 10.0.0.1@etag-a"});
  EXPECT_EQ(render(by_provider.at("cloudflare")),
            std::vector<std::string>{"upsert A cp-api.example.com 10.0.0.6 ttl=60 if 10.0.0.5@"});
}

config::MemberConfig member_named(std::string name,
                                  std::optional<config::MemberDnsConfig> dns = std::nullopt) {
  config::MemberConfig m;
  m.name = std::move(name);
  m.dns = std::move(dns);
  return m;
}

// A configuration of one cluster, "prod", with `members`.
config::Config prod_with(std::vector<config::MemberConfig> members) {
  config::Config config;
  config::ClusterConfig prod;
  prod.name = "prod";
  prod.members = std::move(members);
  config.clusters = {prod};
  return config;
}

TEST(DnsPlan, DnsMembersFollowConfigOrderAndCarryTheLatestObservation) {
  auto api_dns = dns_config();
  api_dns.name = "cp-api.example.com";
  const auto config = prod_with({member_named("etcd", dns_config()),
                                 member_named("scheduler"),  // no dns: not a DNS member
                                 member_named("apiserver", api_dns)});

  std::map<model::MemberKey, model::MemberObservation> observed;
  observed[kEtcd] = model::MemberObservation{kEtcd, running("10.0.0.2"), {}, std::nullopt, ""};

  const auto members = dns_members(config, observed);
  ASSERT_EQ(members.size(), 2u);
  EXPECT_EQ(members[0].member, kEtcd);
  ASSERT_TRUE(members[0].group.has_value());
  EXPECT_EQ(members[0].group->view->summary.ip, "10.0.0.2");
  EXPECT_FALSE(members[0].current.has_value()) << "the caller reads the provider";
  EXPECT_EQ(members[1].member, (model::MemberKey{"prod", "apiserver"}));
  EXPECT_FALSE(members[1].group.has_value()) << "never observed";
  EXPECT_EQ(members[1].dns.name, "cp-api.example.com");

  auto shouting = dns_config();
  shouting.name = "CP-Etcd.Example.com.";
  EXPECT_EQ(names_to_read(shouting), (std::vector<std::string>{kName, kRegistry}));

  // Unread members are skipped as unreadable, never planned on.
  const config::PolicyConfig policy;
  const auto r = plan_dns_changes({"prod-fk", policy, members, kNow});
  ASSERT_NE(r.find_skip(kEtcd), nullptr);
  EXPECT_EQ(r.find_skip(kEtcd)->reason, DnsSkipReason::kProviderUnreadable);
  EXPECT_EQ(r.find_skip(kEtcd)->detail, "not read");
}

TEST(DnsPlan, APausedMemberIsPlannedButNotChanged) {
  const config::PolicyConfig policy;
  DnsMemberInput member{kEtcd, dns_config(), running("10.0.0.2"),
                        std::vector{a("10.0.0.1"), our_txt()}, ""};
  member.paused = true;
  const auto r = plan_dns_changes({"prod-fk", policy, {member}, kNow});
  EXPECT_TRUE(r.changes.empty());
  ASSERT_EQ(r.skips.size(), 1u);
  EXPECT_EQ(r.skips[0].reason, DnsSkipReason::kPaused);
  EXPECT_EQ(r.skips[0].detail, "paused by an operator; would update: A 10.0.0.1 -> A 10.0.0.2");
  EXPECT_EQ(r.skips[0].fqdn, kName);
  EXPECT_EQ(r.members[0].in_sync, false) << "in-sync is still known";

  // A paused member whose group is gone keeps its record even with deleteWhenGone.
  auto deleting = dns_config();
  deleting.delete_when_gone = true;
  DnsMemberInput gone_member{kEtcd, deleting, gone(), std::vector{a("10.0.0.1"), our_txt()}, ""};
  gone_member.paused = true;
  const auto g = plan_dns_changes({"prod-fk", policy, {gone_member}, kNow});
  EXPECT_TRUE(g.changes.empty());
  ASSERT_EQ(g.skips.size(), 1u);
  EXPECT_EQ(g.skips[0].reason, DnsSkipReason::kPaused);

  // In sync and paused: the usual in_sync skip (nothing would change).
  DnsMemberInput right{kEtcd, dns_config(), running("10.0.0.1"), std::vector{a("10.0.0.1"), our_txt()}, ""};
  right.paused = true;
  EXPECT_EQ(plan_dns_changes({"prod-fk", policy, {right}, kNow}).skips.at(0).reason,
            DnsSkipReason::kInSync);
}

// Coordination: a member of a cluster another replica holds is skipped before anything else
// is judged, and its records are not wanted.
TEST(DnsPlan, AStandbyMemberIsSkippedAsNotLeaderAndNeedsNoRecords) {
  const config::PolicyConfig policy;
  DnsMemberInput member{kEtcd, dns_config(), running("10.0.0.2"),
                        std::vector{a("10.0.0.1"), our_txt()}, ""};
  EXPECT_TRUE(dns_needs_records(member, policy, kNow));
  const auto signature = dns_member_signature(member);
  member.standby = true;
  EXPECT_FALSE(dns_needs_records(member, policy, kNow));
  EXPECT_NE(dns_member_signature(member), signature);
  const auto r = plan_dns_changes({"prod-fk", policy, {member}, kNow});
  EXPECT_TRUE(r.changes.empty());
  ASSERT_EQ(r.skips.size(), 1u);
  EXPECT_EQ(r.skips[0].reason, DnsSkipReason::kNotLeader);
  EXPECT_EQ(to_string(r.skips[0].reason), "not_leader");
}

TEST(DnsPlan, PauseComesFromTheObservationAndChangesTheSignature) {
  config::Config config;
  config.clusters.emplace_back().name = "prod";
  config.clusters[0].members.emplace_back().name = "etcd";
  config.clusters[0].members[0].dns = dns_config();
  std::map<model::MemberKey, model::MemberObservation> observed;
  observed[kEtcd] = model::MemberObservation{kEtcd, running("10.0.0.2"), {}, std::nullopt, "", false};
  const auto before = dns_members(config, observed);
  EXPECT_FALSE(before[0].paused);
  observed[kEtcd].paused = true;
  const auto after = dns_members(config, observed);
  EXPECT_TRUE(after[0].paused);
  EXPECT_NE(dns_member_signature(before[0]), dns_member_signature(after[0]));
}

TEST(DnsPlan, SignatureFollowsWhatThePlanReadsButNotTheObservationsAge) {
  const DnsMemberInput base{kEtcd, dns_config(), running("10.0.0.2"), std::nullopt, ""};
  auto later = base;
  later.group->observed_at += 30s;
  later.current = std::vector{a("10.0.0.1")};  // the provider's records are not inputs
  EXPECT_EQ(dns_member_signature(base), dns_member_signature(later));
  auto new_ip = base;
  new_ip.group = running("10.0.0.3");
  EXPECT_NE(dns_member_signature(base), dns_member_signature(new_ip));
  auto stopped = base;
  stopped.group = group_in_state("Stopped");
  EXPECT_NE(dns_member_signature(base), dns_member_signature(stopped));
  auto ttl = base;
  ttl.dns.ttl = 300;
  EXPECT_NE(dns_member_signature(base), dns_member_signature(ttl));
  auto never = base;
  never.group.reset();
  EXPECT_NE(dns_member_signature(base), dns_member_signature(never));
}

// dns_needs_records() must agree with plan_dns_changes(): a member it says needs no records is
// skipped on its group state alone, whatever was (not) read; one that needs them is
// provider_unreadable without them.
TEST(DnsPlan, NeedsRecordsExactlyWhenThePlanLooksAtThem) {
  GroupObservation stale = running();
  stale.observed_at = kNow - 1h;
  GroupObservation unproven = gone();
  unproven.gone_confirmed = false;
  auto deleting = dns_config();
  deleting.delete_when_gone = true;
  auto cname = dns_config();
  cname.mode = config::DnsRecordMode::kCname;
  GroupObservation no_fqdn = running();
  testing::edit_view(no_fqdn).summary.fqdn.reset();
  struct Row {
    std::string name;
    config::MemberDnsConfig dns;
    std::optional<GroupObservation> group;
    bool needs;
  };
  const std::vector<Row> rows{
      {"never observed", dns_config(), std::nullopt, false},
      {"read failed", dns_config(), read_failed(), false},
      {"stale", dns_config(), stale, false},
      {"stopped", dns_config(), group_in_state("Stopped"), false},
      {"running without IP", dns_config(), group_in_state("Running", std::nullopt), false},
      {"running", dns_config(), running(), true},
      {"cname", cname, running(), true},
      {"cname without fqdn", cname, no_fqdn, false},
      {"gone, record kept", dns_config(), gone(), false},
      {"gone, deleteWhenGone", deleting, gone(), true},
      {"404 not proven", deleting, unproven, false},
  };
  const config::PolicyConfig policy;
  for (const auto& row : rows) {
    SCOPED_TRACE(row.name);
    const DnsMemberInput member{kEtcd, row.dns, row.group, std::nullopt, "not read"};
    EXPECT_EQ(dns_needs_records(member, policy, kNow), row.needs);
    const auto skip = plan_dns_changes({"prod-fk", policy, {member}, kNow}).skips.at(0).reason;
    EXPECT_EQ(skip == DnsSkipReason::kProviderUnreadable, row.needs);
  }
}

TEST(DnsPlan, SkipReasonSpellingsAreStableAndComplete) {
  std::vector<std::string> names;
  for (const DnsSkipReason r : all_dns_skip_reasons()) names.emplace_back(to_string(r));
  EXPECT_EQ(names, (std::vector<std::string>{"state_unknown", "group_not_running", "group_gone",
                                             "no_ip", "provider_unreadable", "not_owned", "in_sync",
                                             "paused", "not_leader"}));
}

TEST(DnsPlan, AppliedPlanConvergesToInSync) {
  // Apply the changes to a toy zone and plan again: the second pass must say in_sync for every
  // kind of starting point that leads to a change.
  struct Start {
    std::string name;
    std::vector<RecordSet> records;
    bool adopt;
  };
  const std::vector<Start> starts{
      {"free", {}, false},
      {"moved", {a("10.0.0.1"), our_txt()}, false},
      {"adopted", {a("10.0.0.1")}, true},
      {"mode switch", {cname(kAciFqdn), our_txt()}, false},
  };
  for (const Start& s : starts) {
    auto dns = dns_config();
    dns.adopt = s.adopt;
    std::vector<RecordSet> zone = s.records;
    const auto first = run(dns, running("10.0.0.2"), zone);
    ASSERT_EQ(first.changes.size(), 1u) << s.name;
    for (const Change& c : first.changes[0].changes) {
      std::erase_if(zone, [&](const RecordSet& r) {
        return r.fqdn == c.desired.fqdn && r.type == c.desired.type;
      });
      if (c.kind == Change::Kind::kUpsert) zone.push_back(c.desired);
    }
    const auto second = run(dns, running("10.0.0.2"), zone);
    ASSERT_EQ(second.skips.size(), 1u) << s.name;
    EXPECT_EQ(second.skips[0].reason, DnsSkipReason::kInSync)
        << s.name << ": " << second.skips[0].detail;
    EXPECT_EQ(second.members[0].in_sync, true) << s.name;
  }
}

}  // namespace
}  // namespace frankenetes::plan
