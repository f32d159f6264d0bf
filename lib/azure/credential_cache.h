#pragma once
// CachingCredential: wraps any TokenCredential, keeps one token per scope and asks the inner
// credential again shortly before the token expires — min(5 min, half the token's lifetime)
// early, so the simulator's 60-second tokens are renewed after 30 s and Entra's one-hour
// tokens 5 minutes early (reference §3.4). Thread-safe: callers with a fresh token never
// wait; at most one refresh per scope is in flight, and while it runs callers still holding
// a valid token use it.
//
// If a refresh fails while the cached token is still valid, the cached token keeps being
// used, the failure is reported once through `on_refresh_error` (until a refresh succeeds
// again), and the refresh is retried at most every `kRefreshRetryInterval`.
//
// A token's lifetime is capped at kMaxTokenLifetime (credential_token_response.h) whatever the
// inner credential said (log event azure.token.lifetime_clamped), so an expiry years away
// never pins a token. invalidate() drops a token a service refused (401); the next caller
// fetches a new one at once.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "azure/token_credential.h"
#include "core/error.h"
#include "core/time_source.h"

namespace frankenetes::azure {

inline constexpr std::chrono::seconds kMaxRefreshMargin{std::chrono::minutes(5)};
inline constexpr std::chrono::seconds kRefreshRetryInterval{5};

// Called (outside any lock) with the inner credential's name and the refresh failure.
using RefreshErrorReporter = std::function<void(const std::string& credential, const core::Error&)>;

class CachingCredential final : public TokenCredential {
 public:
  CachingCredential(std::unique_ptr<TokenCredential> inner, const core::TimeSource& time,
                    RefreshErrorReporter on_refresh_error = {});

  core::Result<AccessToken> get_token(const std::string& scope) override;
  std::string name() const override { return inner_->name(); }
  // Drops the cached token of `scope` if it is `token` (a newer one is kept), and lets the
  // next get_token() refresh at once, without the kRefreshRetryInterval pause.
  void invalidate(const std::string& scope, const core::Secret& token) override;

  TokenCredential& inner() { return *inner_; }

  // When a token obtained at `obtained` and expiring at `expires_on` should be renewed.
  static core::SystemTime refresh_time(core::SystemTime obtained, core::SystemTime expires_on);

 private:
  struct Entry {
    std::optional<AccessToken> token;
    core::SystemTime refresh_at{};
    core::SystemTime retry_at{};  // after a failed refresh, not before this
    bool refreshing = false;
    bool failure_reported = false;
    std::uint64_t refreshes = 0;            // completed refresh attempts
    std::optional<core::Error> last_error;  // of the last attempt, if it failed
  };

  std::unique_ptr<TokenCredential> inner_;
  const core::TimeSource& time_;
  RefreshErrorReporter on_refresh_error_;
  std::mutex mutex_;
  std::condition_variable refreshed_;
  std::map<std::string, Entry> entries_;  // by scope; guarded by mutex_
};

}  // namespace frankenetes::azure
