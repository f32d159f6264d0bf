// Coordinators against a real Azurite (tests/support/azurite_server.h) on loopback, each with
// its own HTTP client and Blob client as separate daemons would have, on the real clock with
// Blob Storage's shortest lease (15 s, renewEvery 5 s, fencingMargin 2 s). One test walks
// through the life of two replicas on four clusters: they split the clusters with exactly one
// holder each; one is stopped without releasing (kill -9) and the other holds everything within
// leaseDuration + one renewEvery; a third joins and release_all() on the second hands every
// cluster to it at its next tick. Between ticks the test checks, every 100 ms, that no cluster
// has two replicas allowed to act. Skipped without Azurite, except under CI, where it fails.

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <thread>

#include "coordination/blob_coordination_store.h"
#include "coordination/coordinator.h"
#include "coordination/replica_identity.h"
#include "http/client.h"
#include "storage/blob_auth.h"
#include "storage/blob_lease.h"
#include "support/azurite_server.h"

namespace frankenetes::coordination {
namespace {

using namespace std::chrono_literals;
using frankenetes::testing::AzuriteServer;
using Clock = std::chrono::steady_clock;

constexpr auto kLease = 15s;
constexpr auto kRenew = 5s;
const std::vector<std::string> kClusters{"alpha", "bravo", "charlie", "delta"};
constexpr const char* kContainer = "coordination";

// One replica as a daemon would build it: its own HTTP client, Blob client and Coordinator.
struct Replica {
  std::string id;
  std::unique_ptr<http::HttpClient> http;
  std::unique_ptr<storage::SharedKeyAuthorizer> authorizer;
  std::unique_ptr<storage::BlobService> service;
  std::unique_ptr<storage::BlobClient> blobs;
  std::unique_ptr<BlobCoordinationStore> store;
  std::unique_ptr<Coordinator> coordinator;
  Clock::time_point next_tick;
  bool running = true;
};

class CoordinationAzuriteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const auto why = AzuriteServer::unavailable_reason(); !why.empty()) {
      if (AzuriteServer::required()) FAIL() << why << " (CI is set: not skipping)";
      GTEST_SKIP() << why;
    }
    ASSERT_TRUE(azurite_.start()) << azurite_.error();
    auto& first = add_replica("vm-a", false);
    const auto created = first.blobs->create_container();
    ASSERT_TRUE(created.ok()) << created.error().describe();
    replicas_.clear();
  }

  Replica& add_replica(const std::string& id, bool start = true) {
    auto replica = std::make_unique<Replica>();
    replica->id = id;
    http::HttpClientOptions options;
    options.user_agent = "frankenetesd/test " + id;
    options.connect_timeout = 2s;
    auto http = http::HttpClient::create(options);
    EXPECT_TRUE(http.ok());
    replica->http = std::move(*http);
    auto key = storage::AccountKey::create(
        {.value = core::Secret(AzuriteServer::kKey), .file = std::nullopt});
    EXPECT_TRUE(key.ok());
    replica->authorizer =
        std::make_unique<storage::SharedKeyAuthorizer>(AzuriteServer::kAccount, std::move(*key));
    replica->service = std::make_unique<storage::BlobService>(
        *replica->http, *replica->authorizer, time_,
        storage::BlobServiceSettings{.account = AzuriteServer::kAccount,
                                     .endpoint = azurite_.endpoint(),
                                     .version = "test",
                                     .request_timeout = 3s});
    replica->blobs = std::make_unique<storage::BlobClient>(*replica->service, kContainer);
    replica->store = std::make_unique<BlobCoordinationStore>(*replica->blobs);
    replica->coordinator = std::make_unique<Coordinator>(
        *replica->store, time_,
        CoordinatorSettings{.replica_id = id,
                            .incarnation = static_cast<std::uint64_t>(replicas_.size()) + 1,
                            .lease_duration = kLease,
                            .renew_every = kRenew,
                            .fencing_margin = 2s},
        kClusters);
    replica->next_tick = Clock::now();
    replica->running = start;
    replicas_.push_back(std::move(replica));
    return *replicas_.back();
  }

  // Ticks the running replicas on their schedule until `done` or the deadline; between ticks
  // checks every 100 ms that no cluster has two replicas allowed to act (stopped ones
  // included: their fencing must run out by itself). True when `done` held.
  bool run_until(Clock::duration timeout, const std::function<bool()>& done) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      for (auto& replica : replicas_) {
        if (replica->running && replica->next_tick <= Clock::now()) {
          replica->coordinator->tick();
          replica->next_tick += kRenew;
        }
      }
      check_one_actor_per_cluster();
      if (done()) return true;
      std::this_thread::sleep_for(100ms);
    }
    return done();
  }

  void check_one_actor_per_cluster() {
    for (const auto& cluster : kClusters) {
      const auto actors = std::count_if(replicas_.begin(), replicas_.end(), [&](const auto& r) {
        return r->coordinator->may_act(cluster);
      });
      ASSERT_LE(actors, 1) << cluster;
    }
  }

  // Every cluster has exactly one replica allowed to act, a running one.
  bool one_running_holder_each() const {
    return std::all_of(kClusters.begin(), kClusters.end(), [&](const auto& cluster) {
      return std::count_if(replicas_.begin(), replicas_.end(), [&](const auto& r) {
               return r->running && r->coordinator->may_act(cluster);
             }) == 1;
    });
  }

  std::size_t acting_on(const Replica& replica) const {
    return static_cast<std::size_t>(
        std::count_if(kClusters.begin(), kClusters.end(),
                      [&](const auto& cluster) { return replica.coordinator->may_act(cluster); }));
  }

  // The service agrees: a stranger's acquire of any cluster's lease is refused (409). Creating
  // the lease blob again (a replica that has not seen it yet) succeeds and leaves it leased.
  void expect_all_leased(Replica& any) {
    storage::BlobLeaseClient leases(*any.blobs);
    for (const auto& cluster : kClusters) {
      const auto created = any.store->create_lease_blob(cluster);
      EXPECT_TRUE(created.ok()) << created.error().describe();
      const auto stranger = leases.acquire(lease_blob_name(cluster), kLease,
                                           proposed_lease_id("stranger", 0, cluster));
      ASSERT_FALSE(stranger.ok()) << cluster;
      EXPECT_EQ(stranger.error().azure_code, "LeaseAlreadyPresent") << cluster;
    }
  }

  AzuriteServer azurite_;
  core::RealTimeSource time_;
  std::vector<std::unique_ptr<Replica>> replicas_;
};

TEST_F(CoordinationAzuriteTest, ReplicasShareClustersAndHandThemOver) {
  auto& a = add_replica("vm-a");
  auto& b = add_replica("vm-b");
  b.next_tick = Clock::now() + 2500ms;  // out of phase, as separate daemons are

  // 1. Split: each cluster exactly one holder, two each.
  ASSERT_TRUE(run_until(
      20s, [&] { return one_running_holder_each() && acting_on(a) == 2 && acting_on(b) == 2; }))
      << acting_on(a) << "/" << acting_on(b);
  expect_all_leased(a);

  // 2. kill -9 of a, half-way between two of its ticks: no release, no more heartbeats.
  ASSERT_TRUE(run_until(10s, [&] { return a.next_tick - Clock::now() < 2600ms; }));
  a.running = false;
  const auto killed = Clock::now();
  ASSERT_TRUE(run_until(30s, [&] { return acting_on(b) == 4; }));
  const auto moved_after = Clock::now() - killed;
  RecordProperty(
      "kill_handover_ms",
      static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(moved_after).count()));
  // Ticks and requests take some milliseconds on top of the 100 ms polling of this loop.
  EXPECT_LE(moved_after, kLease + kRenew + 500ms);
  EXPECT_EQ(acting_on(a), 0U);
  expect_all_leased(b);

  // 3. c joins and warms up (its first tick only heartbeats); then b shuts down gracefully.
  auto& c = add_replica("vm-c");
  c.next_tick = Clock::now() + 1s;
  const auto first_tick = c.next_tick;
  ASSERT_TRUE(run_until(3s, [&] { return c.next_tick != first_tick; }));
  b.coordinator->release_all();
  b.running = false;
  EXPECT_EQ(acting_on(b), 0U);
  const auto released = Clock::now();
  ASSERT_TRUE(run_until(15s, [&] { return acting_on(c) == 4; }));
  const auto handed_after = Clock::now() - released;
  RecordProperty("release_all_handover_ms",
                 static_cast<int>(
                     std::chrono::duration_cast<std::chrono::milliseconds>(handed_after).count()));
  EXPECT_LE(handed_after, kRenew + 1s);  // c's next tick, plus its requests on a busy machine
  expect_all_leased(c);
  c.coordinator->release_all();
}

}  // namespace
}  // namespace frankenetes::coordination
