#pragma once
// Shorthand for the core::Error values the simulator's parsers return.

#include <string>

#include "core/error.h"

namespace frankenetes::sim {

inline core::Error config_error(std::string message, int http_status = 0) {
  core::Error e;
  e.kind = core::ErrorKind::kInvalidConfig;
  e.message = std::move(message);
  e.http_status = http_status;
  return e;
}

}  // namespace frankenetes::sim
