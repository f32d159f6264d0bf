#include "dns/record_names.h"

#include <gtest/gtest.h>

#include "dns/dns_query.h"
#include "dns/provider.h"

namespace frankenetes::dns {
namespace {

TEST(RecordNames, NormalizeLowercasesAndDropsTrailingDot) {
  EXPECT_EQ(normalize_name("Etcd-0.Example.COM."), "etcd-0.example.com");
  EXPECT_EQ(normalize_name("example.com"), "example.com");
}

TEST(RecordNames, RelativeName) {
  struct Case {
    const char* fqdn;
    const char* zone;
    const char* relative;  // nullptr: outside the zone
  };
  for (const Case& c :
       {Case{"etcd-0.example.com", "example.com", "etcd-0"},
        Case{"a.b.example.com.", "Example.com", "a.b"}, Case{"example.com", "example.com", "@"},
        Case{"badexample.com", "example.com", nullptr},
        Case{"example.org", "example.com", nullptr}}) {
    auto relative = relative_name(c.fqdn, c.zone);
    if (c.relative == nullptr) {
      ASSERT_FALSE(relative.ok()) << c.fqdn;
      EXPECT_EQ(relative.error().kind, core::ErrorKind::kInvalidConfig);
    } else {
      ASSERT_TRUE(relative.ok()) << c.fqdn;
      EXPECT_EQ(*relative, c.relative);
    }
  }
}

TEST(RecordNames, SplitTxtIntoCharacterStrings) {
  EXPECT_EQ(split_txt(""), std::vector<std::string>{""});
  EXPECT_EQ(split_txt("abc"), std::vector<std::string>{"abc"});
  const std::string long_text(600, 'x');
  auto chunks = split_txt(long_text);
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[0].size(), 255u);
  EXPECT_EQ(chunks[1].size(), 255u);
  EXPECT_EQ(chunks[2].size(), 90u);
  EXPECT_EQ(join_txt(chunks), long_text);
}

TEST(RecordNames, RecordSetEqualityIgnoresVersion) {
  RecordSet a{"x.example.com", RecordType::kA, 60, {"1.2.3.4"}, "etag-1"};
  RecordSet b = a;
  b.version = "etag-2";
  EXPECT_EQ(a, b);
  b.values = {"1.2.3.5"};
  EXPECT_FALSE(a == b);
  EXPECT_STREQ(to_string(RecordType::kCname), "CNAME");
}

TEST(RecordNames, ParseHostPort) {
  auto v4 = parse_host_port("127.0.0.1:5353");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 5353);
  auto v6 = parse_host_port("[::1]:53");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  auto bare = parse_host_port("ns1.example.com");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->port, 53);
  EXPECT_FALSE(parse_host_port("host:99999"));
  EXPECT_FALSE(parse_host_port(":53"));
  EXPECT_FALSE(parse_host_port("[::1"));
}

}  // namespace
}  // namespace frankenetes::dns
