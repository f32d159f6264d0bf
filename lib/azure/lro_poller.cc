#include "azure/lro_poller.h"

#include <algorithm>

#include "azure/arm_error.h"
#include "http/retry_after.h"

namespace frankenetes::azure {
namespace {

std::string seconds_text(core::Duration d) {
  return std::to_string(std::chrono::ceil<std::chrono::seconds>(d).count()) + "s";
}

}  // namespace

core::Status LroPoller::wait(const LroLocation& location, std::optional<core::Duration> first_delay,
                             std::string_view operation, const LroFetch& fetch) const {
  const std::string op(operation);
  const auto deadline = time_.monotonic_time() + settings_.timeout;
  auto delay =
      first_delay ? std::max(*first_delay, settings_.min_interval) : settings_.default_interval;
  std::string last_seen = "no answer yet";

  for (;;) {
    const auto now = time_.monotonic_time();
    if (now >= deadline) break;
    sleeper_.sleep_for(std::min(delay, std::chrono::duration_cast<core::Duration>(deadline - now)));

    auto result = fetch(location.url);
    delay = settings_.default_interval;
    if (!result.ok()) {
      // A failed poll says nothing about the operation: keep polling while time remains.
      if (result.error().kind != core::ErrorKind::kTransient) {
        auto error = result.error();
        error.message = op + ": polling the operation failed: " + error.message;
        return error;
      }
      last_seen = result.error().message;
      continue;
    }
    const auto& response = result.value();
    if (const auto ra = http::retry_after(response.headers, time_.system_time())) {
      delay = std::max(*ra, settings_.min_interval);
    }

    if (response.status >= 400) {
      auto error = error_from_response(response, op + " (operation status)");
      if (error.kind != core::ErrorKind::kTransient) return error;
      last_seen = "HTTP " + std::to_string(response.status);
      continue;
    }

    if (location.kind == LroLocation::Kind::kLocation) {
      // Location semantics: 202 while running, anything else successful means done.
      if (response.status == 202) {
        last_seen = "HTTP 202";
        continue;
      }
      return {};
    }

    if (response.status == 202 && response.body.empty()) {
      last_seen = "HTTP 202";
      continue;
    }
    auto status = parse_async_operation_status(response.body);
    if (!status.ok()) return malformed_response_error(response, op, status.error().message);
    if (!status->terminal()) {
      last_seen = "status " + status->status;
      continue;
    }
    if (status->succeeded()) return {};
    core::Error error;
    error.kind = core::ErrorKind::kTerminal;
    const auto it = response.headers.find("x-ms-request-id");
    if (it != response.headers.end()) error.request_id = it->second;
    error.message = op + ": operation " + status->status;
    if (status->error) {
      error.azure_code = status->error->code;
      if (!status->error->message.empty()) error.message += ": " + status->error->message;
    }
    return error;
  }

  return core::timeout_error(op + ": timed out after " + seconds_text(settings_.timeout) +
                             " waiting for the operation to finish (last seen: " + last_seen + ")");
}

}  // namespace frankenetes::azure
