// The etcd section: snapshot settings with their defaults and ranges, the storage section they
// need, and the autoRestore switch with what it needs. Invalid cases assert the exact line an operator
// sees.

#include <gtest/gtest.h>

#include "config_test_util.h"

namespace frankenetes::config::testing {
namespace {

using namespace std::chrono_literals;

// kMinimalConfig is 9 lines: text appended to it starts on line 10.
std::string with(std::string_view sections) {
  return std::string(kMinimalConfig) + std::string(sections);
}

constexpr std::string_view kStorage = R"(storage:
  account: frankenetesdata
  container: frankenetes
  auth: azure
)";

EtcdConfig parse_etcd_ok(const std::string& yaml) {
  const auto result = parse(yaml);
  EXPECT_TRUE(result.ok()) << ::testing::PrintToString(problem_lines(result));
  return result.ok() ? result.config->etcd : EtcdConfig{};
}

TEST(EtcdSection, DefaultsWithoutStorageDisableSnapshots) {
  const auto etcd = parse_etcd_ok(std::string(kMinimalConfig));
  EXPECT_FALSE(etcd.snapshots.enabled);
  EXPECT_EQ(etcd.snapshots.interval, 30min);
  EXPECT_EQ(etcd.snapshots.retain, 24);
  EXPECT_EQ(etcd.snapshots.keep_daily_for, 168h);
  EXPECT_EQ(etcd.snapshots.keep_daily_days(), 7);
  EXPECT_EQ(etcd.snapshots.max_age_for_disruption, 10min);
  EXPECT_EQ(etcd.snapshots.timeout, 10min);
  EXPECT_FALSE(etcd.auto_restore);
}

TEST(EtcdSection, AutoRestoreWithSharedKeyStorage) {
  const auto etcd = parse_etcd_ok(with(R"(storage:
  account: frankenetesdata
  container: frankenetes
  keyFile: /etc/frankenetes/storage-key
etcd:
  autoRestore: true
)"));
  EXPECT_TRUE(etcd.auto_restore);
  EXPECT_TRUE(etcd.snapshots.enabled);
}

TEST(EtcdSection, StorageEnablesSnapshotsByDefault) {
  EXPECT_TRUE(parse_etcd_ok(with(kStorage)).snapshots.enabled);
  // Also when the etcd section is there but does not say.
  EXPECT_TRUE(parse_etcd_ok(with(std::string(kStorage) + "etcd: {autoRestore: false}\n"))
                  .snapshots.enabled);
  EXPECT_TRUE(parse_etcd_ok(with(std::string(kStorage) + "etcd: {snapshots: {retain: 3}}\n"))
                  .snapshots.enabled);
}

TEST(EtcdSection, SnapshotsCanBeTurnedOffWithStorage) {
  const auto etcd =
      parse_etcd_ok(with(std::string(kStorage) + "etcd: {snapshots: {enabled: false}}\n"));
  EXPECT_FALSE(etcd.snapshots.enabled);
}

TEST(EtcdSection, EveryFieldIsRead) {
  const auto etcd = parse_etcd_ok(with(std::string(kStorage) + R"(etcd:
  snapshots:
    enabled: true
    interval: 1h
    retain: 48
    keepDailyFor: 720h
    maxAgeForDisruption: 15m
    timeout: 20m
  autoRestore: false
)"));
  EXPECT_TRUE(etcd.snapshots.enabled);
  EXPECT_EQ(etcd.snapshots.interval, 1h);
  EXPECT_EQ(etcd.snapshots.retain, 48);
  EXPECT_EQ(etcd.snapshots.keep_daily_for, 720h);
  EXPECT_EQ(etcd.snapshots.keep_daily_days(), 30);
  EXPECT_EQ(etcd.snapshots.max_age_for_disruption, 15min);
  EXPECT_EQ(etcd.snapshots.timeout, 20min);
  EXPECT_FALSE(etcd.auto_restore);
}

TEST(EtcdSection, RangeEndsAreAccepted) {
  const auto low = parse_etcd_ok(with(std::string(kStorage) + R"(etcd:
  snapshots: {interval: 1m, retain: 1, keepDailyFor: 0h, maxAgeForDisruption: 1m, timeout: 10s}
)"));
  EXPECT_EQ(low.snapshots.interval, 1min);
  EXPECT_EQ(low.snapshots.retain, 1);
  EXPECT_EQ(low.snapshots.keep_daily_days(), 0);
  EXPECT_EQ(low.snapshots.max_age_for_disruption, 1min);
  EXPECT_EQ(low.snapshots.timeout, 10s);
  const auto high = parse_etcd_ok(with(std::string(kStorage) + R"(etcd:
  snapshots: {interval: 24h, retain: 1000, keepDailyFor: 8760h, maxAgeForDisruption: 24h,
              timeout: 6h}
)"));
  EXPECT_EQ(high.snapshots.interval, 24h);
  EXPECT_EQ(high.snapshots.retain, 1000);
  EXPECT_EQ(high.snapshots.keep_daily_days(), 365);
  EXPECT_EQ(high.snapshots.max_age_for_disruption, 24h);
  EXPECT_EQ(high.snapshots.timeout, 6h);
}

TEST(EtcdSection, ReloadSeesAChangedSnapshotSetting) {
  const auto base = std::string(kStorage) + "etcd: {snapshots: {retain: 24}}\n";
  const auto changed = std::string(kStorage) + "etcd: {snapshots: {retain: 25}}\n";
  EXPECT_EQ(parse(with(base)).config, parse(with(base)).config);
  EXPECT_NE(parse(with(base)).config, parse(with(changed)).config);
}

struct InvalidCase {
  const char* name;
  std::string_view sections;  // appended to kMinimalConfig: line 10 onwards
  std::vector<std::string> expected;
};

class InvalidEtcd : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(InvalidEtcd, ReportsEveryProblemExactly) {
  const auto result = parse(with(GetParam().sections));
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(problem_lines(result), GetParam().expected);
}

const std::vector<InvalidCase> kInvalidCases = {
    {.name = "EnabledWithoutStorage",
     .sections = R"(etcd:
  snapshots:
    enabled: true
)",
     .expected = {"test.yaml:12:14: etcd.snapshots.enabled: etcd snapshots need the top-level "
                  "\"storage\" section, which is missing: add \"storage\", or set "
                  "\"etcd.snapshots.enabled: false\""}},

    {.name = "EnabledIsABoolean",
     .sections = R"(etcd:
  snapshots:
    enabled: yes
)",
     .expected = {"test.yaml:12:14: etcd.snapshots.enabled: expected true or false, got \"yes\""}},

    {.name = "IntervalTooShort",
     .sections = R"(etcd:
  snapshots: {interval: 59s}
)",
     .expected = {"test.yaml:11:25: etcd.snapshots.interval: must be between 1m and 24h, got "
                  "59s"}},

    {.name = "IntervalTooLong",
     .sections = R"(etcd:
  snapshots: {interval: 24h1s}
)",
     .expected = {"test.yaml:11:25: etcd.snapshots.interval: must be between 1m and 24h, got "
                  "24h1s"}},

    {.name = "IntervalWithoutUnit",
     .sections = R"(etcd:
  snapshots: {interval: 30}
)",
     .expected = {"test.yaml:11:25: etcd.snapshots.interval: invalid duration \"30\": use a "
                  "number with a unit: ms, s, m, h (e.g. 500ms, 10s, 5m)"}},

    {.name = "RetainAtLeastOne",
     .sections = R"(etcd:
  snapshots: {retain: 0}
)",
     .expected = {"test.yaml:11:23: etcd.snapshots.retain: must be between 1 and 1000, got 0"}},

    {.name = "RetainAtMostAThousand",
     .sections = R"(etcd:
  snapshots: {retain: 1001}
)",
     .expected = {"test.yaml:11:23: etcd.snapshots.retain: must be between 1 and 1000, got "
                  "1001"}},

    {.name = "KeepDailyForInWholeDays",
     .sections = R"(etcd:
  snapshots: {keepDailyFor: 36h}
)",
     .expected = {"test.yaml:11:29: etcd.snapshots.keepDailyFor: must be a whole number of days "
                  "(a multiple of 24h, e.g. 168h for 7 days), got 36h"}},

    {.name = "KeepDailyForHasNoDayUnit",
     .sections = R"(etcd:
  snapshots: {keepDailyFor: 7d}
)",
     .expected = {"test.yaml:11:29: etcd.snapshots.keepDailyFor: invalid duration \"7d\": use a "
                  "number with a unit: ms, s, m, h (e.g. 500ms, 10s, 5m)"}},

    {.name = "KeepDailyForAtMostAYear",
     .sections = R"(etcd:
  snapshots: {keepDailyFor: 8784h}
)",
     .expected = {"test.yaml:11:29: etcd.snapshots.keepDailyFor: must be between 0s and 8760h, "
                  "got 8784h"}},

    {.name = "MaxAgeForDisruptionRange",
     .sections = R"(etcd:
  snapshots:
    maxAgeForDisruption: 30s
    timeout: 9s
)",
     .expected = {"test.yaml:12:26: etcd.snapshots.maxAgeForDisruption: must be between 1m and "
                  "24h, got 30s",
                  "test.yaml:13:14: etcd.snapshots.timeout: must be between 10s and 6h, got 9s"}},

    {.name = "LongRangesAboveTheirMaximum",
     .sections = R"(etcd:
  snapshots:
    maxAgeForDisruption: 25h
    timeout: 6h1m
)",
     .expected = {"test.yaml:12:26: etcd.snapshots.maxAgeForDisruption: must be between 1m and "
                  "24h, got 25h",
                  "test.yaml:13:14: etcd.snapshots.timeout: must be between 10s and 6h, got "
                  "6h1m"}},

    {.name = "UnknownKeysSuggestTheRightOne",
     .sections = R"(etcd:
  snapshot:
    retain: 3
  snapshots:
    intervall: 1h
)",
     .expected = {"test.yaml:11:3: etcd: unknown key \"snapshot\" (did you mean \"snapshots\"?)",
                  "test.yaml:14:5: etcd.snapshots: unknown key \"intervall\" (did you mean "
                  "\"interval\"?)"}},

    {.name = "AutoRestoreWithoutStorage",
     .sections = R"(etcd:
  autoRestore: true
)",
     .expected = {"test.yaml:11:16: etcd.autoRestore: automatic restore needs the top-level "
                  "\"storage\" section, which is missing; or set \"etcd.autoRestore: false\" and "
                  "restore by hand"}},

    {.name = "AutoRestoreWithEntraStorage",
     .sections = R"(storage:
  account: frankenetesdata
  container: frankenetes
  auth: azure
etcd:
  autoRestore: true
)",
     .expected = {"test.yaml:15:16: etcd.autoRestore: automatic restore needs storage.keyFile (or "
                  "storage.key): the Azure Files REST API that writes etcd's share takes Shared "
                  "Key, not storage.auth: azure; or set \"etcd.autoRestore: false\" and restore by "
                  "hand"}},

    {.name = "AutoRestoreWithoutSnapshots",
     .sections = R"(storage:
  account: frankenetesdata
  container: frankenetes
  keyFile: /etc/frankenetes/storage-key
etcd:
  snapshots: {enabled: false}
  autoRestore: true
)",
     .expected = {"test.yaml:16:16: etcd.autoRestore: automatic restore needs etcd snapshots, which "
                  "are disabled (etcd.snapshots.enabled: false); or set \"etcd.autoRestore: false\" "
                  "and restore by hand"}},

    {.name = "SectionsMustBeMaps",
     .sections = R"(etcd:
  snapshots: true
)",
     .expected = {"test.yaml:11:14: etcd.snapshots: expected a map, got \"true\""}},
};

INSTANTIATE_TEST_SUITE_P(Config, InvalidEtcd, ::testing::ValuesIn(kInvalidCases),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

}  // namespace
}  // namespace frankenetes::config::testing
