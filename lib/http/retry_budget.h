#pragma once
// RetryBudget: a token bucket shared by all ARM requests that caps how much retrying the
// daemon does when ARM is unhealthy (after userver's utils/retry_budget and gRPC's retry
// throttling). Every retry spends one token; every success puts back `token_ratio` tokens,
// up to `max_tokens`. With fewer than one token left nothing is retried, so a sustained
// outage costs one attempt per request instead of `max_attempts`. Thread-safe.

#include <mutex>

namespace frankenetes::http {

struct RetryBudgetSettings {
  double max_tokens = 100.0;  // also the starting balance
  double token_ratio = 0.1;   // tokens returned per success: ~1 retry per 10 successes
};

class RetryBudget {
 public:
  explicit RetryBudget(RetryBudgetSettings settings = {});

  // Spends one token and returns true, or returns false when the budget is exhausted.
  bool try_spend();
  void on_success();
  double tokens() const;

 private:
  const RetryBudgetSettings settings_;
  mutable std::mutex mutex_;
  double tokens_;
};

}  // namespace frankenetes::http
