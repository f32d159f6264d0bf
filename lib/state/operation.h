#pragma once
// RecreateOperation: a delete + recreate of a member's container group as a durable record,
// not a stack frame, so a crash or SIGTERM resumes it. The reconciler writes it to the state
// directory before the DELETE is sent; the executor marks the deletion confirmed and removes the
// record once the group exists again. A record found at start-up is resumed, so an actionTimeout,
// SIGTERM, crash or kill -9 between DELETE and PUT never leaves a member's group deleted.

#include <string>

#include "core/time_source.h"
#include "model/observation.h"

namespace frankenetes::state {

struct RecreateOperation {
  model::MemberKey member;
  std::string subscription_id;
  std::string resource_group;
  std::string group_name;
  std::string spec_text;  // the validated PUT body, as it was when the operation began
  core::SystemTime started_at{};
  // ARM confirmed the group gone after (or without) our DELETE: from here on only the PUT is
  // owed. Before it, a resumed operation that finds the group present does not send another
  // DELETE on evidence that is now old; it leaves the decision to the planner.
  bool delete_confirmed = false;
  int put_attempts = 0;

  bool operator==(const RecreateOperation&) const = default;
};

}  // namespace frankenetes::state
