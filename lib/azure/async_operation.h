#pragma once
// ARM asynchronous operations ("Track asynchronous Azure operations"): where to poll, and what the
// status body says. Pure. LroPoller drives the polling; these are its codecs.

#include <optional>
#include <string>
#include <string_view>

#include "azure/arm_error.h"
#include "core/result.h"
#include "http/message.h"

namespace frankenetes::azure {

// The URL to poll after a mutating call answered. Azure-AsyncOperation wins over Location
// (ARM "Track asynchronous Azure operations"): its body has a status; a Location URL answers
// 202 while running and 200/204 when done.
struct LroLocation {
  enum class Kind { kAzureAsyncOperation, kLocation };
  Kind kind = Kind::kAzureAsyncOperation;
  std::string url;
};

// nullopt when the response names no URL to poll (e.g. stop's 204, start's 204).
std::optional<LroLocation> lro_location(const http::Headers& headers);

// The status body: {"status":"InProgress"|"Succeeded"|"Failed"|"Canceled"|<RP value>,
// "error":{"code","message"}}. Only `status` is guaranteed.
struct AsyncOperationStatus {
  std::string status;
  std::optional<ArmErrorBody> error;

  // Succeeded, Failed and Canceled (any case) are terminal; every other value means "running".
  bool terminal() const;
  bool succeeded() const;
};

// A terminal Error (message starting "malformed") when the body is not JSON or has no status.
core::Result<AsyncOperationStatus> parse_async_operation_status(std::string_view body);

}  // namespace frankenetes::azure
