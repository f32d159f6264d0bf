#pragma once
// LroPoller: waits for an ARM long-running operation to reach a terminal state
// ("Track asynchronous Azure operations"). Polls the Azure-AsyncOperation URL (status body) or the
// Location URL (202 while running, 200/201/204 when done), sleeping Retry-After when the
// service sends one and `default_interval` otherwise, until Succeeded / Failed / Canceled or
// the deadline. Failed and Canceled become a terminal Error carrying the operation's error
// code and message; the deadline a transient Error "... timed out ...". Transient poll
// failures (connection errors, 5xx, throttling) are retried until the deadline.
// The poller does not know about tokens: the caller passes a `fetch` that sends an
// authorised GET (AciClient does).

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "azure/async_operation.h"
#include "core/result.h"
#include "core/sleeper.h"
#include "core/time_source.h"
#include "http/message.h"

namespace frankenetes::azure {

struct LroSettings {
  core::Duration default_interval{std::chrono::seconds(5)};
  core::Duration min_interval{std::chrono::seconds(1)};  // floor for Retry-After: 0
  core::Duration timeout{std::chrono::minutes(5)};
};

using LroFetch = std::function<core::Result<http::Response>(const std::string& url)>;

class LroPoller {
 public:
  LroPoller(core::TimeSource& time, core::Sleeper& sleeper, LroSettings settings)
      : time_(time), sleeper_(sleeper), settings_(settings) {}

  // `first_delay`: the Retry-After of the response that started the operation, if any.
  // `operation` prefixes error messages ("aci.restart").
  core::Status wait(const LroLocation& location, std::optional<core::Duration> first_delay,
                    std::string_view operation, const LroFetch& fetch) const;

 private:
  core::TimeSource& time_;
  core::Sleeper& sleeper_;
  const LroSettings settings_;
};

}  // namespace frankenetes::azure
