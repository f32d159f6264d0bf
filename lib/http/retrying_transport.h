#pragma once
// RetryingTransport: an HttpTransport decorator that retries idempotent requests (GET, HEAD,
// PUT, DELETE; never POST, whose effect may already have happened) on transient
// transport errors and on HTTP 408, 429 and 5xx, with full-jitter exponential back-off
// (core::backoff_delay_full_jitter). A Retry-After header (seconds or HTTP-date) is always a
// lower bound on the wait. Retries stop at `max_attempts`, when the shared RetryBudget is
// empty, or when the wait would exceed `max_wait` (then the response is returned as is).
//
// Throttling: a 429 closes the shared ThrottleGate (for Retry-After, else
// `throttle_without_retry_after`) for the request's gate key (ARM: its subscription); while it
// is closed every request under that key — from any caller — is answered at once with a
// transient Error "throttled: retry after Ns" and nothing is sent (see throttle_gate.h for why
// callers are not blocked).
//
// Used for ARM (and Azure DNS, which is ARM) and for Cloudflare, each with its own budget
// and gate.
//
// The final answer is what the inner transport gave (a Response for any HTTP status, an
// Error for transport failures): interpreting the status stays with the caller. Time, sleep
// and randomness are injected so tests are deterministic and never sleep.

#include <cstdint>
#include <functional>
#include <string_view>

#include "core/backoff.h"
#include "core/sleeper.h"
#include "core/time_source.h"
#include "http/retry_budget.h"
#include "http/throttle_gate.h"
#include "http/transport.h"

namespace frankenetes::http {

struct RetryPolicy {
  std::uint32_t max_attempts = 4;  // including the first
  core::BackoffPolicy backoff{std::chrono::milliseconds(500), std::chrono::seconds(20), 2.0};
  // Longest wait (back-off or Retry-After) this transport sleeps before a retry. A longer
  // Retry-After is not waited out on a worker thread: the response goes back to the caller.
  core::Duration max_wait{std::chrono::seconds(30)};
  // How long a 429 without Retry-After closes the ThrottleGate.
  core::Duration throttle_without_retry_after{std::chrono::seconds(5)};
};

class RetryingTransport final : public HttpTransport {
 public:
  // `unit_random` returns values in [0, 1); empty means a seeded std::mt19937_64.
  RetryingTransport(HttpTransport& inner, RetryBudget& budget, ThrottleGate& gate,
                    core::TimeSource& time, core::Sleeper& sleeper, RetryPolicy policy = {},
                    std::function<double()> unit_random = {});

  core::Result<Response> send(const ClientRequest& request) override;

  static bool is_idempotent(std::string_view method);
  static bool is_retryable_status(int status);

 private:
  HttpTransport& inner_;
  RetryBudget& budget_;
  ThrottleGate& gate_;
  core::TimeSource& time_;
  core::Sleeper& sleeper_;
  const RetryPolicy policy_;
  std::function<double()> unit_random_;
};

}  // namespace frankenetes::http
