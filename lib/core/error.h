#pragma once
// Error: the one error value that travels through the loop (errors are values; exceptions
// only at the edges).
// Used by every library; exceptions are only turned into exit codes in daemon/main.cc.

#include <string>

namespace frankenetes::core {

enum class ErrorKind {
  kTransient,      // 429, 5xx, timeouts, connection failures: retry with back-off
  kConflict,       // 409, 412: re-read and re-plan
  kTerminal,       // other 4xx, unsupported responses: do not retry blindly
  kInvalidConfig,  // the operator must fix the configuration
  kNotFound,       // 404: the resource is absent (missing group, missing record)
  kTls,            // certificate or handshake failure: never retried silently
};

const char* to_string(ErrorKind kind);

struct Error {
  ErrorKind kind = ErrorKind::kTerminal;
  std::string message;
  int http_status = 0;      // 0 when no HTTP response was received
  std::string azure_code;   // ARM / Entra / provider error code, if any
  std::string request_id;   // x-ms-request-id or provider equivalent, for support cases
  // A deadline passed before the answer came (kind is kTransient): set where the deadline is
  // enforced (HTTP client, LRO poller, DNS exchange) so callers never read it from `message`.
  bool timed_out = false;

  // "kind: message (HTTP 429 TooManyRequests, request id …)": one line for logs.
  std::string describe() const;
};

// An Error with only a kind, a message and (when a response came) its HTTP status.
Error make_error(ErrorKind kind, std::string message, int http_status = 0);

// A transient Error for a deadline that passed (timed_out set).
Error timeout_error(std::string message);

// Maps an HTTP status to the error kind the loop uses to decide on retries.
ErrorKind kind_for_http_status(int status);

}  // namespace frankenetes::core
