#pragma once
// ObservingTransport: an HttpTransport decorator that reports every exchange to a
// RequestObserver (operation, outcome, duration: the daemon's request metrics) and hands every
// response to an optional ResponseListener (azure::ThrottleTracker reads ARM's rate-limit
// headers there). Put it closest to the wire so retries and LRO polls are each seen:
//   AciClient -> RetryingTransport -> ObservingTransport -> HttpClient.

#include <utility>

#include "core/time_source.h"
#include "http/request_observer.h"
#include "http/transport.h"

namespace frankenetes::http {

// Reads the response to every request that got one.
class ResponseListener {
 public:
  virtual ~ResponseListener() = default;
  virtual void on_response(const ClientRequest& request, const Response& response) = 0;
};

class ObservingTransport final : public HttpTransport {
 public:
  // `observer` may be empty and `listener` null: each part is optional.
  ObservingTransport(HttpTransport& inner, core::TimeSource& time, RequestObserver observer,
                     ResponseListener* listener = nullptr)
      : inner_(inner), time_(time), observer_(std::move(observer)), listener_(listener) {}

  core::Result<Response> send(const ClientRequest& request) override;

 private:
  HttpTransport& inner_;
  core::TimeSource& time_;
  RequestObserver observer_;
  ResponseListener* listener_;
};

}  // namespace frankenetes::http
