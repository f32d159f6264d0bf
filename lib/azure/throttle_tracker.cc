#include "azure/throttle_tracker.h"

#include <charconv>

#include "azure/arm_paths.h"

namespace frankenetes::azure {
namespace {

std::optional<long> header_number(const http::Headers& headers, std::string_view name) {
  const auto it = headers.find(name);
  if (it == headers.end()) return std::nullopt;
  long value = 0;
  const auto& text = it->second;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

}  // namespace

void ThrottleTracker::record(const std::string& subscription, const http::Headers& headers) {
  const auto reads = header_number(headers, "x-ms-ratelimit-remaining-subscription-reads");
  const auto writes = header_number(headers, "x-ms-ratelimit-remaining-subscription-writes");
  if (!reads && !writes) return;
  const auto now = time_.monotonic_time();
  std::lock_guard lock(mutex_);
  auto& entry = entries_[subscription];
  if (reads) entry.reads = Reading{*reads, now};
  if (writes) entry.writes = Reading{*writes, now};
}

void ThrottleTracker::on_response(const http::ClientRequest& request,
                                  const http::Response& response) {
  record(subscription_of_url(request.url), response.headers);
}

std::optional<long> ThrottleTracker::fresh(const std::optional<Reading>& reading) const {
  if (!reading || time_.monotonic_time() - reading->at > settings_.forget_after) {
    return std::nullopt;
  }
  return reading->value;
}

std::optional<long> ThrottleTracker::remaining_reads(const std::string& subscription) const {
  std::lock_guard lock(mutex_);
  const auto it = entries_.find(subscription);
  return it == entries_.end() ? std::nullopt : fresh(it->second.reads);
}

std::optional<long> ThrottleTracker::remaining_writes(const std::string& subscription) const {
  std::lock_guard lock(mutex_);
  const auto it = entries_.find(subscription);
  return it == entries_.end() ? std::nullopt : fresh(it->second.writes);
}

std::optional<long> ThrottleTracker::min_remaining_reads() const {
  std::lock_guard lock(mutex_);
  std::optional<long> lowest;
  for (const auto& [key, entry] : entries_) {
    const auto value = fresh(entry.reads);
    if (value && (!lowest || *value < *lowest)) lowest = value;
  }
  return lowest;
}

std::vector<std::string> ThrottleTracker::subscriptions() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (const auto& [key, entry] : entries_) out.push_back(key);
  return out;
}

bool ThrottleTracker::should_defer_nonessential(const std::string& subscription) const {
  const auto reads = remaining_reads(subscription);
  return reads && *reads < settings_.defer_below_reads;
}

}  // namespace frankenetes::azure
