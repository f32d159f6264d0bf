#include "azure/credential_cache.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <thread>

#include "azure/credential_fakes.h"
#include "azure/credential_token_response.h"
#include "support/fake_time_source.h"

namespace frankenetes::azure {
namespace {

using namespace credential_testing;
using std::chrono::minutes;
using std::chrono::seconds;

struct Reported {
  std::string credential;
  core::Error error;
};

class CachingCredentialTest : public ::testing::Test {
 protected:
  CachingCredentialTest() {
    auto inner = std::make_unique<ScriptedCredential>("managed_identity");
    inner_ = inner.get();
    cache_ = std::make_unique<CachingCredential>(
        std::move(inner), time_, [this](const std::string& credential, const core::Error& error) {
          reported_.push_back({credential, error});
        });
  }
  core::SystemTime in(core::SystemTime::duration d) const { return time_.system_time() + d; }
  std::string token(const std::string& scope = kArmScope) {
    auto result = cache_->get_token(scope);
    if (!result.ok()) return "error: " + result.error().message;
    return result->token.reveal();
  }

  testing::FakeTimeSource time_;
  ScriptedCredential* inner_ = nullptr;
  std::unique_ptr<CachingCredential> cache_;
  std::vector<Reported> reported_;
};

TEST_F(CachingCredentialTest, RefreshTimeIsFiveMinutesOrHalfTheLifetimeEarly) {
  const core::SystemTime t0{seconds(1767225600)};
  EXPECT_EQ(CachingCredential::refresh_time(t0, t0 + seconds(3599)), t0 + seconds(3299));
  EXPECT_EQ(CachingCredential::refresh_time(t0, t0 + seconds(60)), t0 + seconds(30));
  EXPECT_EQ(CachingCredential::refresh_time(t0, t0 + minutes(10)), t0 + minutes(5));
  EXPECT_EQ(CachingCredential::refresh_time(t0, t0), t0);
  EXPECT_EQ(CachingCredential::refresh_time(t0, t0 - seconds(1)), t0);
}

TEST_F(CachingCredentialTest, SixtySecondTokensAreRenewedBeforeTheyExpire) {
  inner_->reply("t1", in(seconds(60)));
  EXPECT_EQ(token(), "t1");
  EXPECT_EQ(inner_->calls(), 1);

  // While fresh: no request at all.
  for (int i = 0; i < 29; ++i) {
    time_.advance(seconds(1));
    EXPECT_EQ(token(), "t1");
  }
  EXPECT_EQ(inner_->calls(), 1);

  // Half-way through its life the token is renewed, 30 s before it would expire.
  time_.advance(seconds(1));
  inner_->reply("t2", in(seconds(60)));
  EXPECT_EQ(token(), "t2");
  EXPECT_EQ(inner_->calls(), 2);
  time_.advance(seconds(29));
  EXPECT_EQ(token(), "t2");
  EXPECT_EQ(inner_->calls(), 2);
  time_.advance(seconds(1));
  inner_->reply("t3", in(seconds(60)));
  EXPECT_EQ(token(), "t3");
  EXPECT_TRUE(reported_.empty());
}

TEST_F(CachingCredentialTest, HourLongTokensAreRenewedFiveMinutesEarly) {
  inner_->reply("t1", in(seconds(3599)));
  EXPECT_EQ(token(), "t1");
  time_.advance(seconds(3298));
  EXPECT_EQ(token(), "t1");
  EXPECT_EQ(inner_->calls(), 1);
  time_.advance(seconds(1));
  inner_->reply("t2", in(seconds(3599)));
  EXPECT_EQ(token(), "t2");
  EXPECT_EQ(inner_->calls(), 2);
}

TEST_F(CachingCredentialTest, CachesPerScope) {
  inner_->reply("arm", in(minutes(60)));
  inner_->reply("vault", in(minutes(60)));
  EXPECT_EQ(token(kArmScope), "arm");
  EXPECT_EQ(token("https://vault.azure.net/.default"), "vault");
  EXPECT_EQ(token(kArmScope), "arm");
  EXPECT_EQ(token("https://vault.azure.net/.default"), "vault");
  EXPECT_EQ(inner_->scopes(),
            (std::vector<std::string>{kArmScope, "https://vault.azure.net/.default"}));
}

TEST_F(CachingCredentialTest, FailedRefreshKeepsTheValidTokenAndReportsOnce) {
  inner_->reply("t1", in(seconds(60)));
  EXPECT_EQ(token(), "t1");
  time_.advance(seconds(30));

  inner_->fail(core::ErrorKind::kTransient, "IMDS answered 503");
  EXPECT_EQ(token(), "t1");
  ASSERT_EQ(reported_.size(), 1u);
  EXPECT_EQ(reported_[0].credential, "managed_identity");
  EXPECT_EQ(reported_[0].error.message, "IMDS answered 503");

  // No retry storm: the next attempt waits kRefreshRetryInterval.
  time_.advance(kRefreshRetryInterval - seconds(1));
  EXPECT_EQ(token(), "t1");
  EXPECT_EQ(inner_->calls(), 2);

  // Still failing: still served from cache, not reported again.
  time_.advance(seconds(1));
  inner_->fail(core::ErrorKind::kTransient, "IMDS answered 503 again");
  EXPECT_EQ(token(), "t1");
  EXPECT_EQ(inner_->calls(), 3);
  EXPECT_EQ(reported_.size(), 1u);

  // Recovery resets the streak; a later failure is reported again.
  time_.advance(kRefreshRetryInterval);
  inner_->reply("t2", in(seconds(60)));
  EXPECT_EQ(token(), "t2");
  time_.advance(seconds(30));
  inner_->fail(core::ErrorKind::kTerminal, "invalid_client");
  EXPECT_EQ(token(), "t2");
  EXPECT_EQ(reported_.size(), 2u);
}

TEST_F(CachingCredentialTest, ExpiredTokenAndFailedRefreshIsAnError) {
  inner_->reply("t1", in(seconds(60)));
  EXPECT_EQ(token(), "t1");
  time_.advance(seconds(60));
  inner_->fail(core::ErrorKind::kTransient, "IMDS unreachable");
  EXPECT_EQ(token(), "error: IMDS unreachable");
  // Without a usable token there is nothing to wait for: the next call asks again.
  inner_->reply("t2", in(seconds(60)));
  EXPECT_EQ(token(), "t2");
  EXPECT_TRUE(reported_.empty());
}

TEST_F(CachingCredentialTest, FirstFailureIsReturnedNotReported) {
  inner_->fail(core::ErrorKind::kTerminal, "invalid_client");
  EXPECT_EQ(token(), "error: invalid_client");
  inner_->reply("t1", in(seconds(60)));
  EXPECT_EQ(token(), "t1");
  EXPECT_TRUE(reported_.empty());
  EXPECT_EQ(cache_->name(), "managed_identity");
}

// A credential whose get_token blocks until the test releases it.
class GatedCredential final : public TokenCredential {
 public:
  explicit GatedCredential(const core::TimeSource& time) : time_(time) {}
  core::Result<AccessToken> get_token(const std::string&) override {
    std::unique_lock lock(mutex_);
    ++calls_;
    entered_.notify_all();
    released_.wait(lock, [&] { return open_; });
    if (fail_) return make_error(core::ErrorKind::kTransient, "gated failure");
    return AccessToken{core::Secret("gated-" + std::to_string(calls_)),
                       time_.system_time() + seconds(60)};
  }
  std::string name() const override { return "gated"; }

  void wait_until_entered(int calls) {
    std::unique_lock lock(mutex_);
    entered_.wait(lock, [&] { return calls_ >= calls; });
  }
  void release(bool fail = false) {
    std::lock_guard lock(mutex_);
    open_ = true;
    fail_ = fail;
    released_.notify_all();
  }
  int calls() {
    std::lock_guard lock(mutex_);
    return calls_;
  }

 private:
  const core::TimeSource& time_;
  std::mutex mutex_;
  std::condition_variable entered_;
  std::condition_variable released_;
  int calls_ = 0;
  bool open_ = false;
  bool fail_ = false;
};

TEST(CachingCredentialConcurrencyTest, ConcurrentFirstCallersShareOneRequest) {
  testing::FakeTimeSource time;
  auto inner = std::make_unique<GatedCredential>(time);
  auto* gate = inner.get();
  CachingCredential cache(std::move(inner), time);

  std::vector<std::string> tokens(4);
  std::vector<std::thread> threads;
  threads.emplace_back([&] { tokens[0] = cache.get_token(kArmScope)->token.reveal(); });
  gate->wait_until_entered(1);
  for (int i = 1; i < 4; ++i) {
    threads.emplace_back([&, i] { tokens[i] = cache.get_token(kArmScope)->token.reveal(); });
  }
  gate->release();
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(gate->calls(), 1);
  for (const auto& t : tokens) EXPECT_EQ(t, "gated-1");
}

TEST(CachingCredentialConcurrencyTest, WaitersShareAFailedFirstRequest) {
  testing::FakeTimeSource time;
  auto inner = std::make_unique<GatedCredential>(time);
  auto* gate = inner.get();
  CachingCredential cache(std::move(inner), time);

  std::vector<std::string> errors(3);
  std::vector<std::thread> threads;
  auto call = [&](int i) {
    auto result = cache.get_token(kArmScope);
    errors[static_cast<std::size_t>(i)] = result.ok() ? "ok" : result.error().message;
  };
  threads.emplace_back(call, 0);
  gate->wait_until_entered(1);
  threads.emplace_back(call, 1);
  threads.emplace_back(call, 2);
  // Waiters that block on the refresh in flight get its error; one that arrives after it
  // makes its own request, which the open gate fails too. Either way: the error, no hang.
  gate->release(/*fail=*/true);
  for (auto& thread : threads) thread.join();
  for (const auto& e : errors) EXPECT_EQ(e, "gated failure");
  EXPECT_LE(gate->calls(), 3);
}

// Whatever the inner credential says (the Azure CLI's year 9999, a broken IMDS), a
// token is kept at most kMaxTokenLifetime and renewed before then.
TEST_F(CachingCredentialTest, LifetimeIsCappedAtADay) {
  inner_->reply("forever", time_from_epoch_seconds(253402300799));
  inner_->reply("next", in(std::chrono::hours(1)));
  const auto first = cache_->get_token(kArmScope);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->expires_on, in(kMaxTokenLifetime));
  time_.advance(kMaxTokenLifetime - minutes(5) - seconds(1));
  EXPECT_EQ(token(), "forever");
  EXPECT_EQ(inner_->calls(), 1);
  time_.advance(seconds(1));  // five minutes before the capped expiry
  EXPECT_EQ(token(), "next");
  EXPECT_EQ(inner_->calls(), 2);
}

// A token ARM refused (401) is dropped; the next caller gets a new one at once.
TEST_F(CachingCredentialTest, InvalidateDropsOnlyTheRefusedToken) {
  inner_->reply("t1", in(std::chrono::hours(1)));
  inner_->reply("t2", in(std::chrono::hours(1)));
  EXPECT_EQ(token(), "t1");
  cache_->invalidate(kArmScope, core::Secret("someone-elses"));      // not ours: kept
  cache_->invalidate("https://other/.default", core::Secret("t1"));  // other scope: kept
  EXPECT_EQ(token(), "t1");
  EXPECT_EQ(inner_->calls(), 1);
  cache_->invalidate(kArmScope, core::Secret("t1"));
  EXPECT_EQ(token(), "t2");
  EXPECT_EQ(inner_->calls(), 2);
  cache_->invalidate(kArmScope, core::Secret("t1"));  // late duplicate: t2 stays
  EXPECT_EQ(token(), "t2");
  EXPECT_EQ(inner_->calls(), 2);
}

TEST_F(CachingCredentialTest, InvalidateThenFailedRefreshIsAnErrorNotTheRefusedToken) {
  inner_->reply("t1", in(std::chrono::hours(1)));
  inner_->fail(core::ErrorKind::kTransient, "IMDS busy");
  EXPECT_EQ(token(), "t1");
  cache_->invalidate(kArmScope, core::Secret("t1"));
  EXPECT_EQ(token(), "error: IMDS busy");
  EXPECT_TRUE(reported_.empty());  // nothing valid was kept, so nothing to report
}

}  // namespace
}  // namespace frankenetes::azure
