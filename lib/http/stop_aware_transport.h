#pragma once
// StopAwareTransport: an HttpTransport decorator that answers every request with a terminal
// Error once the daemon's core::StopSignal is stopped; terminal so that neither
// RetryingTransport nor the LRO poller tries again. With the signal as their Sleeper, the
// clients above it end after at most the request already on the wire.

#include "core/stop_signal.h"
#include "http/transport.h"

namespace frankenetes::http {

class StopAwareTransport final : public HttpTransport {
 public:
  StopAwareTransport(HttpTransport& inner, const core::StopSignal& signal)
      : inner_(inner), signal_(signal) {}

  core::Result<Response> send(const ClientRequest& request) override {
    if (signal_.stop_requested()) {
      return core::make_error(core::ErrorKind::kTerminal,
                              "the daemon is stopping: " + request.method + " not sent");
    }
    return inner_.send(request);
  }

 private:
  HttpTransport& inner_;
  const core::StopSignal& signal_;
};

}  // namespace frankenetes::http
