#include "status/admin_auth.h"

#include <cctype>

namespace frankenetes::status {

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  // volatile: the compiler may not turn the loop into an early-exit memcmp.
  volatile unsigned char difference = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    difference = difference | static_cast<unsigned char>(static_cast<unsigned char>(a[i]) ^
                                                         static_cast<unsigned char>(b[i]));
  }
  return difference == 0;
}

AuthOutcome check_bearer(const http::Request& request, const core::Secret& token) {
  const std::string header = request.header("Authorization");
  constexpr std::string_view kScheme = "bearer";
  if (header.size() <= kScheme.size() || header[kScheme.size()] != ' ') return AuthOutcome::kMissing;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != kScheme[i]) {
      return AuthOutcome::kMissing;
    }
  }
  std::string_view presented(header);
  presented.remove_prefix(kScheme.size());
  while (!presented.empty() && presented.front() == ' ') presented.remove_prefix(1);
  while (!presented.empty() && (presented.back() == ' ' || presented.back() == '\t')) {
    presented.remove_suffix(1);
  }
  if (presented.empty() || token.empty()) return AuthOutcome::kInvalid;
  return constant_time_equal(presented, token.reveal()) ? AuthOutcome::kAuthorized
                                                         : AuthOutcome::kInvalid;
}

std::string_view to_string(AdminCommand::Kind kind) {
  switch (kind) {
    case AdminCommand::Kind::kReconcile:
      return "reconcile";
    case AdminCommand::Kind::kPause:
      return "pause";
    case AdminCommand::Kind::kResume:
      return "resume";
  }
  return "unknown";
}

}  // namespace frankenetes::status
