#pragma once
// Bearer-token authorization of the admin API (RFC 6750 §2.1: "Authorization: Bearer <token>"),
// and the admin commands an authorized request asks for. Pure: the token is handed in, the
// router (admin_router.h) turns the outcome into 401 with WWW-Authenticate (§3).

#include <string>
#include <string_view>

#include "core/secret.h"
#include "http/message.h"

namespace frankenetes::status {

// Whether a and b are equal, in time that depends on their lengths only: a different length
// answers at once (the length of the configured token is not the secret); equal lengths are
// compared in full, without stopping at the first difference.
bool constant_time_equal(std::string_view a, std::string_view b);

enum class AuthOutcome {
  kAuthorized,
  kMissing,  // no Authorization header, or not the Bearer scheme
  kInvalid,  // a Bearer token that is not the configured one
};

// The scheme name is case-insensitive (RFC 9110 §11.1); the token is compared exactly.
AuthOutcome check_bearer(const http::Request& request, const core::Secret& token);

// What an authorized admin request asks the daemon to do.
struct AdminCommand {
  enum class Kind {
    kReconcile,  // POST /admin/reconcile: a full observation and plan now
    kPause,      // POST /admin/members/{cluster}/{member}/pause
    kResume,     // POST /admin/members/{cluster}/{member}/resume
  };
  Kind kind = Kind::kReconcile;
  std::string cluster;
  std::string member;
  std::string remote;  // the peer's address, for the log and the event ring

  bool operator==(const AdminCommand&) const = default;
};

// How the daemon answered a command: 200/202, 404 for an unknown member, 503 while stopping.
struct AdminCommandResult {
  int status = 200;
  std::string message;
};

std::string_view to_string(AdminCommand::Kind kind);

}  // namespace frankenetes::status
