#pragma once
// ReplicaLiveness: which replicas are alive, as seen through their heartbeat blobs
// (replicas/<id>, rewritten by every replica on every tick). Pure; fed by the Coordinator with
// each listing of replicas/ and the monotonic time it was taken.
//
// A replica is live while its heartbeat's ETag changed within `window` of now, measured by our
// own monotonic clock. A heartbeat seen for the first time has no change to measure, so its age
// is estimated on the service's clock alone, never comparing it with ours: our own heartbeat's
// Last-Modified plus the time since we sent it (our monotonic clock) is the service's "now",
// and the difference to the other heartbeat's Last-Modified is its age (to the second, the
// resolution of an HTTP date). Without that reference (before our first heartbeat was
// answered) a first sighting counts as a change now, until a listing with the reference in hand
// ages it properly.
// Liveness only shapes the fair share (lease_plan.h); safety never depends on it — a replica
// wrongly thought dead keeps its leases, one wrongly thought live only slows a hand-over.
//
// Coordinator uses window = leaseDuration - renewEvery: a replica killed right after its last
// renew is then seen dead no later than its leases expire (the change is seen at most one
// renewEvery after it was written), so its clusters move within leaseDuration + renewEvery.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/time_source.h"

namespace frankenetes::coordination {

// One heartbeat blob in a listing.
struct HeartbeatSighting {
  std::string replica{};
  std::string etag{};
  std::optional<int> held{};  // the replica's own count of clusters it holds (blob metadata)
  std::optional<core::SystemTime> last_modified{};  // the service's clock

  bool operator==(const HeartbeatSighting&) const = default;
};

class ReplicaLiveness {
 public:
  ReplicaLiveness(std::string self, core::Duration window)
      : self_(std::move(self)), window_(window) {}

  // A complete listing of replicas/ (heartbeats missing from it are forgotten).
  void observe(const std::vector<HeartbeatSighting>& heartbeats, core::MonotonicTime now);
  // Our own heartbeat write: the Last-Modified it was answered with and when it was sent.
  void our_heartbeat(core::SystemTime last_modified, core::MonotonicTime sent) {
    reference_ = Reference{last_modified, sent};
  }

  // Live replicas, sorted; always includes self.
  std::vector<std::string> live(core::MonotonicTime now) const;
  // The counts live other replicas reported (those that sent one).
  std::map<std::string, int> reported_holdings(core::MonotonicTime now) const;

 private:
  struct Seen {
    std::string etag;
    core::MonotonicTime changed;
    std::optional<int> held;
    bool provisional = false;  // `changed` guessed without a reference
  };
  bool is_live(const Seen& seen, core::MonotonicTime now) const {
    return now - seen.changed <= window_;
  }

  struct Reference {
    core::SystemTime last_modified;
    core::MonotonicTime sent;
  };
  // When a heartbeat first seen at `now` was last written, by our clock.
  core::MonotonicTime first_change(const HeartbeatSighting& heartbeat,
                                   core::MonotonicTime now) const;

  std::string self_;
  core::Duration window_;
  std::map<std::string, Seen> replicas_;
  std::optional<Reference> reference_;
};

}  // namespace frankenetes::coordination
