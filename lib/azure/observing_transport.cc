#include "azure/observing_transport.h"

#include "azure/arm_paths.h"

namespace frankenetes::azure {

core::Result<http::Response> ObservingTransport::send(const http::ClientRequest& request) {
  const auto start = time_.monotonic_time();
  auto result = inner_.send(request);
  const auto elapsed = std::chrono::duration_cast<core::Duration>(time_.monotonic_time() - start);
  if (result.ok() && tracker_ != nullptr) {
    tracker_->record(subscription_of_url(request.url), result.value().headers);
  }
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

}  // namespace frankenetes::azure
