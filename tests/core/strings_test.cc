#include "core/strings.h"

#include <gtest/gtest.h>

namespace frankenetes::core {
namespace {

TEST(Strings, ClosestMatchSuggestsPlausibleTypos) {
  const std::vector<std::string> keys{"pollInterval", "crashLoop", "backoff", "budget", "dryRun"};
  EXPECT_EQ(closest_match("pollIntervall", keys), "pollInterval");
  EXPECT_EQ(closest_match("dryrun", keys), "dryRun");  // case differences are free
  EXPECT_EQ(closest_match("backof", keys), "backoff");
  EXPECT_EQ(closest_match("zzzzzzzz", keys), "");
}

TEST(Strings, EditDistance) {
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
}

TEST(Strings, Split) {
  EXPECT_EQ(split("a.b.c", '.'), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(split("", '.'), (std::vector<std::string>{""}));
}

TEST(Strings, CaseInsensitiveHelpersAreAsciiOnly) {
  EXPECT_EQ(to_lower("Cp-Etcd.EXAMPLE.com."), "cp-etcd.example.com.");
  EXPECT_EQ(to_lower("\xc3\x89"), "\xc3\x89");  // bytes above 0x7f are left alone
  EXPECT_TRUE(iequals("Succeeded", "succeeded"));
  EXPECT_FALSE(iequals("Succeeded", "Succeede"));
  EXPECT_TRUE(iequals("", ""));
  EXPECT_TRUE(icontains("read: Operation TIMED out", "timed out"));
  EXPECT_TRUE(icontains("abc", ""));
  EXPECT_FALSE(icontains("abc", "abcd"));
}

TEST(Strings, Trim) {
  EXPECT_EQ(trim("  a b \r\n"), "a b");
  EXPECT_EQ(trim("\t\v\f"), "");
  EXPECT_EQ(trim(""), "");
  EXPECT_EQ(trim(" \t7\t ", " \t"), "7");
  EXPECT_EQ(trim("\n7\n", " \t"), "\n7\n");
}

TEST(Strings, TrimEndKeepsTheStart) {
  EXPECT_EQ(trim_end("https://host//", "/"), "https://host");
  EXPECT_EQ(trim_end("https://host", "/"), "https://host");
  EXPECT_EQ(trim_end("/a/", "/"), "/a");
  EXPECT_EQ(trim_end("///", "/"), "");
  EXPECT_EQ(trim_end(""), "");
  EXPECT_EQ(trim_end("  a b \r\n"), "  a b");
}

TEST(Strings, IsIpv4IsAStrictDottedQuad) {
  for (const char* good : {"0.0.0.0", "127.0.0.1", "10.1.2.3", "255.255.255.255"}) {
    EXPECT_TRUE(is_ipv4(good)) << good;
  }
  for (const char* bad :
       {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.04", "1..2.3", "1.2.3.4.",
        ".1.2.3.4", "1.2.3.4 ", "a.b.c.d", "1.2.3.-4", "0x7f.0.0.1", "1234.1.1.1", "::1"}) {
    EXPECT_FALSE(is_ipv4(bad)) << bad;
  }
}

TEST(Strings, PrintableExcerptIsOneAsciiLine) {
  EXPECT_EQ(printable_excerpt("plain", 10), "plain");
  EXPECT_EQ(printable_excerpt("a\nb\tc\x01", 10), "a b c ");
  EXPECT_EQ(printable_excerpt("caf\xc3\xa9", 10), "caf??");
  EXPECT_EQ(printable_excerpt("0123456789", 4), "0123...");
}

TEST(Strings, ParseUint64TakesDigitsOnly) {
  EXPECT_EQ(parse_uint64("0"), 0u);
  EXPECT_EQ(parse_uint64("20971520"), 20971520u);
  EXPECT_EQ(parse_uint64("18446744073709551615"), 18446744073709551615u);
  for (const char* bad : {"", "-1", "+1", " 1", "1 ", "0x10", "18446744073709551616", "1e3"}) {
    EXPECT_EQ(parse_uint64(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace frankenetes::core
