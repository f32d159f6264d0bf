// Snapshot blob names, their metadata, and which snapshots retention deletes, on a fixed clock.

#include "etcd/snapshot_catalog.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <type_traits>

#include "core/timestamps.h"
#include "storage/blob_paths.h"
#include "storage/blob_types.h"

namespace frankenetes::etcd {
namespace {

using namespace std::chrono_literals;

// BlobMetadata is storage::Metadata under another name, so callers pass it without copying.
static_assert(std::is_same_v<BlobMetadata, storage::Metadata>);

// "2026-12-02T13:45:00Z" -> time point; the test's own inputs are always valid.
core::SystemTime utc(std::string_view iso) { return core::parse_iso8601(iso).value(); }

// A snapshot of prod/etcd taken at `iso` (extended format, for readability).
std::string snap(std::string_view iso, std::uint64_t revision = 1) {
  return snapshot_blob_name("prod", "etcd", utc(iso), revision);
}

// --- names ---

TEST(SnapshotNames, PrefixAndNameFollowTheLayout) {
  EXPECT_EQ(snapshot_prefix("prod", "etcd"), "snapshots/prod/etcd/");
  EXPECT_EQ(snapshot_blob_name("prod", "etcd", utc("2026-12-02T13:45:00Z"), 1234),
            "snapshots/prod/etcd/20261202T134500Z-rev1234.db");
  // Truncated to the second, never rounded up into the next one.
  EXPECT_EQ(snapshot_blob_name("prod", "etcd-0", utc("2026-12-02T13:45:00.999Z"), 0),
            "snapshots/prod/etcd-0/20261202T134500Z-rev0.db");
}

TEST(SnapshotNames, NamesAreValidBlobNamesUnderThePrefix) {
  const auto name = snapshot_blob_name("a-very-long-cluster-name-that-is-still-a-dns-label-0123",
                                       "etcd", utc("2261-01-01T00:00:00Z"), UINT64_MAX);
  EXPECT_TRUE(storage::check_blob_name(name).ok()) << name;
  EXPECT_TRUE(name.starts_with(snapshot_prefix(
      "a-very-long-cluster-name-that-is-still-a-dns-label-0123", "etcd")));
}

TEST(SnapshotNames, SortByTimeAsText) {
  // Listing order (lexicographic) is time order within a member.
  const auto earlier = snap("2026-09-30T23:59:59Z", 999999);
  const auto later = snap("2026-10-01T00:00:00Z", 1);
  EXPECT_LT(earlier, later);
}

TEST(SnapshotNames, ParseRoundTrips) {
  const SnapshotName expected{"prod", "etcd", utc("2026-12-02T13:45:00Z"), 1234};
  const auto parsed = parse_snapshot_blob_name("snapshots/prod/etcd/20261202T134500Z-rev1234.db");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(*parsed, expected);
  EXPECT_EQ(parsed->blob_name(), "snapshots/prod/etcd/20261202T134500Z-rev1234.db");
  const auto max = parse_snapshot_blob_name(
      "snapshots/c/m/20000229T000000Z-rev18446744073709551615.db");
  ASSERT_TRUE(max.has_value());
  EXPECT_EQ(max->revision, UINT64_MAX);
  EXPECT_EQ(parse_snapshot_blob_name("snapshots/c/m/20000229T000000Z-rev0.db")->revision, 0u);
}

class ForeignNames : public ::testing::TestWithParam<const char*> {};

TEST_P(ForeignNames, AreNotSnapshots) {
  EXPECT_FALSE(parse_snapshot_blob_name(GetParam()).has_value()) << GetParam();
}

INSTANTIATE_TEST_SUITE_P(
    Strict, ForeignNames,
    ::testing::Values(
        "", "snapshots/", "snapshots/prod/etcd/", "snapshots/prod/etcd",
        "snapshot/prod/etcd/20261202T134500Z-rev1.db",     // another root
        "/snapshots/prod/etcd/20261202T134500Z-rev1.db",   // leading slash
        "backup/snapshots/prod/etcd/20261202T134500Z-rev1.db",
        "snapshots/prod/20261202T134500Z-rev1.db",         // no member segment
        "snapshots/prod/etcd/x/20261202T134500Z-rev1.db",  // extra segment
        "snapshots/prod//20261202T134500Z-rev1.db",        // empty member
        "snapshots/Prod/etcd/20261202T134500Z-rev1.db",    // not a DNS label
        "snapshots/prod/etcd_0/20261202T134500Z-rev1.db",
        "snapshots/-prod/etcd/20261202T134500Z-rev1.db",
        "snapshots/prod/etcd/20261202T134500Z-rev1.db.gz",  // another extension
        "snapshots/prod/etcd/20261202T134500Z-rev1.DB",
        "snapshots/prod/etcd/20261202T134500Z-rev1",
        "snapshots/prod/etcd/20261202T134500Z.db",         // no revision
        "snapshots/prod/etcd/20261202T134500Z-rev.db",
        "snapshots/prod/etcd/20261202T134500Z-rev01.db",   // leading zero
        "snapshots/prod/etcd/20261202T134500Z-rev+1.db",
        "snapshots/prod/etcd/20261202T134500Z-rev-1.db",
        "snapshots/prod/etcd/20261202T134500Z-rev 1.db",
        "snapshots/prod/etcd/20261202T134500Z-rev18446744073709551616.db",  // 2^64
        "snapshots/prod/etcd/20261202T134500Z-REV1.db",
        "snapshots/prod/etcd/20261202T134500Z_rev1.db",
        "snapshots/prod/etcd/2026-12-02T13:45:00Z-rev1.db",  // extended format
        "snapshots/prod/etcd/20261202T134500-rev1.db",       // no zone
        "snapshots/prod/etcd/20261302T134500Z-rev1.db",      // month 13
        "snapshots/prod/etcd/20230229T000000Z-rev1.db",      // not a leap year
        "snapshots/prod/etcd/20261202T134560Z-rev1.db",      // leap second
        "snapshots/prod/etcd/notes.txt", "snapshots/prod/etcd/.db"));

// --- metadata ---

SnapshotMetadata full_metadata() {
  SnapshotMetadata m;
  m.revision = 1234;
  m.cluster_id = 0xcdf818194e3a8c32;
  m.member_id = 0x1;
  m.sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  m.size = 1368096;
  m.daemon_version = "0.4.0 (af92588)";
  m.revision_exact = false;
  return m;
}

TEST(SnapshotMetadataMap, WritesEveryFieldUnderItsName) {
  const BlobMetadata expected{
      {"revision", "1234"},
      {"clusterid", "cdf818194e3a8c32"},
      {"memberid", "0000000000000001"},  // 16 digits, as etcdctl prints ids
      {"sha256", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"},
      {"size", "1368096"},
      {"daemonversion", "0.4.0 (af92588)"},
      {"revisionexact", "false"},
  };
  const auto map = full_metadata().to_blob_metadata();
  EXPECT_EQ(map, expected);
  EXPECT_TRUE(storage::check_metadata(map).ok()) << storage::check_metadata(map).error().message;
}

TEST(SnapshotMetadataMap, UnknownOptionalFieldsAreLeftOut) {
  SnapshotMetadata m = full_metadata();
  m.cluster_id.reset();
  m.member_id.reset();
  m.revision_exact.reset();
  const auto map = m.to_blob_metadata();
  EXPECT_FALSE(map.contains("clusterid") || map.contains("memberid") ||
               map.contains("revisionexact"));
  const auto parsed = parse_snapshot_metadata(map);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(*parsed, m);  // unknown stays unknown, not 0 or false
}

TEST(SnapshotMetadataMap, RoundTrips) {
  for (const bool exact : {false, true}) {
    auto m = full_metadata();
    m.revision_exact = exact;
    m.cluster_id = UINT64_MAX;
    m.member_id = 0;
    const auto parsed = parse_snapshot_metadata(m.to_blob_metadata());
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_EQ(*parsed, m);
  }
}

TEST(SnapshotMetadataMap, NamesNotOursAreIgnored) {
  auto map = full_metadata().to_blob_metadata();
  map.emplace("owner", "someone else");
  const auto parsed = parse_snapshot_metadata(map);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(*parsed, full_metadata());
}

struct BadMetadata {
  const char* name;
  std::string field;
  std::optional<std::string> value;  // nullopt: the field is removed
  std::string message;
};

class InvalidMetadata : public ::testing::TestWithParam<BadMetadata> {};

TEST_P(InvalidMetadata, NamesTheField) {
  auto map = full_metadata().to_blob_metadata();
  if (GetParam().value) {
    map[GetParam().field] = *GetParam().value;
  } else {
    map.erase(GetParam().field);
  }
  const auto parsed = parse_snapshot_metadata(map);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().message, GetParam().message);
  EXPECT_EQ(parsed.error().kind, core::ErrorKind::kTerminal);
}

INSTANTIATE_TEST_SUITE_P(
    Snapshot, InvalidMetadata,
    ::testing::Values(
        BadMetadata{"RevisionMissing", "revision", std::nullopt,
                    "snapshot metadata \"revision\": missing"},
        BadMetadata{"RevisionNotANumber", "revision", "12a",
                    "snapshot metadata \"revision\": expected a decimal number, got \"12a\""},
        BadMetadata{"RevisionNegative", "revision", "-1",
                    "snapshot metadata \"revision\": expected a decimal number, got \"-1\""},
        BadMetadata{"RevisionEmpty", "revision", "", "snapshot metadata \"revision\": empty"},
        BadMetadata{"Sha256Missing", "sha256", std::nullopt,
                    "snapshot metadata \"sha256\": missing"},
        BadMetadata{"Sha256Uppercase", "sha256",
                    "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08",
                    "snapshot metadata \"sha256\": expected 64 lowercase hex digits, got "
                    "\"9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08\""},
        BadMetadata{"Sha256Short", "sha256", "9f86d0",
                    "snapshot metadata \"sha256\": expected 64 lowercase hex digits, got "
                    "\"9f86d0\""},
        BadMetadata{"SizeMissing", "size", std::nullopt, "snapshot metadata \"size\": missing"},
        BadMetadata{"SizeTooLarge", "size", "18446744073709551616",
                    "snapshot metadata \"size\": expected a decimal number, got "
                    "\"18446744073709551616\""},
        BadMetadata{"DaemonVersionMissing", "daemonversion", std::nullopt,
                    "snapshot metadata \"daemonversion\": missing"},
        BadMetadata{"ClusterIdShort", "clusterid", "cdf818194e3a8c3",
                    "snapshot metadata \"clusterid\": expected 16 lowercase hex digits, got "
                    "\"cdf818194e3a8c3\""},
        BadMetadata{"ClusterIdDecimal", "clusterid", "14841639068965178418",
                    "snapshot metadata \"clusterid\": expected 16 lowercase hex digits, got "
                    "\"14841639068965178418\""},
        BadMetadata{"MemberIdUppercase", "memberid", "000000000000000A",
                    "snapshot metadata \"memberid\": expected 16 lowercase hex digits, got "
                    "\"000000000000000A\""},
        BadMetadata{"RevisionExactNotABoolean", "revisionexact", "yes",
                    "snapshot metadata \"revisionexact\": expected true or false, got \"yes\""}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

// --- retention ---

// The fixed clock of the retention tests: Wednesday 2 December 2026, 13:45 UTC.
const core::SystemTime kNow = utc("2026-12-02T13:45:00Z");

std::vector<std::string> kept_names(const RetentionPlan& plan) {
  std::vector<std::string> names;
  for (const auto& kept : plan.keep) names.push_back(kept.name);
  return names;
}

// Every listed name ends up in exactly one of the three lists.
void expect_partition(const std::vector<std::string>& listed, const RetentionPlan& plan) {
  auto all = kept_names(plan);
  all.insert(all.end(), plan.remove.begin(), plan.remove.end());
  all.insert(all.end(), plan.ignored.begin(), plan.ignored.end());
  std::sort(all.begin(), all.end());
  auto unique = listed;
  std::sort(unique.begin(), unique.end());
  unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
  EXPECT_EQ(all, unique);
}

RetentionPlan plan(const std::vector<std::string>& listed, RetentionPolicy policy,
                   core::SystemTime now = kNow) {
  auto result = plan_retention(listed, now, policy);
  expect_partition(listed, result);
  return result;
}

TEST(Retention, NothingListedNothingPlanned) {
  const auto result = plan({}, RetentionPolicy{});
  EXPECT_TRUE(result.keep.empty() && result.remove.empty() && result.ignored.empty());
}

TEST(Retention, DefaultPolicyIsTheConfiguredDefault) {
  EXPECT_EQ(RetentionPolicy{}, (RetentionPolicy{24, 7}));
  EXPECT_EQ(retention_policy(config::EtcdSnapshotConfig{}), (RetentionPolicy{24, 7}));
  config::EtcdSnapshotConfig snapshots;
  snapshots.retain = 3;
  snapshots.keep_daily_for = 0h;
  EXPECT_EQ(retention_policy(snapshots), (RetentionPolicy{3, 0}));
}

TEST(Retention, MoreThanRetainWithinOneDayKeepsTheNewest) {
  const auto result = plan({snap("2026-12-02T09:00:00Z"), snap("2026-12-02T13:00:00Z"),
                            snap("2026-12-02T10:00:00Z"), snap("2026-12-02T12:00:00Z"),
                            snap("2026-12-02T11:00:00Z")},
                           RetentionPolicy{3, 7});
  EXPECT_EQ(result.keep, (std::vector<KeptSnapshot>{
                             {snap("2026-12-02T13:00:00Z"), RetentionReason::kRecent},
                             {snap("2026-12-02T12:00:00Z"), RetentionReason::kRecent},
                             {snap("2026-12-02T11:00:00Z"), RetentionReason::kRecent}}));
  // Today's newest is already kept: the daily rule adds nothing for today.
  EXPECT_EQ(result.remove, (std::vector<std::string>{snap("2026-12-02T10:00:00Z"),
                                                     snap("2026-12-02T09:00:00Z")}));
}

TEST(Retention, GapsOfDaysKeepTheNewestOfEachDayInTheWindow) {
  const auto result =
      plan({snap("2026-12-02T13:00:00Z"), snap("2026-12-02T12:00:00Z"),
            snap("2026-12-01T23:00:00Z"), snap("2026-12-01T01:00:00Z"),
            // no snapshots on 30 November and 28 November
            snap("2026-11-29T10:00:00Z"), snap("2026-11-27T05:00:00Z"),
            snap("2026-11-26T23:59:59Z"),  // 6 days before today: the window's last day
            snap("2026-11-25T23:59:59Z"),  // 7 days before: outside the window
            snap("2026-11-02T12:00:00Z")},
           RetentionPolicy{2, 7});
  EXPECT_EQ(result.keep, (std::vector<KeptSnapshot>{
                             {snap("2026-12-02T13:00:00Z"), RetentionReason::kRecent},
                             {snap("2026-12-02T12:00:00Z"), RetentionReason::kRecent},
                             {snap("2026-12-01T23:00:00Z"), RetentionReason::kDaily},
                             {snap("2026-11-29T10:00:00Z"), RetentionReason::kDaily},
                             {snap("2026-11-27T05:00:00Z"), RetentionReason::kDaily},
                             {snap("2026-11-26T23:59:59Z"), RetentionReason::kDaily}}));
  EXPECT_EQ(result.remove,
            (std::vector<std::string>{snap("2026-12-01T01:00:00Z"), snap("2026-11-25T23:59:59Z"),
                                      snap("2026-11-02T12:00:00Z")}));
}

TEST(Retention, DaysSplitAtMidnightUtc) {
  // Half a minute after midnight: 00:00:00 belongs to today, 23:59:59 to yesterday.
  const auto now = utc("2026-12-02T00:00:30Z");
  const auto result = plan({snap("2026-12-02T00:00:00Z"), snap("2026-12-01T23:59:59Z"),
                            snap("2026-12-01T00:00:00Z"), snap("2026-11-30T23:59:59Z")},
                           RetentionPolicy{1, 2}, now);
  EXPECT_EQ(result.keep, (std::vector<KeptSnapshot>{
                             {snap("2026-12-02T00:00:00Z"), RetentionReason::kRecent},
                             {snap("2026-12-01T23:59:59Z"), RetentionReason::kDaily}}));
  EXPECT_EQ(result.remove, (std::vector<std::string>{snap("2026-12-01T00:00:00Z"),
                                                     snap("2026-11-30T23:59:59Z")}));
}

TEST(Retention, TheLastSecondOfADayIsStillThatDay) {
  // One day of daily retention is today only; a snapshot at exactly `now` is not in the future.
  const auto now = utc("2026-12-01T23:59:59Z");
  const auto result = plan({snap("2026-12-01T23:59:59Z", 30), snap("2026-12-01T23:59:58Z", 20),
                            snap("2026-12-01T00:00:00Z", 10), snap("2026-11-30T23:59:59Z", 5)},
                           RetentionPolicy{1, 1}, now);
  EXPECT_EQ(result.keep, (std::vector<KeptSnapshot>{
                             {snap("2026-12-01T23:59:59Z", 30), RetentionReason::kRecent}}));
  EXPECT_EQ(result.remove,
            (std::vector<std::string>{snap("2026-12-01T23:59:58Z", 20),
                                      snap("2026-12-01T00:00:00Z", 10),
                                      snap("2026-11-30T23:59:59Z", 5)}));
  // At the next second it is the next day: yesterday's newest is a daily one when the window
  // has two days, and gone when it has only today.
  const std::vector<std::string> around_midnight{snap("2026-12-02T00:00:00Z", 40),
                                                 snap("2026-12-01T23:59:59Z", 30),
                                                 snap("2026-12-01T23:59:58Z", 20)};
  const auto two_days = plan(around_midnight, RetentionPolicy{1, 2}, now + 1s);
  EXPECT_EQ(two_days.keep, (std::vector<KeptSnapshot>{
                               {snap("2026-12-02T00:00:00Z", 40), RetentionReason::kRecent},
                               {snap("2026-12-01T23:59:59Z", 30), RetentionReason::kDaily}}));
  EXPECT_EQ(two_days.remove, (std::vector<std::string>{snap("2026-12-01T23:59:58Z", 20)}));
  const auto today_only = plan(around_midnight, RetentionPolicy{1, 1}, now + 1s);
  EXPECT_EQ(kept_names(today_only), (std::vector<std::string>{snap("2026-12-02T00:00:00Z", 40)}));
  EXPECT_EQ(today_only.remove, (std::vector<std::string>{snap("2026-12-01T23:59:59Z", 30),
                                                         snap("2026-12-01T23:59:58Z", 20)}));
}

TEST(Retention, RetainOneWithoutDailiesKeepsOnlyTheNewest) {
  const auto result = plan({snap("2026-11-30T08:00:00Z"), snap("2026-12-02T08:00:00Z"),
                            snap("2026-12-01T08:00:00Z")},
                           RetentionPolicy{1, 0});
  EXPECT_EQ(result.keep, (std::vector<KeptSnapshot>{
                             {snap("2026-12-02T08:00:00Z"), RetentionReason::kRecent}}));
  EXPECT_EQ(result.remove, (std::vector<std::string>{snap("2026-12-01T08:00:00Z"),
                                                     snap("2026-11-30T08:00:00Z")}));
}

TEST(Retention, TheNewestIsNeverRemovedEvenWithRetainZero) {
  const auto result = plan({snap("2026-01-01T00:00:00Z"), snap("2025-12-31T00:00:00Z")},
                           RetentionPolicy{0, 0});
  EXPECT_EQ(result.keep, (std::vector<KeptSnapshot>{
                             {snap("2026-01-01T00:00:00Z"), RetentionReason::kRecent}}));
  EXPECT_EQ(result.remove, (std::vector<std::string>{snap("2025-12-31T00:00:00Z")}));
}

TEST(Retention, AnOldLoneSnapshotIsKept) {
  // Snapshots stopped a month ago: the last one is all there is, so it stays.
  const auto result = plan({snap("2026-11-01T00:00:00Z")}, RetentionPolicy{24, 7});
  EXPECT_EQ(result.keep, (std::vector<KeptSnapshot>{
                             {snap("2026-11-01T00:00:00Z"), RetentionReason::kRecent}}));
  EXPECT_TRUE(result.remove.empty());
}

TEST(Retention, TiesInOneSecondAreOrderedByRevision) {
  const auto result = plan({snap("2026-12-02T13:00:00Z", 100), snap("2026-12-02T13:00:00Z", 200),
                            snap("2026-12-01T09:00:00Z", 7), snap("2026-12-01T09:00:00Z", 5)},
                           RetentionPolicy{1, 7});
  EXPECT_EQ(result.keep, (std::vector<KeptSnapshot>{
                             {snap("2026-12-02T13:00:00Z", 200), RetentionReason::kRecent},
                             {snap("2026-12-01T09:00:00Z", 7), RetentionReason::kDaily}}));
  EXPECT_EQ(result.remove, (std::vector<std::string>{snap("2026-12-02T13:00:00Z", 100),
                                                     snap("2026-12-01T09:00:00Z", 5)}));
}

TEST(Retention, FutureSnapshotsAreKeptAndDoNotTakeRecentSlots) {
  // A clock that ran ahead named these; they are kept until `now` passes them.
  const auto result =
      plan({snap("2026-12-04T00:00:00Z"), snap("2026-12-02T13:45:01Z"),
            snap("2026-12-02T13:00:00Z"), snap("2026-12-02T12:00:00Z"),
            snap("2026-12-02T11:00:00Z")},
           RetentionPolicy{2, 7});
  EXPECT_EQ(result.keep, (std::vector<KeptSnapshot>{
                             {snap("2026-12-04T00:00:00Z"), RetentionReason::kFuture},
                             {snap("2026-12-02T13:45:01Z"), RetentionReason::kFuture},
                             {snap("2026-12-02T13:00:00Z"), RetentionReason::kRecent},
                             {snap("2026-12-02T12:00:00Z"), RetentionReason::kRecent}}));
  EXPECT_EQ(result.remove, (std::vector<std::string>{snap("2026-12-02T11:00:00Z")}));
}

TEST(Retention, NamesThatAreNotOursAreNeverRemoved) {
  const std::vector<std::string> listed{
      "snapshots/prod/etcd/notes.txt",
      "snapshots/prod/etcd/20261101T000000Z-rev01.db",  // not how we write revisions
      "snapshots/prod/etcd/20261101T000000Z-rev1.db.gz",
      snap("2026-12-02T13:00:00Z"),
      snap("2026-11-01T00:00:00Z"),
  };
  const auto result = plan(listed, RetentionPolicy{1, 0});
  EXPECT_EQ(kept_names(result), (std::vector<std::string>{snap("2026-12-02T13:00:00Z")}));
  EXPECT_EQ(result.remove, (std::vector<std::string>{snap("2026-11-01T00:00:00Z")}));
  EXPECT_EQ(result.ignored, (std::vector<std::string>{
                                "snapshots/prod/etcd/20261101T000000Z-rev01.db",
                                "snapshots/prod/etcd/20261101T000000Z-rev1.db.gz",
                                "snapshots/prod/etcd/notes.txt"}));
}

TEST(Retention, EachMemberIsPlannedOnItsOwn) {
  const auto etcd1 = snapshot_blob_name("prod", "etcd-1", utc("2026-12-01T00:00:00Z"), 1);
  const auto etcd1_old = snapshot_blob_name("prod", "etcd-1", utc("2026-11-01T00:00:00Z"), 1);
  const auto staging = snapshot_blob_name("staging", "etcd", utc("2026-10-01T00:00:00Z"), 1);
  const auto result = plan({snap("2026-12-02T13:00:00Z"), snap("2026-12-02T12:00:00Z"), etcd1,
                            etcd1_old, staging},
                           RetentionPolicy{1, 0});
  // Another member's newer snapshot never pushes this member's newest out.
  EXPECT_EQ(kept_names(result),
            (std::vector<std::string>{snap("2026-12-02T13:00:00Z"), etcd1, staging}));
  EXPECT_EQ(result.remove, (std::vector<std::string>{snap("2026-12-02T12:00:00Z"), etcd1_old}));
}

TEST(Retention, ThePlanDoesNotDependOnListingOrderOrDuplicates) {
  std::vector<std::string> listed{snap("2026-12-02T13:00:00Z"), snap("2026-11-30T13:00:00Z"),
                                  snap("2026-12-01T13:00:00Z"), snap("2026-12-01T12:00:00Z"),
                                  "snapshots/prod/etcd/b", "snapshots/prod/etcd/a"};
  const auto expected = plan(listed, RetentionPolicy{1, 2});
  std::reverse(listed.begin(), listed.end());
  listed.push_back(snap("2026-12-01T12:00:00Z"));
  const auto again = plan(listed, RetentionPolicy{1, 2});
  EXPECT_EQ(again.keep, expected.keep);
  EXPECT_EQ(again.remove, expected.remove);
  EXPECT_EQ(again.ignored, expected.ignored);
}

TEST(Retention, HourlySnapshotsForTenDaysWithTheDefaultPolicy) {
  // Every hour on the hour from 23 November 00:00 to 2 December 23:00; now 23:30 on the 2nd.
  std::vector<std::string> listed;
  const auto first = utc("2026-11-23T00:00:00Z");
  for (int hour = 0; hour < 240; ++hour) {
    listed.push_back(snapshot_blob_name("prod", "etcd", first + std::chrono::hours(hour),
                                        static_cast<std::uint64_t>(hour + 1)));
  }
  const auto result = plan(listed, RetentionPolicy{}, utc("2026-12-02T23:30:00Z"));
  // All 24 of today are recent; 1 to 6 December days back keep their 23:00 snapshot.
  ASSERT_EQ(result.keep.size(), 30u);
  for (std::size_t i = 0; i < 24; ++i) EXPECT_EQ(result.keep[i].reason, RetentionReason::kRecent);
  std::vector<std::string> dailies;
  for (std::size_t i = 24; i < result.keep.size(); ++i) {
    EXPECT_EQ(result.keep[i].reason, RetentionReason::kDaily);
    dailies.push_back(result.keep[i].name);
  }
  EXPECT_EQ(dailies, (std::vector<std::string>{
                         snap("2026-12-01T23:00:00Z", 216), snap("2026-11-30T23:00:00Z", 192),
                         snap("2026-11-29T23:00:00Z", 168), snap("2026-11-28T23:00:00Z", 144),
                         snap("2026-11-27T23:00:00Z", 120), snap("2026-11-26T23:00:00Z", 96)}));
  EXPECT_EQ(result.remove.size(), 210u);
}

TEST(Retention, ReasonsHaveStableNames) {
  EXPECT_STREQ(to_string(RetentionReason::kRecent), "recent");
  EXPECT_STREQ(to_string(RetentionReason::kDaily), "daily");
  EXPECT_STREQ(to_string(RetentionReason::kFuture), "future");
}

// --- newest ---

TEST(NewestSnapshot, PicksTheLatestTimeThenTheHighestRevision) {
  EXPECT_FALSE(newest_snapshot({}).has_value());
  EXPECT_FALSE(newest_snapshot({"snapshots/prod/etcd/notes.txt"}).has_value());
  const auto newest =
      newest_snapshot({snap("2026-12-01T13:00:00Z", 900), snap("2026-12-02T13:00:00Z", 100),
                       "snapshots/prod/etcd/99991231T235959Z-rev1.db.gz",
                       snap("2026-12-02T13:00:00Z", 200), snap("2026-12-02T12:00:00Z", 300)});
  ASSERT_TRUE(newest.has_value());
  EXPECT_EQ(newest->blob_name(), snap("2026-12-02T13:00:00Z", 200));
  EXPECT_EQ(newest->taken_at, utc("2026-12-02T13:00:00Z"));
  EXPECT_EQ(newest->revision, 200u);
}

// --- the snapshot of lost data ---

ListedSnapshot listed(std::string name, std::uint64_t revision,
                      std::optional<std::uint64_t> cluster_id) {
  SnapshotMetadata meta;
  meta.revision = revision;
  meta.cluster_id = cluster_id;
  meta.sha256 = std::string(64, 'a');
  meta.size = 4096;
  meta.daemon_version = "0.1.0";
  return {std::move(name), meta.to_blob_metadata()};
}

TEST(SnapshotOfLostData, TheHighestRevisionOfTheLostClusterNotTheNewest) {
  constexpr std::uint64_t kLost = 0x8e9e05c52164694d;
  constexpr std::uint64_t kNew = 0x1c2a000000000001;
  const std::vector<ListedSnapshot> stored{
      listed(snap("2026-12-02T10:00:00Z", 900), 900, kLost),
      listed(snap("2026-12-02T10:30:00Z", 1001), 1001, kLost),  // the last one before the loss
      listed(snap("2026-12-02T11:00:00Z", 3), 3, kNew),         // the new, empty store
      listed(snap("2026-12-02T11:30:00Z", 40), 40, kNew),
  };
  const auto best = snapshot_of_lost_data(stored, kLost, 1001);
  ASSERT_TRUE(best.has_value());
  EXPECT_EQ(best->blob_name(), snap("2026-12-02T10:30:00Z", 1001));
  EXPECT_FALSE(snapshot_of_lost_data(stored, 0x42, 5000).has_value()) << "no snapshot of that cluster";
}

TEST(SnapshotOfLostData, SameClusterRevisionWentBackSkipsLaterLowerSnapshots) {
  // Revision went back from 1500 to 200 in the same cluster: a snapshot taken after the loss
  // (revision 260) is newer but holds less than the one before it (1450).
  constexpr std::uint64_t kId = 7;
  const std::vector<ListedSnapshot> stored{
      listed(snap("2026-12-02T10:00:00Z", 1450), 1450, kId),
      listed(snap("2026-12-02T11:00:00Z", 260), 260, kId),
      listed(snap("2026-12-02T12:00:00Z", 1600), 1600, kId),  // above what was seen: not this lineage
  };
  const auto best = snapshot_of_lost_data(stored, kId, 1500);
  ASSERT_TRUE(best.has_value());
  EXPECT_EQ(best->revision, 1450u);
}

TEST(SnapshotOfLostData, UnreadableMetadataOrUnknownClusterIdNeverQualifies) {
  auto broken = listed(snap("2026-12-02T10:00:00Z", 10), 10, 7);
  broken.metadata.erase(std::string(kMetaSha256));
  const std::vector<ListedSnapshot> stored{
      broken, listed(snap("2026-12-02T10:00:00Z", 11), 11, std::nullopt),
      listed("snapshots/prod/etcd/notes.txt", 12, 7)};
  EXPECT_FALSE(snapshot_of_lost_data(stored, 7, 100).has_value());
}

}  // namespace
}  // namespace frankenetes::etcd
