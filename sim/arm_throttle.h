#pragma once
// ArmThrottle: ARM's per-subscription token buckets (reference §2.2: reads 250 burst refilling
// 25/s, writes 200/10/s, deletes 200/10/s). Each ARM request takes one token of its kind; the
// remaining count goes into x-ms-ratelimit-remaining-subscription-<kind>; an empty bucket means
// 429 with Retry-After. Buckets refill in real (unscaled) time: they model request rates, not
// platform delays. Pure: `now` is an argument.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/time_source.h"

namespace frankenetes::sim {

enum class ArmOpType { kRead, kWrite, kDelete };
const char* header_suffix(ArmOpType type);  // "reads" | "writes" | "deletes"

struct BucketSettings {
  double burst = 250;
  double refill_per_second = 25;
};

class TokenBucket {
 public:
  explicit TokenBucket(BucketSettings settings = {});
  struct Take {
    bool allowed = false;
    long remaining = 0;       // after this request
    int retry_after_seconds = 0;  // when refused
  };
  Take take(core::MonotonicTime now);
  void configure(BucketSettings settings, std::optional<double> tokens, core::MonotonicTime now);
  double tokens(core::MonotonicTime now);
  const BucketSettings& settings() const { return settings_; }

 private:
  void refill(core::MonotonicTime now);
  BucketSettings settings_;
  double tokens_;
  std::optional<core::MonotonicTime> last_;
};

class ArmThrottle {
 public:
  ArmThrottle(BucketSettings reads, BucketSettings writes, BucketSettings deletes);
  TokenBucket::Take take(ArmOpType type, core::MonotonicTime now);
  TokenBucket& bucket(ArmOpType type);
  nlohmann::json describe(core::MonotonicTime now);

 private:
  TokenBucket reads_;
  TokenBucket writes_;
  TokenBucket deletes_;
};

}  // namespace frankenetes::sim
