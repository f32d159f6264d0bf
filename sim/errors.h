#pragma once
// Shorthand for the core::Error values the simulator's parsers return.

#include <string>

#include "core/error.h"

namespace frankenetes::sim {

inline core::Error config_error(std::string message, int http_status = 0) {
  return core::make_error(core::ErrorKind::kInvalidConfig, std::move(message), http_status);
}

}  // namespace frankenetes::sim
