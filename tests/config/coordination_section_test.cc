// The coordination section: off when absent, defaults that follow leaseDuration, and every
// validation problem with the exact line an operator sees.

#include <gtest/gtest.h>

#include "config/value_syntax.h"
#include "config_test_util.h"

namespace frankenetes::config::testing {
namespace {

using namespace std::chrono_literals;

// kMinimalConfig is 9 lines and kStorage 4: a coordination section appended after both starts
// on line 14.
constexpr std::string_view kStorage = R"(storage:
  account: frankenetesdata
  container: frankenetes
  auth: azure
)";

std::string with_storage(std::string_view coordination) {
  return std::string(kMinimalConfig) + std::string(kStorage) + std::string(coordination);
}

CoordinationConfig parse_ok(const std::string& yaml) {
  const auto result = parse(yaml);
  EXPECT_TRUE(result.ok()) << ::testing::PrintToString(problem_lines(result));
  if (!result.ok()) return {};
  EXPECT_TRUE(result.config->coordination.has_value());
  return result.config->coordination.value_or(CoordinationConfig{});
}

TEST(CoordinationSection, AbsentMeansOff) {
  const auto result = parse(with_storage(""));
  ASSERT_TRUE(result.ok());
  EXPECT_FALSE(result.config->coordination.has_value());
}

TEST(CoordinationSection, EmptyMapTakesTheDefaults) {
  const auto coordination = parse_ok(with_storage("coordination: {}\n"));
  EXPECT_EQ(coordination.lease_duration, 15s);
  EXPECT_EQ(coordination.renew_every, 5s);
  EXPECT_EQ(coordination.replica_id, "");  // filled in by coordination::default_replica_id()
  EXPECT_EQ(coordination.fencing_margin, 2s);
}

TEST(CoordinationSection, RenewEveryFollowsLeaseDuration) {
  const auto coordination = parse_ok(with_storage("coordination: {leaseDuration: 60s}\n"));
  EXPECT_EQ(coordination.lease_duration, 60s);
  EXPECT_EQ(coordination.renew_every, 20s);
  EXPECT_EQ(parse_ok(with_storage("coordination: {leaseDuration: 20s}\n")).renew_every, 6666ms);
}

TEST(CoordinationSection, EveryFieldIsRead) {
  const auto coordination = parse_ok(with_storage(R"(coordination:
  leaseDuration: 30s
  renewEvery: 7s
  replicaId: vm-1.west_eu-2
  fencingMargin: 3s500ms
)"));
  EXPECT_EQ(coordination.lease_duration, 30s);
  EXPECT_EQ(coordination.renew_every, 7s);
  EXPECT_EQ(coordination.replica_id, "vm-1.west_eu-2");
  EXPECT_EQ(coordination.fencing_margin, 3500ms);
}

TEST(CoordinationSection, RangeEndsAreAccepted) {
  // renewEvery just under half, fencingMargin just under leaseDuration - renewEvery.
  const auto low = parse_ok(with_storage(
      "coordination: {leaseDuration: 15s, renewEvery: 7499ms, fencingMargin: 7500ms}\n"));
  EXPECT_EQ(low.renew_every, 7499ms);
  EXPECT_EQ(low.fencing_margin, 7500ms);
  const auto high = parse_ok(
      with_storage("coordination: {leaseDuration: 60s, renewEvery: 1s, fencingMargin: 500ms}\n"));
  EXPECT_EQ(high.lease_duration, 60s);
  EXPECT_EQ(high.renew_every, 1s);
  EXPECT_EQ(high.fencing_margin, 500ms);
  const std::string longest_id(63, 'r');
  EXPECT_EQ(parse_ok(with_storage("coordination: {replicaId: " + longest_id + "}\n")).replica_id,
            longest_id);
}

TEST(CoordinationSection, ReloadSeesAChange) {
  const auto base = with_storage("coordination: {leaseDuration: 15s}\n");
  const auto changed = with_storage("coordination: {leaseDuration: 16s}\n");
  EXPECT_EQ(parse(base).config, parse(base).config);
  EXPECT_NE(parse(base).config, parse(changed).config);
  EXPECT_NE(parse(base).config, parse(with_storage("")).config);
}

TEST(ReplicaIdSyntax, SafeInBlobNamesAndUserAgents) {
  EXPECT_TRUE(is_replica_id("a"));
  EXPECT_TRUE(is_replica_id("VM-01.prod_eu"));
  EXPECT_TRUE(is_replica_id("9host"));
  EXPECT_FALSE(is_replica_id(""));
  EXPECT_FALSE(is_replica_id("-host"));
  EXPECT_FALSE(is_replica_id(".host"));
  EXPECT_FALSE(is_replica_id("host/1"));  // a blob path separator
  EXPECT_FALSE(is_replica_id("host 1"));
  EXPECT_FALSE(is_replica_id("host(1)"));  // a User-Agent comment
  EXPECT_FALSE(is_replica_id("höst"));
  EXPECT_FALSE(is_replica_id(std::string(64, 'r')));
}

struct InvalidCase {
  const char* name;
  std::string yaml;
  std::vector<std::string> expected;
};

class InvalidCoordination : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(InvalidCoordination, ReportsEveryProblemExactly) {
  const auto result = parse(GetParam().yaml);
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(problem_lines(result), GetParam().expected);
}

const std::vector<InvalidCase> kInvalidCases = {
    {.name = "NeedsStorage",
     .yaml = std::string(kMinimalConfig) + "coordination:\n  leaseDuration: 15s\n",
     .expected = {"test.yaml:11:3: coordination: coordination keeps its leases in Blob Storage "
                  "and needs the top-level \"storage\" section, which is missing: add "
                  "\"storage\", or remove \"coordination\" to run a single replica"}},

    {.name = "LeaseDurationTooShort",
     .yaml = with_storage("coordination:\n  leaseDuration: 14s\n"),
     .expected = {"test.yaml:15:18: coordination.leaseDuration: must be between 15s and 1m, got "
                  "14s"}},

    {.name = "LeaseDurationTooLong",
     .yaml = with_storage("coordination:\n  leaseDuration: 61s\n"),
     .expected = {"test.yaml:15:18: coordination.leaseDuration: must be between 15s and 1m, got "
                  "61s"}},

    {.name = "LeaseDurationInWholeSeconds",
     .yaml = with_storage("coordination:\n  leaseDuration: 15500ms\n"),
     .expected = {"test.yaml:15:18: coordination.leaseDuration: must be a whole number of "
                  "seconds (Blob leases last 15 to 60 s), got 15s500ms"}},

    {.name = "LeaseDurationWithoutUnit",
     .yaml = with_storage("coordination:\n  leaseDuration: 15\n"),
     .expected = {"test.yaml:15:18: coordination.leaseDuration: invalid duration \"15\": use a "
                  "number with a unit: ms, s, m, h (e.g. 500ms, 10s, 5m)"}},

    {.name = "RenewEveryAtHalfTheLease",
     .yaml = with_storage("coordination:\n  leaseDuration: 20s\n  renewEvery: 10s\n"),
     .expected = {"test.yaml:16:15: coordination.renewEvery: must be less than half of "
                  "leaseDuration (20s), got 10s"}},

    {.name = "RenewEveryAgainstTheDefaultLease",
     .yaml = with_storage("coordination:\n  renewEvery: 8s\n"),
     .expected = {"test.yaml:15:15: coordination.renewEvery: must be less than half of "
                  "leaseDuration (15s), got 8s"}},

    {.name = "RenewEveryTooShort",
     .yaml = with_storage("coordination:\n  renewEvery: 999ms\n"),
     .expected = {"test.yaml:15:15: coordination.renewEvery: must be at least 1s, got 999ms"}},

    {.name = "FencingMarginTooShort",
     .yaml = with_storage("coordination:\n  fencingMargin: 100ms\n"),
     .expected = {"test.yaml:15:18: coordination.fencingMargin: must be at least 500ms, got "
                  "100ms"}},

    {.name = "FencingMarginLeavesNoTimeToAct",
     .yaml = with_storage("coordination:\n  renewEvery: 5s\n  fencingMargin: 10s\n"),
     .expected = {"test.yaml:16:18: coordination.fencingMargin: must be less than leaseDuration "
                  "- renewEvery (15s - 5s = 10s), got 10s"}},

    {.name = "BadRenewEveryIsNotReportedTwice",
     .yaml = with_storage("coordination:\n  renewEvery: 9s\n  fencingMargin: 6s\n"),
     .expected = {"test.yaml:15:15: coordination.renewEvery: must be less than half of "
                  "leaseDuration (15s), got 9s"}},

    {.name = "ReplicaIdCharacters",
     .yaml = with_storage("coordination:\n  replicaId: \"vm 1/a\"\n"),
     .expected = {"test.yaml:15:14: coordination.replicaId: invalid replicaId \"vm 1/a\": use 1 "
                  "to 63 letters, digits, '.', '_' and '-', starting with a letter or digit"}},

    {.name = "ReplicaIdTooLong",
     .yaml = with_storage("coordination:\n  replicaId: " + std::string(64, 'r') + "\n"),
     .expected = {"test.yaml:15:14: coordination.replicaId: invalid replicaId \"" +
                  std::string(64, 'r') +
                  "\": use 1 to 63 letters, digits, '.', '_' and '-', starting with a letter or "
                  "digit"}},

    {.name = "UnknownKeysSuggestTheRightOne",
     .yaml = with_storage("coordination:\n  leaseDurration: 20s\n  storage: other\n"),
     .expected = {"test.yaml:15:3: coordination: unknown key \"leaseDurration\" (did you mean "
                  "\"leaseDuration\"?)",
                  "test.yaml:16:3: coordination: unknown key \"storage\" (valid keys: "
                  "leaseDuration, renewEvery, replicaId, fencingMargin)"}},

    {.name = "SectionMustBeAMap",
     .yaml = with_storage("coordination: true\n"),
     .expected = {"test.yaml:14:15: coordination: expected a map, got \"true\""}},
};

INSTANTIATE_TEST_SUITE_P(Config, InvalidCoordination, ::testing::ValuesIn(kInvalidCases),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

}  // namespace
}  // namespace frankenetes::config::testing
