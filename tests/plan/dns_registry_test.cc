// The ownership TXT registry: name mapping, encoding, and parsing of every kind of value a
// zone may hold at the registry name (ours, foreign, other owners, broken).

#include "plan/dns_registry.h"

#include <gtest/gtest.h>

#include <random>

namespace frankenetes::plan {
namespace {

using Kind = ParsedOwnership::Kind;

TEST(DnsRegistry, NameIsPrefixedLowercaseWithoutRootDot) {
  EXPECT_EQ(registry_name("cp-etcd.example.com"), "_frankenetes.cp-etcd.example.com");
  EXPECT_EQ(registry_name("CP-Etcd.Example.COM."), "_frankenetes.cp-etcd.example.com");
}

TEST(DnsRegistry, EncodesTheDocumentedFormat) {
  EXPECT_EQ(encode_ownership({"prod-frankenetes", "prod", "etcd"}),
            "heritage=frankenetes,frankenetes/owner=prod-frankenetes,frankenetes/cluster=prod,"
            "frankenetes/member=etcd");
}

TEST(DnsRegistry, EncodingEscapesSeparatorsAndRoundTrips) {
  const OwnershipLabels odd{"team a,b=c", "\"quoted\" %", "m\xc3\xa9mber"};
  const std::string text = encode_ownership(odd);
  EXPECT_EQ(text.find(' '), std::string::npos) << text;
  EXPECT_EQ(text.find('"'), std::string::npos) << text;
  EXPECT_NE(text.find("team%20a%2Cb%3Dc"), std::string::npos) << text;
  const ParsedOwnership parsed = parse_ownership(text);
  ASSERT_EQ(parsed.kind, Kind::kOurs) << parsed.problem;
  EXPECT_EQ(parsed.labels, odd);
}

struct ParseCase {
  std::string name;
  std::string value;
  Kind kind;
  OwnershipLabels labels;  // checked for kOurs
  std::string problem;     // substring, checked for kMalformed
};

class ParseOwnership : public ::testing::TestWithParam<ParseCase> {};

TEST_P(ParseOwnership, Table) {
  const ParseCase& c = GetParam();
  const ParsedOwnership parsed = parse_ownership(c.value);
  EXPECT_EQ(parsed.kind, c.kind) << c.value << " -> " << parsed.problem;
  if (c.kind == Kind::kOurs) {
    EXPECT_EQ(parsed.labels, c.labels);
  }
  if (c.kind == Kind::kMalformed) {
    EXPECT_NE(parsed.problem.find(c.problem), std::string::npos) << parsed.problem;
  }
}

const std::string kOurs =
    "heritage=frankenetes,frankenetes/owner=prod,frankenetes/cluster=c1,frankenetes/member=etcd";

INSTANTIATE_TEST_SUITE_P(
    DnsRegistry, ParseOwnership,
    ::testing::Values(
        ParseCase{"Ours", kOurs, Kind::kOurs, {"prod", "c1", "etcd"}, ""},
        ParseCase{"OursQuoted", "\"" + kOurs + "\"", Kind::kOurs, {"prod", "c1", "etcd"}, ""},
        ParseCase{"OursWithSurroundingSpace",
                  "  " + kOurs + " ",
                  Kind::kOurs,
                  {"prod", "c1", "etcd"},
                  ""},
        ParseCase{"AnyKeyOrder",
                  "frankenetes/member=etcd,frankenetes/owner=prod,heritage=frankenetes",
                  Kind::kOurs,
                  {"prod", "", "etcd"},
                  ""},
        ParseCase{"UnknownKeysOfNewerWritersIgnored",
                  kOurs + ",frankenetes/record-type=a,other/key=x",
                  Kind::kOurs,
                  {"prod", "c1", "etcd"},
                  ""},
        ParseCase{"OwnerOnly",
                  "heritage=frankenetes,frankenetes/owner=prod",
                  Kind::kOurs,
                  {"prod", "", ""},
                  ""},
        ParseCase{"Empty", "", Kind::kForeign, {}, ""},
        ParseCase{"EmptyQuotes", "\"\"", Kind::kForeign, {}, ""},
        ParseCase{"Spf", "v=spf1 include:_spf.example.com ~all", Kind::kForeign, {}, ""},
        ParseCase{"ExternalDns",
                  "\"heritage=external-dns,external-dns/owner=default,"
                  "external-dns/resource=service/default/etcd\"",
                  Kind::kForeign,
                  {},
                  ""},
        ParseCase{"HeritageIsCaseSensitiveLikeExternalDns",
                  "heritage=Frankenetes,frankenetes/owner=prod",
                  Kind::kForeign,
                  {},
                  ""},
        ParseCase{"HeritageMustBeExact",
                  "heritage=frankenetes-ng,frankenetes/owner=prod",
                  Kind::kForeign,
                  {},
                  ""},
        ParseCase{"NoOwner",
                  "heritage=frankenetes,frankenetes/cluster=c1",
                  Kind::kMalformed,
                  {},
                  "no frankenetes/owner"},
        ParseCase{"EmptyOwner",
                  "heritage=frankenetes,frankenetes/owner=",
                  Kind::kMalformed,
                  {},
                  "no frankenetes/owner"},
        ParseCase{"DuplicateOwner",
                  "heritage=frankenetes,frankenetes/owner=prod,frankenetes/owner=staging",
                  Kind::kMalformed,
                  {},
                  "appears twice"},
        ParseCase{"DuplicateHeritage",
                  "heritage=frankenetes,heritage=external-dns,frankenetes/owner=prod",
                  Kind::kMalformed,
                  {},
                  "appears twice"},
        ParseCase{"TokenWithoutEquals",
                  "heritage=frankenetes,frankenetes/owner=prod,garbage",
                  Kind::kMalformed,
                  {},
                  "not key=value"},
        ParseCase{"EmptyToken",
                  "heritage=frankenetes,,frankenetes/owner=prod",
                  Kind::kMalformed,
                  {},
                  "not key=value"},
        ParseCase{"TwoEquals",
                  "heritage=frankenetes,frankenetes/owner=a=b",
                  Kind::kMalformed,
                  {},
                  "not key=value"},
        ParseCase{"EmptyKey", "heritage=frankenetes,=prod", Kind::kMalformed, {}, "not key=value"},
        ParseCase{"TruncatedEscape",
                  "heritage=frankenetes,frankenetes/owner=prod%2",
                  Kind::kMalformed,
                  {},
                  "%-escape"},
        ParseCase{"NonHexEscape",
                  "heritage=frankenetes,frankenetes/owner=prod%zz",
                  Kind::kMalformed,
                  {},
                  "%-escape"},
        ParseCase{"TrailingComma",
                  "heritage=frankenetes,frankenetes/owner=prod,",
                  Kind::kMalformed,
                  {},
                  "not key=value"}),
    [](const auto& test_info) { return test_info.param.name; });

TEST(DnsRegistry, MalformedInputNeverCrashes) {
  // Every prefix of a valid value, and a few bytes that are not text at all.
  for (std::size_t n = 0; n <= kOurs.size(); ++n) (void)parse_ownership(kOurs.substr(0, n));
  (void)parse_ownership(std::string("\0\xff\"%", 4));
  (void)parse_ownership("\"");
  (void)parse_ownership("%");
  SUCCEED();
}

TEST(DnsRegistry, RandomValuesNeverCrashAndRandomLabelsRoundTrip) {
  // A cheap deterministic fuzz: strings over the characters the format cares about.
  std::mt19937 rng(20261127);
  const std::string alphabet = "heritage=frankenetes/owner,%\"2C \x01\xff";
  auto random_text = [&](std::size_t max_len) {
    std::string s(std::uniform_int_distribution<std::size_t>(0, max_len)(rng), ' ');
    for (char& c : s) {
      c = alphabet[std::uniform_int_distribution<std::size_t>(0, alphabet.size() - 1)(rng)];
    }
    return s;
  };
  for (int i = 0; i < 5000; ++i) {
    const ParsedOwnership parsed = parse_ownership(random_text(80));
    if (parsed.kind == Kind::kOurs) {
      EXPECT_FALSE(parsed.labels.owner.empty());
    }
    const OwnershipLabels labels{"o" + random_text(20), random_text(20), random_text(20)};
    const ParsedOwnership back = parse_ownership(encode_ownership(labels));
    ASSERT_EQ(back.kind, Kind::kOurs) << back.problem;
    EXPECT_EQ(back.labels, labels);
  }
}

struct OwnershipCase {
  std::string name;
  std::vector<std::string> values;
  Ownership::Kind kind;
  std::string detail;  // substring
};

class OwnershipOf : public ::testing::TestWithParam<OwnershipCase> {};

TEST_P(OwnershipOf, Table) {
  const OwnershipCase& c = GetParam();
  const Ownership o = ownership_of(c.values, "prod");
  EXPECT_EQ(o.kind, c.kind) << o.detail;
  EXPECT_EQ(o.owned(), c.kind == Ownership::Kind::kOurs);
  EXPECT_EQ(o.ours.has_value(), c.kind == Ownership::Kind::kOurs);
  EXPECT_NE(o.detail.find(c.detail), std::string::npos) << o.detail;
}

const std::string kStaging = "heritage=frankenetes,frankenetes/owner=staging";
const std::string kBroken = "heritage=frankenetes,frankenetes/owner=prod,junk";

INSTANTIATE_TEST_SUITE_P(
    DnsRegistry, OwnershipOf,
    ::testing::Values(
        OwnershipCase{"NoTxt", {}, Ownership::Kind::kUnmarked, "no ownership TXT"},
        OwnershipCase{
            "OnlyForeign", {"v=spf1 -all"}, Ownership::Kind::kUnmarked, "no ownership TXT"},
        OwnershipCase{"Ours", {kOurs}, Ownership::Kind::kOurs, ""},
        OwnershipCase{"OursBesideForeign", {"v=spf1 -all", kOurs}, Ownership::Kind::kOurs, ""},
        OwnershipCase{
            "OtherOwner", {kStaging}, Ownership::Kind::kOther, "owned by owner id \"staging\""},
        OwnershipCase{
            "OursAndOtherOwner", {kOurs, kStaging}, Ownership::Kind::kOther, "two owners"},
        OwnershipCase{"Malformed", {kBroken}, Ownership::Kind::kMalformed, "unreadable"},
        OwnershipCase{
            "OursAndMalformed", {kOurs, kBroken}, Ownership::Kind::kMalformed, "unreadable"}),
    [](const auto& test_info) { return test_info.param.name; });

TEST(DnsRegistry, OwnerIdComparisonIsExact) {
  EXPECT_EQ(ownership_of({kOurs}, "Prod").kind, Ownership::Kind::kOther);
  EXPECT_EQ(ownership_of({kOurs}, "pro").kind, Ownership::Kind::kOther);
}

}  // namespace
}  // namespace frankenetes::plan
