#pragma once
// FakeBlobLeases: an in-memory container of coordination blobs that keeps Blob Storage's lease
// rules (as Azurite answers them, shared/reference/etcd-and-blob.md) on a FakeTimeSource's
// monotonic clock: acquire by another id while held → 409, re-acquire with the holder's id →
// renewal, renew or release with a wrong id or after another acquired → 409, lease on a missing
// blob → 404, an expired lease can be acquired by anyone and renewed by its old holder as long
// as nobody else took it. FakeStoreClient is one replica's view of it, with faults: the store
// unreachable (transient errors, nothing applied), answers lost after the call was applied,
// and a latency that moves the fake clock between sending and the service applying a call.
//
// Tests run several Coordinators against one FakeBlobLeases on one thread.

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "coordination/coordination_store.h"
#include "coordination/replica_identity.h"
#include "support/fake_time_source.h"

namespace frankenetes::coordination::testing {

class FakeBlobLeases {
 public:
  explicit FakeBlobLeases(frankenetes::testing::FakeTimeSource& time) : time_(time) {}

  struct Lease {
    std::string id;
    core::MonotonicTime expires{};
    std::chrono::seconds duration{};
    bool released = false;
  };
  struct Blob {
    int version = 0;
    std::optional<int> held;
    core::SystemTime last_modified{};
    std::optional<Lease> lease;
  };

  core::MonotonicTime now() const { return time_.monotonic_time(); }

  storage::LeaseState state(const Blob& blob) const {
    if (!blob.lease || blob.lease->released) return storage::LeaseState::kAvailable;
    return now() < blob.lease->expires ? storage::LeaseState::kLeased
                                       : storage::LeaseState::kExpired;
  }
  bool active(const Blob& blob) const { return state(blob) == storage::LeaseState::kLeased; }

  // The id holding an active lease on leases/<cluster>, "" when none.
  std::string holder(const std::string& cluster) const {
    const auto it = blobs_.find(lease_blob_name(cluster));
    if (it == blobs_.end() || !active(it->second)) return "";
    return it->second.lease->id;
  }

  std::map<std::string, Blob>& blobs() { return blobs_; }
  int versions = 0;  // ETags: every write gets a new one
  int calls(const std::string& kind) const {
    const auto it = calls_.find(kind);
    return it == calls_.end() ? 0 : it->second;
  }
  void count(const std::string& kind) { ++calls_[kind]; }

 private:
  frankenetes::testing::FakeTimeSource& time_;
  std::map<std::string, Blob> blobs_;
  std::map<std::string, int> calls_;
};

class FakeStoreClient final : public CoordinationStore {
 public:
  FakeStoreClient(FakeBlobLeases& leases, frankenetes::testing::FakeTimeSource& time)
      : leases_(leases), time_(time) {}

  bool reachable = true;
  // Per call kind ("list", "heartbeat", "create", "acquire", "renew", "release"): how many of
  // the next calls are applied but answered with a timeout, and the time between sending a
  // call and the service applying it (the fake clock moves by it).
  std::map<std::string, int> lose_answers;
  std::map<std::string, core::Duration> latency;

  core::Result<std::vector<HeartbeatSighting>> list_heartbeats() override {
    if (auto failed = arrive("list"); !failed.ok()) return failed.error();
    std::vector<HeartbeatSighting> out;
    for (const auto& [name, blob] : leases_.blobs()) {
      if (!name.starts_with(kHeartbeatPrefix)) continue;
      out.push_back({.replica = name.substr(kHeartbeatPrefix.size()),
                     .etag = "\"" + std::to_string(blob.version) + "\"",
                     .held = blob.held,
                     .last_modified = blob.last_modified});
    }
    return answer(std::move(out));
  }

  core::Result<std::optional<core::SystemTime>> put_heartbeat(const std::string& replica,
                                                              int held) override {
    if (auto failed = arrive("heartbeat"); !failed.ok()) return failed.error();
    auto& blob = leases_.blobs()[heartbeat_blob_name(replica)];
    blob.version = ++leases_.versions;
    blob.held = held;
    // Last-Modified is an HTTP date: whole seconds.
    blob.last_modified = std::chrono::floor<std::chrono::seconds>(time_.system_time());
    return answer(std::optional<core::SystemTime>(blob.last_modified));
  }

  core::Status delete_heartbeat(const std::string& replica) override {
    if (auto failed = arrive("heartbeat"); !failed.ok()) return failed;
    if (leases_.blobs().erase(heartbeat_blob_name(replica)) == 0) {
      return answer_status(not_found());
    }
    return answer_status({});
  }

  core::Result<std::vector<LeaseBlob>> list_leases() override {
    if (auto failed = arrive("list"); !failed.ok()) return failed.error();
    std::vector<LeaseBlob> out;
    for (const auto& [name, blob] : leases_.blobs()) {
      if (!name.starts_with(kLeasePrefix)) continue;
      out.push_back({.cluster = name.substr(kLeasePrefix.size()), .state = leases_.state(blob)});
    }
    return answer(std::move(out));
  }

  core::Status create_lease_blob(const std::string& cluster) override {
    if (auto failed = arrive("create"); !failed.ok()) return failed;
    leases_.blobs().try_emplace(lease_blob_name(cluster));
    return answer_status({});
  }

  core::Status acquire(const std::string& cluster, const std::string& lease_id,
                       std::chrono::seconds duration) override {
    if (auto failed = arrive("acquire"); !failed.ok()) return failed;
    auto* blob = find(cluster);
    if (blob == nullptr) return answer_status(not_found());
    if (leases_.active(*blob) && blob->lease->id != lease_id) {
      return answer_status(conflict("LeaseAlreadyPresent"));
    }
    blob->lease = FakeBlobLeases::Lease{
        .id = lease_id, .expires = leases_.now() + duration, .duration = duration};
    return answer_status({});
  }

  core::Status renew(const std::string& cluster, const std::string& lease_id) override {
    if (auto failed = arrive("renew"); !failed.ok()) return failed;
    auto* blob = find(cluster);
    if (blob == nullptr) return answer_status(not_found());
    // An expired lease can be renewed by its holder while nobody else acquired it.
    if (!blob->lease || blob->lease->released || blob->lease->id != lease_id) {
      return answer_status(conflict("LeaseIdMismatchWithLeaseOperation"));
    }
    blob->lease->expires = leases_.now() + blob->lease->duration;
    return answer_status({});
  }

  core::Status release(const std::string& cluster, const std::string& lease_id) override {
    if (auto failed = arrive("release"); !failed.ok()) return failed;
    auto* blob = find(cluster);
    if (blob == nullptr) return answer_status(not_found());
    if (!blob->lease || blob->lease->released || blob->lease->id != lease_id) {
      return answer_status(conflict("LeaseIdMismatchWithLeaseOperation"));
    }
    blob->lease->released = true;
    return answer_status({});
  }

 private:
  static core::Error conflict(const char* code) {
    auto error = core::make_error(core::ErrorKind::kConflict, "blob.lease: conflict", 409);
    error.azure_code = code;
    return error;
  }
  static core::Error not_found() {
    auto error = core::make_error(core::ErrorKind::kNotFound, "blob.lease: not found", 404);
    error.azure_code = "BlobNotFound";
    return error;
  }

  // The call reaches the service after `latency`, or not at all.
  core::Status arrive(const std::string& kind) {
    leases_.count(kind);
    kind_ = kind;
    if (const auto it = latency.find(kind); it != latency.end()) time_.advance(it->second);
    if (!reachable) return core::timeout_error("storage unreachable");
    return {};
  }
  // The call was applied; its answer may still be lost.
  core::Status answer_status(core::Status status) {
    if (auto& lost = lose_answers[kind_]; lost > 0) {
      --lost;
      return core::timeout_error("answer lost");
    }
    return status;
  }
  template <typename T>
  core::Result<T> answer(T value) {
    if (auto lost = answer_status({}); !lost.ok()) return lost.error();
    return value;
  }

  FakeBlobLeases::Blob* find(const std::string& cluster) {
    const auto it = leases_.blobs().find(lease_blob_name(cluster));
    return it == leases_.blobs().end() ? nullptr : &it->second;
  }

  FakeBlobLeases& leases_;
  frankenetes::testing::FakeTimeSource& time_;
  std::string kind_;
};

}  // namespace frankenetes::coordination::testing
