#include "storage/blob_service.h"

#include "core/timestamps.h"

namespace frankenetes::storage {

BlobService::BlobService(http::HttpTransport& transport, BlobAuthorizer& authorizer,
                         core::TimeSource& time, BlobServiceSettings settings,
                         azure::ClientRequestIdGenerator request_ids)
    : transport_(transport),
      authorizer_(authorizer),
      time_(time),
      settings_(std::move(settings)),
      request_ids_(std::move(request_ids)) {}

core::Result<http::Response> BlobService::send(BlobRequest request) {
  http::ClientRequest out;
  out.method = std::move(request.method);
  out.url = blob_url(settings_.endpoint, request.container, request.blob, request.query);
  out.operation = std::string(request.operation);
  out.timeout = settings_.request_timeout;
  out.headers = std::move(request.headers);
  out.headers["x-ms-version"] = std::string(kStorageVersion);
  out.headers["x-ms-date"] = core::format_http_date(time_.system_time());
  out.headers["x-ms-client-request-id"] = request_ids_.next();
  out.headers["User-Agent"] =
      settings_.user_agent.empty() ? "frankenetesd/" + settings_.version : settings_.user_agent;
  out.body = std::move(request.body);
  if (auto ok = authorizer_.authorize(out); !ok.ok()) return ok.error();
  auto result = transport_.send(out);
  if (!result.ok()) {
    core::Error error = result.error();
    error.message = out.operation + ": " + error.message;
    return error;
  }
  return result;
}

}  // namespace frankenetes::storage
