#pragma once
// FakeSleeper: records each requested delay and advances a FakeTimeSource by it, so code that
// waits (retries, Retry-After, LRO polling) runs instantly and tests can assert the waits.

#include <vector>

#include "core/sleeper.h"
#include "support/fake_time_source.h"

namespace frankenetes::testing {

class FakeSleeper final : public core::Sleeper {
 public:
  explicit FakeSleeper(FakeTimeSource& time) : time_(time) {}
  void sleep_for(core::Duration duration) override {
    sleeps_.push_back(duration);
    time_.advance(duration);
  }
  const std::vector<core::Duration>& sleeps() const { return sleeps_; }
  core::Duration total() const {
    core::Duration sum{0};
    for (auto d : sleeps_) sum += d;
    return sum;
  }

 private:
  FakeTimeSource& time_;
  std::vector<core::Duration> sleeps_;
};

}  // namespace frankenetes::testing
