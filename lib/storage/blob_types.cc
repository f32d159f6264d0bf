#include "storage/blob_types.h"

namespace frankenetes::storage {

const char* to_string(LeaseState state) {
  switch (state) {
    case LeaseState::kAvailable:
      return "available";
    case LeaseState::kLeased:
      return "leased";
    case LeaseState::kExpired:
      return "expired";
    case LeaseState::kBreaking:
      return "breaking";
    case LeaseState::kBroken:
      return "broken";
    case LeaseState::kUnknown:
      break;
  }
  return "unknown";
}

LeaseState parse_lease_state(std::string_view text) {
  for (const auto state : {LeaseState::kAvailable, LeaseState::kLeased, LeaseState::kExpired,
                           LeaseState::kBreaking, LeaseState::kBroken}) {
    if (text == to_string(state)) return state;
  }
  return LeaseState::kUnknown;
}

}  // namespace frankenetes::storage
