#pragma once
// Sleeper: the seam through which blocking code waits (retry back-off, Retry-After, LRO
// polling, DNS verification, recreate pacing). Production uses RealSleeper or the daemon's
// StopSignal (core/stop_signal.h), which wakes at once on shutdown; tests use FakeSleeper
// (tests/support/fake_sleeper.h), which records the requested delays and advances a
// FakeTimeSource, so no unit test ever sleeps.

#include <thread>

#include "core/time_source.h"

namespace frankenetes::core {

class Sleeper {
 public:
  virtual ~Sleeper() = default;
  virtual void sleep_for(Duration duration) = 0;
};

class RealSleeper final : public Sleeper {
 public:
  void sleep_for(Duration duration) override { std::this_thread::sleep_for(duration); }
};

}  // namespace frankenetes::core
