#include "azure/retry_budget.h"

#include <gtest/gtest.h>

namespace frankenetes::azure {
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

}  // namespace
}  // namespace frankenetes::azure
