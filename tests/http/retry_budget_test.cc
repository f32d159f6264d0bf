#include "http/retry_budget.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace frankenetes::http {
namespace {

TEST(RetryBudget, RetriesSpendTokensUntilEmpty) {
  RetryBudget budget({3.0, 0.5});
  EXPECT_TRUE(budget.try_spend());
  EXPECT_TRUE(budget.try_spend());
  EXPECT_TRUE(budget.try_spend());
  EXPECT_FALSE(budget.try_spend());
  EXPECT_DOUBLE_EQ(budget.tokens(), 0.0);
}

TEST(RetryBudget, SuccessesRefillUpToTheMaximum) {
  RetryBudget budget({2.0, 0.5});
  EXPECT_TRUE(budget.try_spend());
  EXPECT_TRUE(budget.try_spend());
  budget.on_success();
  EXPECT_FALSE(budget.try_spend());  // 0.5 tokens: not a whole retry
  budget.on_success();
  EXPECT_TRUE(budget.try_spend());
  for (int i = 0; i < 100; ++i) budget.on_success();
  EXPECT_DOUBLE_EQ(budget.tokens(), 2.0);
}

// Shared by every worker thread: never hands out more retries than it holds.
TEST(RetryBudget, ConcurrentSpendingNeverOverdraws) {
  RetryBudget budget({100.0, 0.0});
  std::atomic<int> granted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        if (budget.try_spend()) ++granted;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(granted.load(), 100);
}

}  // namespace
}  // namespace frankenetes::http
