#include "http/retrying_transport.h"

#include <algorithm>
#include <memory>
#include <mutex>
#include <random>
#include <utility>

#include "http/retry_after.h"

namespace frankenetes::http {
namespace {

std::function<double()> default_unit_random() {
  auto state = std::make_shared<std::pair<std::mutex, std::mt19937_64>>();
  state->second.seed(std::random_device{}());
  return [state] {
    std::lock_guard lock(state->first);
    return std::uniform_real_distribution<double>(0.0, 1.0)(state->second);
  };
}

core::Error throttled_error(core::Duration remaining, std::string_view operation,
                            const std::string& gate_key) {
  const auto seconds = std::chrono::ceil<std::chrono::seconds>(remaining).count();
  return core::make_error(core::ErrorKind::kTransient,
                          std::string(operation.empty() ? "request" : operation) +
                              ": throttled: retry after " + std::to_string(seconds) +
                              "s (a 429 closed the throttle gate for " + gate_key +
                              "; request not sent)");
}

}  // namespace

RetryingTransport::RetryingTransport(HttpTransport& inner, RetryBudget& budget, ThrottleGate& gate,
                                     core::TimeSource& time, core::Sleeper& sleeper,
                                     RetryPolicy policy, std::function<double()> unit_random)
    : inner_(inner),
      budget_(budget),
      gate_(gate),
      time_(time),
      sleeper_(sleeper),
      policy_(policy),
      unit_random_(unit_random ? std::move(unit_random) : default_unit_random()) {}

bool RetryingTransport::is_idempotent(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE";
}

bool RetryingTransport::is_retryable_status(int status) {
  return status == 408 || status == 429 || (status >= 500 && status <= 599);
}

core::Result<Response> RetryingTransport::send(const ClientRequest& request) {
  const std::string gate_key = gate_.key_for(request.url);
  const bool idempotent = is_idempotent(request.method);
  for (std::uint32_t attempt = 0;; ++attempt) {
    if (const auto closed = gate_.remaining(gate_key)) {
      return throttled_error(*closed, request.operation, gate_key);
    }
    auto result = inner_.send(request);

    bool retryable = false;
    std::optional<core::Duration> server_wait;
    if (result.ok()) {
      const auto& response = result.value();
      server_wait = retry_after(response.headers, time_.system_time());
      if (response.status == 429) {
        // ARM sends Retry-After with 429; without one, still hold everyone back a little.
        gate_.close_for(gate_key, server_wait.value_or(policy_.throttle_without_retry_after));
      }
      retryable = is_retryable_status(response.status);
    } else {
      retryable = result.error().kind == core::ErrorKind::kTransient;
    }
    if (!retryable) {
      // ARM answered something other than "try again": the service is healthy, refill. A
      // TLS or malformed-URL failure says nothing about ARM's health.
      if (result.ok()) budget_.on_success();
      return result;
    }
    if (!idempotent || attempt + 1 >= policy_.max_attempts) return result;

    auto delay = core::backoff_delay_full_jitter(policy_.backoff, attempt, unit_random_());
    // Retry-After is a floor, never shortened by jitter: an earlier request is throttled again.
    if (server_wait) delay = std::max(delay, *server_wait);
    // The gate may have been closed (by us or by another caller) for longer than our delay.
    if (const auto closed = gate_.remaining(gate_key)) delay = std::max(delay, *closed);
    if (delay > policy_.max_wait) return result;
    if (!budget_.try_spend()) return result;
    sleeper_.sleep_for(delay);
  }
}

}  // namespace frankenetes::http
