#include "core/error.h"

#include <utility>

namespace frankenetes::core {

const char* to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kTransient: return "transient";
    case ErrorKind::kConflict: return "conflict";
    case ErrorKind::kTerminal: return "terminal";
    case ErrorKind::kInvalidConfig: return "invalid_config";
    case ErrorKind::kNotFound: return "not_found";
    case ErrorKind::kTls: return "tls";
  }
  return "unknown";
}

std::string Error::describe() const {
  std::string out = to_string(kind);
  out += ": ";
  out += message;
  if (http_status != 0 || !azure_code.empty() || !request_id.empty()) {
    out += " (";
    bool first = true;
    if (http_status != 0) {
      out += "HTTP " + std::to_string(http_status);
      first = false;
    }
    if (!azure_code.empty()) {
      out += first ? "" : " ";
      out += azure_code;
      first = false;
    }
    if (!request_id.empty()) {
      out += first ? "" : ", ";
      out += "request id " + request_id;
    }
    out += ")";
  }
  return out;
}

Error make_error(ErrorKind kind, std::string message, int http_status) {
  Error error;
  error.kind = kind;
  error.message = std::move(message);
  error.http_status = http_status;
  return error;
}

Error timeout_error(std::string message) {
  Error error = make_error(ErrorKind::kTransient, std::move(message));
  error.timed_out = true;
  return error;
}

ErrorKind kind_for_http_status(int status) {
  if (status == 404) return ErrorKind::kNotFound;
  if (status == 409 || status == 412) return ErrorKind::kConflict;
  if (status == 408 || status == 429 || status >= 500) return ErrorKind::kTransient;
  return ErrorKind::kTerminal;
}

}  // namespace frankenetes::core
