#pragma once
// Sleeper: the seam through which ARM clients wait (retry back-off, Retry-After, LRO polling).
// Production uses RealSleeper on a worker thread; tests use a FakeSleeper that records the
// requested delays and advances a FakeTimeSource, so no unit test ever sleeps.

#include <thread>

#include "core/time_source.h"

namespace frankenetes::azure {

class Sleeper {
 public:
  virtual ~Sleeper() = default;
  virtual void sleep_for(core::Duration duration) = 0;
};

class RealSleeper final : public Sleeper {
 public:
  void sleep_for(core::Duration duration) override { std::this_thread::sleep_for(duration); }
};

}  // namespace frankenetes::azure
