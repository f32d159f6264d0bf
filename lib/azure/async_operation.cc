#include "azure/async_operation.h"

#include <algorithm>
#include <cctype>

#include "azure/json_fields.h"
#include "core/json_fields.h"
#include "core/strings.h"

namespace frankenetes::azure {
namespace {

namespace jf = json_fields;

using core::iequals;

}  // namespace

std::optional<LroLocation> lro_location(const http::Headers& headers) {
  if (const auto it = headers.find("Azure-AsyncOperation");
      it != headers.end() && !it->second.empty()) {
    return LroLocation{LroLocation::Kind::kAzureAsyncOperation, it->second};
  }
  if (const auto it = headers.find("Location"); it != headers.end() && !it->second.empty()) {
    return LroLocation{LroLocation::Kind::kLocation, it->second};
  }
  return std::nullopt;
}

bool AsyncOperationStatus::terminal() const {
  return iequals(status, "Succeeded") || iequals(status, "Failed") || iequals(status, "Canceled");
}

bool AsyncOperationStatus::succeeded() const { return iequals(status, "Succeeded"); }

core::Result<AsyncOperationStatus> parse_async_operation_status(std::string_view body) {
  std::string parse_error;
  const auto doc = jf::parse(body, parse_error);
  core::Error malformed;
  malformed.kind = core::ErrorKind::kTerminal;
  if (!doc) {
    malformed.message = "malformed async operation status: " + parse_error;
    return malformed;
  }
  // The status decides between "poll again", "done" and "failed": it must be a string.
  const auto status = core::json_fields::string(*doc, "status");
  if (!status || status->empty()) {
    malformed.message = "malformed async operation status: " +
                        (status ? std::string(R"("status" is empty)") : status.describe("status"));
    return malformed;
  }
  AsyncOperationStatus out;
  out.status = *status;
  if (const jf::json* err = jf::object(*doc, "error")) {
    out.error =
        ArmErrorBody{jf::string_or_empty(*err, "code"), jf::string_or_empty(*err, "message")};
  }
  return out;
}

}  // namespace frankenetes::azure
