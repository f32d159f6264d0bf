#pragma once
// Observations: timestamped facts about members, the planner's only view of the world. Every
// observation carries the monotonic time it was taken so the planner can treat data older
// than policy.staleAfter as unknown (never act on stale state). Pure value types.

#include <optional>
#include <string>

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

// The result of the latest ARM GET of a member's group.
struct GroupObservation {
  enum class Outcome {
    kFound,     // view is set
    kNotFound,  // ARM's error envelope said ResourceNotFound / ResourceGroupNotFound (404)
    kError,     // the read failed (ARM error, throttling, token, TLS, a 404 without ARM's
                // envelope): state is UNKNOWN
  };
  Outcome outcome = Outcome::kError;
  std::optional<ContainerGroupView> view;
  std::optional<core::Error> error;
  core::MonotonicTime observed_at{};  // when the answer arrived
  // When the request left; a reading sent before the member's last action finished never
  // drives the next action. Unset (hand-made observations): observed_at.
  std::optional<core::MonotonicTime> sent_at;
  // kNotFound only: the absence is proven (DESIGN.md §4 "proof before destruction"): this
  // 404, an earlier 404 at least one poll interval before it, and a LIST sent after the
  // first 404 that did not contain the group. An unproven 404 is unknown, not gone.
  bool gone_confirmed = false;
  std::string gone_evidence;  // for people: what proves it, or what proof is still missing

  core::MonotonicTime sent() const { return sent_at.value_or(observed_at); }
};

// The member's own health endpoint, probed on its own period (costs no ARM budget).
struct ProbeObservation {
  bool configured = false;
  std::optional<bool> last_success;  // nullopt until the first probe completed
  int consecutive_failures = 0;
  int consecutive_successes = 0;
  std::string last_error;  // "connect: connection refused", "HTTP 500", "timeout after 2s"
  bool last_failure_tls = false;  // the last failure was the certificate or TLS handshake
  core::MonotonicTime observed_at{};
};

struct MemberObservation {
  MemberKey key;
  std::optional<GroupObservation> group;  // nullopt: never observed yet
  ProbeObservation probe;
};

}  // namespace frankenetes::model
