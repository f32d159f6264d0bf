#pragma once
// ObservingTransport: an HttpTransport decorator that reports every exchange to a
// RequestObserver and feeds the ThrottleTracker with the rate-limit headers of every
// response. Put it closest to the wire so retries and LRO polls are each seen:
//   AciClient -> RetryingTransport -> ObservingTransport -> HttpClient.

#include "azure/request_observer.h"
#include "azure/throttle_tracker.h"
#include "core/time_source.h"
#include "http/transport.h"

namespace frankenetes::azure {

class ObservingTransport final : public http::HttpTransport {
 public:
  // `observer` may be empty and `tracker` null: each part is optional.
  ObservingTransport(http::HttpTransport& inner, core::TimeSource& time, RequestObserver observer,
                     ThrottleTracker* tracker = nullptr)
      : inner_(inner), time_(time), observer_(std::move(observer)), tracker_(tracker) {}

  core::Result<http::Response> send(const http::ClientRequest& request) override;

 private:
  http::HttpTransport& inner_;
  core::TimeSource& time_;
  RequestObserver observer_;
  ThrottleTracker* tracker_;
};

}  // namespace frankenetes::azure
