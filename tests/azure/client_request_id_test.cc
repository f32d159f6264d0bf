#include "azure/client_request_id.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

namespace frankenetes::azure {
namespace {

TEST(ClientRequestId, IsAVersion4Guid) {
  ClientRequestIdGenerator ids([] { return ~std::uint64_t{0}; });
  EXPECT_EQ(ids.next(), "ffffffff-ffff-4fff-bfff-ffffffffffff");
  ClientRequestIdGenerator zero([] { return std::uint64_t{0}; });
  EXPECT_EQ(zero.next(), "00000000-0000-4000-8000-000000000000");
}

TEST(ClientRequestId, DefaultGeneratorGivesFreshIds) {
  ClientRequestIdGenerator ids;
  const std::regex shape("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const auto id = ids.next();
    EXPECT_TRUE(std::regex_match(id, shape)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 100u);
}

}  // namespace
}  // namespace frankenetes::azure
