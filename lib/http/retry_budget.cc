#include "http/retry_budget.h"

#include <algorithm>

namespace frankenetes::http {

RetryBudget::RetryBudget(RetryBudgetSettings settings)
    : settings_(settings), tokens_(settings.max_tokens) {}

bool RetryBudget::try_spend() {
  std::lock_guard lock(mutex_);
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

void RetryBudget::on_success() {
  std::lock_guard lock(mutex_);
  tokens_ = std::min(settings_.max_tokens, tokens_ + settings_.token_ratio);
}

double RetryBudget::tokens() const {
  std::lock_guard lock(mutex_);
  return tokens_;
}

}  // namespace frankenetes::http
