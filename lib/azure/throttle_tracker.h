#pragma once
// ThrottleTracker: remembers ARM's remaining-request headers
// (x-ms-ratelimit-remaining-subscription-reads / -writes: "Azure Resource Manager request
// limits and throttling") from every response, per subscription, so the observation loop can
// slow non-essential reads (GETs of healthy groups) before ARM starts answering 429, and the
// daemon can export frankenetes_arm_ratelimit_remaining_reads. Fed by http::ObservingTransport
// as its ResponseListener. Thread-safe.
// A reading older than `forget_after` is ignored: ARM's bucket refills (25 reads/s).

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/time_source.h"
#include "http/message.h"
#include "http/observing_transport.h"

namespace frankenetes::azure {

struct ThrottleTrackerSettings {
  long defer_below_reads = 50;  // of a 250-token per-principal bucket
  core::Duration forget_after{std::chrono::seconds(60)};
};

class ThrottleTracker final : public http::ResponseListener {
 public:
  explicit ThrottleTracker(core::TimeSource& time, ThrottleTrackerSettings settings = {})
      : time_(time), settings_(settings) {}

  // Reads the headers of a response to a request for `subscription` ("" when unknown).
  void record(const std::string& subscription, const http::Headers& headers);
  // record() for the subscription in the request URL.
  void on_response(const http::ClientRequest& request, const http::Response& response) override;

  std::optional<long> remaining_reads(const std::string& subscription) const;
  std::optional<long> remaining_writes(const std::string& subscription) const;
  // The lowest fresh remaining-reads value over all subscriptions (for the one gauge).
  std::optional<long> min_remaining_reads() const;
  // True while the fresh remaining-reads value is below settings.defer_below_reads.
  bool should_defer_nonessential(const std::string& subscription) const;
  // The subscriptions ARM has answered for, fresh readings or not ("" when the URL named none).
  std::vector<std::string> subscriptions() const;
  const ThrottleTrackerSettings& settings() const { return settings_; }

 private:
  struct Reading {
    long value = 0;
    core::MonotonicTime at{};
  };
  struct Entry {
    std::optional<Reading> reads;
    std::optional<Reading> writes;
  };
  std::optional<long> fresh(const std::optional<Reading>& reading) const;

  core::TimeSource& time_;
  const ThrottleTrackerSettings settings_;
  mutable std::mutex mutex_;
  std::map<std::string, Entry> entries_;
};

}  // namespace frankenetes::azure
