#include "http/observing_transport.h"

namespace frankenetes::http {

core::Result<Response> ObservingTransport::send(const ClientRequest& request) {
  const auto start = time_.monotonic_time();
  auto result = inner_.send(request);
  const auto elapsed = std::chrono::duration_cast<core::Duration>(time_.monotonic_time() - start);
  if (result.ok() && listener_ != nullptr) listener_->on_response(request, result.value());
  if (observer_) {
    RequestRecord record;
    record.operation = request.operation;
    record.method = request.method;
    record.duration = elapsed;
    if (result.ok()) {
      record.status = result.value().status;
    } else {
      record.error_kind = result.error().kind;
    }
    observer_(record);
  }
  return result;
}

}  // namespace frankenetes::http
