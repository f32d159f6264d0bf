#pragma once
// StopSignal: how SIGTERM reaches blocking ARM work on worker threads. The AciClient the
// daemon builds waits through the signal (it is an azure::Sleeper that wakes at once when
// stopped) and sends through a StopAwareTransport that refuses new requests once stopped, so
// an action polling a five-minute LRO ends after at most the request already on the wire.

#include <condition_variable>
#include <mutex>

#include "azure/sleeper.h"
#include "http/transport.h"

namespace frankenetes::reconcile {

class StopSignal final : public azure::Sleeper {
 public:
  void sleep_for(core::Duration duration) override {
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, duration, [this] { return stopped_; });
  }
  void request_stop() {
    {
      std::lock_guard lock(mutex_);
      stopped_ = true;
    }
    wake_.notify_all();
  }
  bool stop_requested() const {
    std::lock_guard lock(mutex_);
    return stopped_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopped_ = false;
};

// Answers every request with a terminal Error once the signal is stopped; terminal so that
// neither RetryingTransport nor LroPoller tries again.
class StopAwareTransport final : public http::HttpTransport {
 public:
  StopAwareTransport(http::HttpTransport& inner, const StopSignal& signal)
      : inner_(inner), signal_(signal) {}

  core::Result<http::Response> send(const http::ClientRequest& request) override {
    if (signal_.stop_requested()) {
      return core::make_error(core::ErrorKind::kTerminal,
                              "the daemon is stopping: " + request.method + " not sent");
    }
    return inner_.send(request);
  }

 private:
  http::HttpTransport& inner_;
  const StopSignal& signal_;
};

}  // namespace frankenetes::reconcile
