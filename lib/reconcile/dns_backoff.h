#pragma once
// DnsProviderBackoff: how long the DNS pipeline leaves one provider alone after a call to it
// failed (a read, or an update refused with anything but a conflict). A value type: the
// DnsSynchronizer keeps one per provider identity (DnsProviderSet::Entry::key), asks it before
// reading and tells it how each call went. Every member takes `now`, so tests drive it with
// plain time points. It neither logs nor counts: DnsReporter says what happened.
//
// The delay starts at kInitial and doubles, capped by the caller at one poll interval: once the
// provider is back a correction is never delayed by more than a pass; the back-off only thins
// out calls when passes come faster than that (GETs, requeues).

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>

#include "core/backoff.h"
#include "core/time_source.h"

namespace frankenetes::reconcile {

class DnsProviderBackoff {
 public:
  static constexpr core::Duration kInitial = std::chrono::seconds(1);

  // True while the provider must not be called: the delay of its last failure has not passed.
  bool backing_off(core::MonotonicTime now) const { return retry_at_ && now < *retry_at_; }

  // A call failed at `now`; returns how long the provider is now left alone (at most `cap`,
  // never less than kInitial).
  core::Duration failed(core::MonotonicTime now, core::Duration cap) {
    const core::BackoffPolicy policy{kInitial, std::max(kInitial, cap), 2.0};
    const auto delay = core::backoff_delay(policy, failures_);
    ++failures_;
    retry_at_ = now + delay;
    return delay;
  }

  // A call succeeded; true when that ends a run of failures (the provider recovered).
  bool succeeded() {
    const bool recovered = failures_ > 0;
    failures_ = 0;
    retry_at_.reset();
    return recovered;
  }

  // Failures since the last success.
  std::uint32_t failures() const { return failures_; }

 private:
  std::uint32_t failures_ = 0;
  std::optional<core::MonotonicTime> retry_at_;
};

}  // namespace frankenetes::reconcile
