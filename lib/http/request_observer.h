#pragma once
// RequestObserver: how the daemon sees every outbound request without the clients knowing
// metrics. ObservingTransport calls it once per HTTP exchange (each retry and each LRO poll
// included) with the operation label, the outcome and the duration, so the composition root
// can feed status::ArmMetrics: frankenetes_arm_requests_total{operation,code},
// frankenetes_arm_request_duration_seconds and the token request counters.

#include <functional>
#include <optional>
#include <string>

#include "core/error.h"
#include "core/time_source.h"

namespace frankenetes::http {

struct RequestRecord {
  std::string operation;  // "aci.get", "aci.restart", "aci.lro_poll", …
  std::string method;
  int status = 0;                             // HTTP status; 0 when no response arrived
  std::optional<core::ErrorKind> error_kind;  // set when no response arrived
  core::Duration duration{0};

  // The metrics `code` label: "200", "429", … or the error kind ("transient", "tls").
  std::string code() const {
    return error_kind ? std::string(core::to_string(*error_kind)) : std::to_string(status);
  }
};

using RequestObserver = std::function<void(const RequestRecord&)>;

}  // namespace frankenetes::http
