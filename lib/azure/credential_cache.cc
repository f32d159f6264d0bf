#include "azure/credential_cache.h"

#include <algorithm>
#include <utility>

#include "azure/credential_token_response.h"
#include "log/event.h"

namespace frankenetes::azure {

CachingCredential::CachingCredential(std::unique_ptr<TokenCredential> inner,
                                     const core::TimeSource& time,
                                     RefreshErrorReporter on_refresh_error)
    : inner_(std::move(inner)), time_(time), on_refresh_error_(std::move(on_refresh_error)) {}

core::SystemTime CachingCredential::refresh_time(core::SystemTime obtained,
                                                 core::SystemTime expires_on) {
  if (expires_on <= obtained) return obtained;
  const auto margin =
      std::min<core::SystemTime::duration>(kMaxRefreshMargin, (expires_on - obtained) / 2);
  return expires_on - margin;
}

core::Result<AccessToken> CachingCredential::get_token(const std::string& scope) {
  std::unique_lock lock(mutex_);
  Entry& entry = entries_[scope];  // std::map: references stay valid while unlocked
  for (;;) {
    const auto now = time_.system_time();
    const bool valid = entry.token && now < entry.token->expires_on;
    if (valid && now < entry.refresh_at) return *entry.token;
    if (entry.refreshing) {
      if (valid) return *entry.token;  // someone else is renewing it
      // Wait for that attempt and share its outcome rather than queueing up our own.
      const auto attempt = entry.refreshes;
      refreshed_.wait(lock, [&] { return entry.refreshes != attempt; });
      if (entry.last_error && !(entry.token && time_.system_time() < entry.token->expires_on)) {
        return *entry.last_error;
      }
      continue;
    }
    if (valid && now < entry.retry_at) return *entry.token;
    break;
  }

  entry.refreshing = true;
  lock.unlock();
  auto fresh = inner_->get_token(scope);
  lock.lock();
  entry.refreshing = false;
  ++entry.refreshes;
  entry.last_error.reset();
  if (!fresh.ok()) entry.last_error = fresh.error();
  refreshed_.notify_all();

  const auto now = time_.system_time();
  if (fresh.ok()) {
    const auto reported = fresh->expires_on;
    bool clamped = false;
    fresh->expires_on = cap_token_expiry(now, reported, clamped);
    entry.token = *fresh;
    entry.refresh_at = refresh_time(now, fresh->expires_on);
    entry.retry_at = {};
    entry.failure_reported = false;
    lock.unlock();
    if (clamped) {
      log::warn(
          "azure.token.lifetime_clamped",
          {{"credential", inner_->name()},
           {"lifetime_s",
            static_cast<long long>(
                std::chrono::duration_cast<std::chrono::seconds>(reported - now).count())},
           {"max_s",
            static_cast<long long>(
                std::chrono::duration_cast<std::chrono::seconds>(kMaxTokenLifetime).count())}});
    }
    return fresh;
  }
  if (!entry.token || now >= entry.token->expires_on) return fresh.error();

  // The old token still works: keep using it and tell someone, once per failure streak.
  entry.retry_at = now + kRefreshRetryInterval;
  const bool report = !entry.failure_reported && on_refresh_error_;
  entry.failure_reported = true;
  auto cached = *entry.token;
  lock.unlock();
  if (report) on_refresh_error_(inner_->name(), fresh.error());
  return cached;
}

void CachingCredential::invalidate(const std::string& scope, const core::Secret& token) {
  std::lock_guard lock(mutex_);
  const auto it = entries_.find(scope);
  if (it == entries_.end()) return;
  Entry& entry = it->second;
  if (!entry.token || entry.token->token != token) return;  // already replaced
  entry.token.reset();
  entry.refresh_at = {};
  entry.retry_at = {};
}

}  // namespace frankenetes::azure
