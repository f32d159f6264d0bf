// The providers as the DNS pipeline holds them: exceptions contained as errors, identity that
// follows the object, and the reads one member needs.

#include "reconcile/dns_providers.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "dns_test_util.h"
#include "plan/dns_registry.h"

namespace frankenetes::reconcile {
namespace {

using dns::RecordType;
using test_util::FakeProvider;

constexpr const char* kName = "etcd.example.com";

TEST(ContainedDnsProvider, ExceptionsBecomeTerminalErrorsAndAreHandedOn) {
  auto inner = std::make_shared<FakeProvider>();
  std::vector<std::string> caught;
  ContainedDnsProvider provider(
      inner, [&](const std::string& what, std::string_view) { caught.push_back(what); });
  inner->throw_on_read = true;
  const auto read = provider.read(kName);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().kind, core::ErrorKind::kTerminal);
  EXPECT_NE(read.error().message.find("failed internally reading etcd.example.com"),
            std::string::npos);
  inner->throw_on_apply = true;
  const auto applied = provider.apply({});
  ASSERT_FALSE(applied.ok());
  EXPECT_EQ(applied.error().kind, core::ErrorKind::kTerminal);
  ASSERT_EQ(caught.size(), 2u);
  EXPECT_EQ(caught[1], "apply bug");
  // Without an exception it is the provider itself.
  inner->throw_on_read = false;
  inner->set(kName, RecordType::kA, {"10.0.0.1"});
  EXPECT_EQ(provider.read(kName).value().size(), 1u);
  EXPECT_EQ(provider.name(), "p");
}

TEST(DnsProviderSet, KeyFollowsTheObjectNotTheName) {
  DnsProviderSet set([](const std::string&, std::string_view) {});
  auto first = std::make_shared<FakeProvider>();
  set.update({{"p", first}, {"broken", nullptr}});
  ASSERT_NE(set.find("p"), nullptr);
  EXPECT_EQ(set.find("broken"), nullptr) << "a provider that failed to build is not available";
  const auto key = set.find("p")->key;

  set.update({{"p", first}});  // a reload that kept the object
  EXPECT_EQ(set.find("p")->key, key);

  auto rebuilt = std::make_shared<FakeProvider>();
  set.update({{"p", rebuilt}});
  EXPECT_NE(set.find("p")->key, key);
  EXPECT_EQ(set.find("p")->original, rebuilt);

  EXPECT_FALSE(set.holds(key));
  EXPECT_TRUE(set.holds(set.find("p")->key));

  set.update({});
  EXPECT_EQ(set.find("p"), nullptr);
}

TEST(ReadMemberRecords, ReadsTheNameAndItsRegistryName) {
  FakeProvider provider;
  provider.set(kName, RecordType::kA, {"10.0.0.1"});
  provider.set(plan::registry_name(kName), RecordType::kTxt, {"owner"});
  config::MemberDnsConfig dns;
  dns.provider = "p";
  dns.name = kName;
  const auto records = read_member_records(provider, dns);
  EXPECT_FALSE(records.failure);
  EXPECT_EQ(records.sets.size(), 2u);
  EXPECT_EQ(provider.reads, 2);

  provider.fail_read = core::make_error(core::ErrorKind::kTransient, "503");
  const auto failed = read_member_records(provider, dns);
  ASSERT_TRUE(failed.failure);
  EXPECT_EQ(failed.failure->fqdn, kName);
  EXPECT_EQ(failed.failure->error.message, "503");
  EXPECT_EQ(provider.reads, 3) << "the first failure ends the read";
}

// A zone list answers the member's names as read_member_records() would: both names, sorted by
// type, names compared as DNS does; a set listed twice (the zone changed while it was paged)
// counts once, as the later page has it; other names are not the member's.
TEST(ZoneIndex, GivesTheMembersSetsOncePerType) {
  dns::ZoneRecords zone;
  zone.sets = {
      {"_frankenetes.ETCD.example.com.", RecordType::kTxt, 60, {"owner"}, "e1"},
      {"etcd.example.com", RecordType::kTxt, 60, {"note"}, "e2"},
      {"Etcd.Example.com", RecordType::kA, 60, {"10.0.0.1"}, "e3"},
      {"etcd.example.com", RecordType::kA, 60, {"10.0.0.2"}, "e4"},
      {"xetcd.example.com", RecordType::kA, 60, {"10.0.0.3"}, "e5"},
  };
  config::MemberDnsConfig dns;
  dns.provider = "p";
  dns.name = kName;
  ZoneIndex index(zone);
  const auto taken = index.take_member_records(dns);
  ASSERT_TRUE(taken.has_value());
  const auto& sets = *taken;
  ASSERT_EQ(sets.size(), 3u);
  EXPECT_EQ(sets[0].type, RecordType::kA);
  EXPECT_EQ(sets[0].values, std::vector<std::string>{"10.0.0.2"});
  EXPECT_EQ(sets[0].version, "e4");
  EXPECT_EQ(sets[1].type, RecordType::kTxt);
  EXPECT_EQ(sets[1].version, "e2");
  EXPECT_EQ(sets[2].fqdn, "_frankenetes.ETCD.example.com.");
  // The sets were moved out: a second reader of the same names gets nothing rather than an
  // empty list it would take for "no record".
  EXPECT_FALSE(index.take_member_records(dns).has_value());
  // Another member's names are still there.
  config::MemberDnsConfig other = dns;
  other.name = "xetcd.example.com";
  const auto others = index.take_member_records(other);
  ASSERT_TRUE(others.has_value());
  ASSERT_EQ(others->size(), 1u);
  EXPECT_EQ((*others)[0].version, "e5");
}

}  // namespace
}  // namespace frankenetes::reconcile
