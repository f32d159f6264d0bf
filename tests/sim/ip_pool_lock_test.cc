// --ip-pool auto: concurrent sims get different /16s.

#include "sim/ip_pool_lock.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <set>
#include <vector>

namespace frankenetes::sim {
namespace {

class IpPoolLockTest : public ::testing::Test {
 protected:
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string dir_ = (std::filesystem::temp_directory_path() /
                      ("fk-ip-pool-lock-" + std::to_string(getpid()))).string();
};

TEST_F(IpPoolLockTest, HeldPoolsAreSkippedAndFreedOnRelease) {
  auto a = IpPoolLock::acquire(dir_, 0);
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->cidr(), "127.40.0.0/16");
  auto b = IpPoolLock::acquire(dir_, 0);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->cidr(), "127.41.0.0/16") << "the first is held";
  {
    auto moved = std::move(*a);  // still held through the move
    auto c = IpPoolLock::acquire(dir_, 0);
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->cidr(), "127.42.0.0/16");
  }
  auto again = IpPoolLock::acquire(dir_, 0);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->cidr(), "127.40.0.0/16") << "released with its holder";
}

TEST_F(IpPoolLockTest, StartsFromTheGivenOffsetAndWraps) {
  auto a = IpPoolLock::acquire(dir_, 199);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->cidr(), "127.239.0.0/16");
  auto b = IpPoolLock::acquire(dir_, 199);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->cidr(), "127.40.0.0/16");
}

TEST_F(IpPoolLockTest, AllHeldIsAnError) {
  std::vector<IpPoolLock> held;
  std::set<std::string> pools;
  for (int i = IpPoolLock::kFirstOctet; i <= IpPoolLock::kLastOctet; ++i) {
    auto l = IpPoolLock::acquire(dir_, 7);
    ASSERT_TRUE(l.ok()) << l.error().message;
    pools.insert(l->cidr());
    held.push_back(std::move(*l));
  }
  EXPECT_EQ(pools.size(), 200u);
  auto none = IpPoolLock::acquire(dir_, 7);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message.find("no free /16"), std::string::npos) << none.error().message;
}

}  // namespace
}  // namespace frankenetes::sim
