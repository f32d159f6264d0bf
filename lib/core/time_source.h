#pragma once
// TimeSource: the injected clock seam (after Envoy's envoy/common/time.h). Everything that
// needs "now" takes a TimeSource& or a time_point argument; tests substitute FakeTimeSource
// (tests/support/fake_time_source.h) and advance it by hand.

#include <chrono>

namespace frankenetes::core {

using SystemTime = std::chrono::system_clock::time_point;
using MonotonicTime = std::chrono::steady_clock::time_point;
using Duration = std::chrono::milliseconds;

class TimeSource {
 public:
  virtual ~TimeSource() = default;
  // Wall-clock time: for timestamps shown to people and compared with Azure's.
  virtual SystemTime system_time() const = 0;
  // Monotonic time: for intervals, deadlines, back-off and staleness.
  virtual MonotonicTime monotonic_time() const = 0;
};

// The real clocks.
class RealTimeSource final : public TimeSource {
 public:
  SystemTime system_time() const override { return std::chrono::system_clock::now(); }
  MonotonicTime monotonic_time() const override { return std::chrono::steady_clock::now(); }
};

}  // namespace frankenetes::core
