#include "sim/arm_throttle.h"

#include <algorithm>
#include <cmath>

namespace frankenetes::sim {

const char* header_suffix(ArmOpType type) {
  switch (type) {
    case ArmOpType::kRead: return "reads";
    case ArmOpType::kWrite: return "writes";
    case ArmOpType::kDelete: return "deletes";
  }
  return "reads";
}

TokenBucket::TokenBucket(BucketSettings settings) : settings_(settings), tokens_(settings.burst) {}

void TokenBucket::refill(core::MonotonicTime now) {
  if (last_ && now > *last_) {
    const double secs = std::chrono::duration<double>(now - *last_).count();
    tokens_ = std::min(settings_.burst, tokens_ + secs * settings_.refill_per_second);
  }
  if (!last_ || now > *last_) last_ = now;
}

double TokenBucket::tokens(core::MonotonicTime now) {
  refill(now);
  return tokens_;
}

TokenBucket::Take TokenBucket::take(core::MonotonicTime now) {
  refill(now);
  if (tokens_ >= 1.0) {
    tokens_ -= 1.0;
    return {true, static_cast<long>(std::floor(tokens_)), 0};
  }
  int wait = 1;
  if (settings_.refill_per_second > 0) {
    wait = std::max(1, static_cast<int>(std::ceil((1.0 - tokens_) / settings_.refill_per_second)));
  } else {
    wait = 60;
  }
  return {false, 0, wait};
}

void TokenBucket::configure(BucketSettings settings, std::optional<double> tokens,
                            core::MonotonicTime now) {
  refill(now);
  settings_ = settings;
  tokens_ = std::min(tokens.value_or(tokens_), settings_.burst);
  last_ = now;
}

ArmThrottle::ArmThrottle(BucketSettings reads, BucketSettings writes, BucketSettings deletes)
    : reads_(reads), writes_(writes), deletes_(deletes) {}

TokenBucket& ArmThrottle::bucket(ArmOpType type) {
  switch (type) {
    case ArmOpType::kRead: return reads_;
    case ArmOpType::kWrite: return writes_;
    case ArmOpType::kDelete: return deletes_;
  }
  return reads_;
}

TokenBucket::Take ArmThrottle::take(ArmOpType type, core::MonotonicTime now) {
  return bucket(type).take(now);
}

nlohmann::json ArmThrottle::describe(core::MonotonicTime now) {
  nlohmann::json out;
  for (auto type : {ArmOpType::kRead, ArmOpType::kWrite, ArmOpType::kDelete}) {
    auto& b = bucket(type);
    out[header_suffix(type)] = {{"burst", b.settings().burst},
                                {"refillPerSecond", b.settings().refill_per_second},
                                {"tokens", b.tokens(now)}};
  }
  return out;
}

}  // namespace frankenetes::sim
