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
    kNotFound,  // ARM said 404 ResourceNotFound: the group is gone
    kError,     // the read failed (ARM error, throttling, token, TLS): state is UNKNOWN
  };
  Outcome outcome = Outcome::kError;
  std::optional<ContainerGroupView> view;
  std::optional<core::Error> error;
  core::MonotonicTime observed_at{};
};

// The member's own health endpoint, probed on its own period (costs no ARM budget).
struct ProbeObservation {
  bool configured = false;
  std::optional<bool> last_success;  // nullopt until the first probe completed
  int consecutive_failures = 0;
  int consecutive_successes = 0;
  std::string last_error;  // "connect: connection refused", "HTTP 500", "timeout after 2s"
  core::MonotonicTime observed_at{};
};

struct MemberObservation {
  MemberKey key;
  std::optional<GroupObservation> group;  // nullopt: never observed yet
  ProbeObservation probe;
};

}  // namespace frankenetes::model
