#pragma once
// Observations: timestamped facts about members, the planner's only view of the world. Every
// observation carries the monotonic time it was taken so the planner can treat data older
// than policy.staleAfter as unknown (never act on stale state). Pure value types.

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "core/time_source.h"
#include "model/container_group.h"

namespace frankenetes::model {

// Identifies a member across the daemon: cluster name + member name from the config.
struct MemberKey {
  std::string cluster;
  std::string member;

  auto operator<=>(const MemberKey&) const = default;
  std::string to_string() const { return cluster + "/" + member; }
};

// For unordered containers on hot paths (every probe looks members up several times; a
// std::map compares cluster names, which share long prefixes, a dozen times per lookup).
struct MemberKeyHash {
  std::size_t operator()(const MemberKey& key) const noexcept {
    const std::size_t h = std::hash<std::string>{}(key.cluster);
    return h ^ (std::hash<std::string>{}(key.member) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
  }
};

// The result of the latest ARM GET of a member's group.
struct GroupObservation {
  enum class Outcome {
    kFound,     // view is set
    kNotFound,  // ARM's error envelope said ResourceNotFound / ResourceGroupNotFound (404)
    kError,     // the read failed (ARM error, throttling, token, TLS, a 404 without ARM's
                // envelope): state is UNKNOWN
  };
  Outcome outcome = Outcome::kError;
  // Shared, never changed once read: the observer's latest reading, every pass's observations
  // and the DNS synchronizer's copy point at one view (full copies of every view were the
  // bulk of the daemon's heap at 1000 clusters).
  std::shared_ptr<const ContainerGroupView> view;
  // kNotFound / kError: what the read answered. Shared, never changed, like `view`: a pointer
  // is 16 bytes where a core::Error is 120, in every member of every pass's observations.
  std::shared_ptr<const core::Error> error;
  core::MonotonicTime observed_at{};  // when the answer arrived
  // When the request left; a reading sent before the member's last action finished never
  // drives the next action. Unset (hand-made observations): observed_at.
  std::optional<core::MonotonicTime> sent_at;
  // kNotFound only: the absence is proven (README.md "Never making it worse"): this
  // 404, an earlier 404 at least one poll interval before it, and a LIST sent after the
  // first 404 that did not contain the group. An unproven 404 is unknown, not gone.
  bool gone_confirmed = false;
  std::string gone_evidence;  // for people: what proves it, or what proof is still missing

  // kFound only: when the newest LIST sent after this GET arrived and showed the group just as
  // the GET did (present, same IP and provisioningState). LIST carries no instanceView, so it
  // vouches for what it shows, not for health: the planner lets it keep a healthy reading
  // current, never lets it justify an action (plan/health.h).
  std::optional<core::MonotonicTime> vouched_at;

  core::MonotonicTime sent() const { return sent_at.value_or(observed_at); }
};

// How one probe of a member's health endpoint ended.
enum class ProbeOutcome {
  kOk,            // a healthy answer
  kHttpError,     // an answer that is not healthy: non-2xx, etcd "health":"false", not HTTP
  kConnectError,  // no answer: name not resolved, connection refused, reset or closed
  kTimeout,       // no answer within probe.timeout
  // The TLS handshake failed: the certificate is not trusted (probe.caFile missing or wrong),
  // expired, or for another name, or the peer does not speak TLS. Evidence about trust
  // settings or certificates, not about the member's health: a restart cannot fix it.
  kTls,
};

constexpr std::string_view to_string(ProbeOutcome outcome) {
  switch (outcome) {
    case ProbeOutcome::kOk: return "ok";
    case ProbeOutcome::kHttpError: return "http_error";
    case ProbeOutcome::kConnectError: return "connect_error";
    case ProbeOutcome::kTimeout: return "timeout";
    case ProbeOutcome::kTls: return "tls";
  }
  return "unknown";
}

// The member's own health endpoint, probed on its own period (costs no ARM budget).
struct ProbeObservation {
  bool configured = false;
  std::optional<bool> last_success;  // nullopt until the first probe completed
  int consecutive_failures = 0;
  int consecutive_successes = 0;
  // When the first failure of the current streak was observed; nullopt while the latest
  // probe succeeded (and on hand-made observations). An unhealthy verdict from the probe needs
  // a GET sent at or after it: the group's state read before the streak began is no proof of
  // what the streak means (plan/health.h).
  std::optional<core::MonotonicTime> failing_since;
  std::string last_error;  // "connect: connection refused", "HTTP 500", "timeout after 2s"
  core::MonotonicTime observed_at{};
  // How the latest probe ended; nullopt until the first probe completed. kTls: the latest
  // failure was a TLS failure (consecutive_failures still counts it).
  std::optional<ProbeOutcome> last_outcome;
  // How many failures of the current streak were TLS failures: only the others can make a
  // member probe_failing (a certificate problem is never remediated, plan/health.h).
  int consecutive_tls_failures = 0;
  // How long the latest probe took; nullopt until the first probe completed.
  std::optional<core::Duration> last_duration;
};

// An etcd member's snapshots in Blob Storage, as far as the daemon knows
// (reconcile/etcd_guard.h): what lets the planner allow a rung that replaces etcd's
// deployment (plan/plan.h).
struct SnapshotObservation {
  // The newest snapshot that was verified (SHA-256 trailer) and uploaded, or found in the
  // container at start; nullopt: none known.
  std::optional<core::MonotonicTime> verified_at;
  std::string verified_name;  // its blob name
  bool in_progress = false;   // a snapshot of the member is being taken
  // The latest attempt failed (no success since): when, and why.
  std::optional<core::MonotonicTime> failed_at;
  std::string error;
};

struct MemberObservation {
  MemberKey key;
  std::optional<GroupObservation> group;  // nullopt: never observed yet
  ProbeObservation probe;
  // Role etcd with etcd.snapshots enabled; nullopt otherwise (no snapshots can be taken).
  std::optional<SnapshotObservation> snapshots;
  // Role etcd: an automatic restore of this member (etcd.autoRestore) is due, running, or
  // failed after it had changed something — why its cluster is held; "" for none.
  std::string etcd_restore;
  // An operator paused the member (admin API; the reconciler keeps the set in the state
  // directory). Not a fact about Azure but the operator's word, carried with the pass so that
  // both planners see it: no remediation and no DNS write for the member until resumed.
  bool paused = false;
};

// The latest observation of each member, keyed by cluster/member name: what one pass hands to
// both planners (plan/plan.h, plan/dns_plan.h).
using Observations = std::map<MemberKey, MemberObservation>;

}  // namespace frankenetes::model
