// Replica ids made from host names, blob names, and the proposed lease ids.

#include "coordination/replica_identity.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "config/value_syntax.h"

namespace frankenetes::coordination {
namespace {

TEST(ReplicaId, HostNameAndPid) {
  EXPECT_EQ(make_replica_id("vm-1", 4242), "vm-1-4242");
  EXPECT_EQ(make_replica_id("vm-1.example.com", 7), "vm-1.example.com-7");
}

TEST(ReplicaId, UnsafeCharactersAreReplaced) {
  EXPECT_EQ(make_replica_id("vm 1/ä", 1), "vm-1----1");  // ä is two bytes
  EXPECT_EQ(make_replica_id("-vm", 1), "r-vm-1");
  EXPECT_EQ(make_replica_id("", 12), "replica-12");
}

TEST(ReplicaId, LongHostNamesAreCutToFit) {
  const auto id = make_replica_id(std::string(80, 'h'), 1234567);
  EXPECT_EQ(id.size(), 63U);
  EXPECT_TRUE(id.ends_with("-1234567"));
}

TEST(ReplicaId, TheDefaultIsValid) {
  EXPECT_TRUE(config::is_replica_id(default_replica_id())) << default_replica_id();
  for (const auto* host : {"", "-", "x y", "ünïcode", "a.b_c-d"}) {
    EXPECT_TRUE(config::is_replica_id(make_replica_id(host, 99))) << host;
  }
}

TEST(BlobNames, UnderTheirPrefixes) {
  EXPECT_EQ(lease_blob_name("prod"), "leases/prod");
  EXPECT_EQ(heartbeat_blob_name("vm-1"), "replicas/vm-1");
}

TEST(ProposedLeaseId, AGuidThatDependsOnEveryInput) {
  const std::regex guid("^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  const auto id = proposed_lease_id("vm-1", 42, "prod");
  EXPECT_TRUE(std::regex_match(id, guid)) << id;
  EXPECT_EQ(id, proposed_lease_id("vm-1", 42, "prod"));  // a retried acquire is the same
  std::set<std::string> ids{
      id, proposed_lease_id("vm-2", 42, "prod"), proposed_lease_id("vm-1", 43, "prod"),
      proposed_lease_id("vm-1", 42, "test"), proposed_lease_id("vm-14", 2, "prod")};
  EXPECT_EQ(ids.size(), 5U);
  for (const auto& each : ids) EXPECT_TRUE(std::regex_match(each, guid)) << each;
}

}  // namespace
}  // namespace frankenetes::coordination
