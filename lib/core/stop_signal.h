#pragma once
// StopSignal: how SIGTERM reaches blocking work on worker threads. It is a Sleeper that wakes
// at once when stopped, so an action pacing a recreate or polling a five-minute LRO ends
// promptly; http::StopAwareTransport (http/stop_aware_transport.h) refuses new requests once
// it is stopped. The daemon owns one and passes it down.

#include <condition_variable>
#include <mutex>

#include "core/sleeper.h"

namespace frankenetes::core {

class StopSignal final : public Sleeper {
 public:
  void sleep_for(Duration duration) override {
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

}  // namespace frankenetes::core
