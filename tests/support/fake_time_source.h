#pragma once
// FakeTimeSource: a TimeSource that moves only when a test advances it.

#include "core/time_source.h"

namespace frankenetes::testing {

class FakeTimeSource final : public core::TimeSource {
 public:
  core::SystemTime system_time() const override { return system_; }
  core::MonotonicTime monotonic_time() const override { return monotonic_; }

  template <typename D>
  void advance(D d) {
    system_ += std::chrono::duration_cast<core::SystemTime::duration>(d);
    monotonic_ += std::chrono::duration_cast<core::MonotonicTime::duration>(d);
  }

 private:
  // A fixed, recognisable start: 2026-01-01T00:00:00Z.
  core::SystemTime system_{std::chrono::seconds(1767225600)};
  core::MonotonicTime monotonic_{std::chrono::hours(1000)};
};

}  // namespace frankenetes::testing
