#include "storage/blob_lease.h"

#include "azure/arm_error.h"
#include "core/strings.h"
#include "storage/storage_error.h"

namespace frankenetes::storage {
namespace {

core::Error invalid(std::string message) {
  return core::make_error(core::ErrorKind::kTerminal,
                          std::string(kOpLease) + ": " + std::move(message));
}

// The x-ms-lease-id of an answer to acquire or change: the id the lease now has.
core::Result<std::string> lease_id_of(const http::Response& response, std::string_view action) {
  const auto it = response.headers.find("x-ms-lease-id");
  if (it == response.headers.end() || it->second.empty()) {
    return azure::malformed_response_error(response, kOpLease,
                                           std::string(action) + " answered without x-ms-lease-id");
  }
  return it->second;
}

}  // namespace

core::Result<http::Response> BlobLeaseClient::send(const std::string& blob, std::string_view action,
                                                   http::Headers headers, int success) {
  if (auto ok = check_blob_name(blob); !ok.ok()) return ok.error();
  BlobRequest request{.method = "PUT",
                      .container = blobs_.container(),
                      .blob = blob,
                      .query = {{"comp", "lease"}},
                      .headers = std::move(headers),
                      .operation = kOpLease};
  request.headers["x-ms-lease-action"] = std::string(action);
  auto result = blobs_.service().send(std::move(request));
  if (!result.ok()) return result.error();
  if (result->status != success) {
    auto error = storage_error(*result, kOpLease);
    error.message += " (lease " + std::string(action) + ")";
    return error;
  }
  return result;
}

core::Result<std::string> BlobLeaseClient::acquire(const std::string& blob,
                                                   std::optional<std::chrono::seconds> duration,
                                                   std::string proposed_id) {
  if (duration && (*duration < kMinLeaseDuration || *duration > kMaxLeaseDuration)) {
    return invalid("a lease lasts 15 to 60 seconds or forever, not " +
                   std::to_string(duration->count()) + " s");
  }
  if (proposed_id.empty()) proposed_id = blobs_.service().new_guid();
  http::Headers headers;
  headers["x-ms-lease-duration"] = duration ? std::to_string(duration->count()) : "-1";
  headers["x-ms-proposed-lease-id"] = proposed_id;
  auto result = send(blob, "acquire", std::move(headers), 201);
  if (!result.ok()) return result.error();
  return lease_id_of(*result, "acquire");
}

core::Status BlobLeaseClient::renew(const std::string& blob, const std::string& lease_id) {
  http::Headers headers;
  headers["x-ms-lease-id"] = lease_id;
  auto result = send(blob, "renew", std::move(headers), 200);
  if (!result.ok()) return result.error();
  return {};
}

core::Result<std::string> BlobLeaseClient::change(const std::string& blob,
                                                  const std::string& lease_id,
                                                  const std::string& proposed_id) {
  http::Headers headers;
  headers["x-ms-lease-id"] = lease_id;
  headers["x-ms-proposed-lease-id"] = proposed_id;
  auto result = send(blob, "change", std::move(headers), 200);
  if (!result.ok()) return result.error();
  return lease_id_of(*result, "change");
}

core::Status BlobLeaseClient::release(const std::string& blob, const std::string& lease_id) {
  http::Headers headers;
  headers["x-ms-lease-id"] = lease_id;
  auto result = send(blob, "release", std::move(headers), 200);
  if (!result.ok()) return result.error();
  return {};
}

core::Result<std::chrono::seconds> BlobLeaseClient::break_lease(
    const std::string& blob, std::optional<std::chrono::seconds> break_period) {
  if (break_period && (break_period->count() < 0 || *break_period > kMaxBreakPeriod)) {
    return invalid("a break period is 0 to 60 seconds, not " +
                   std::to_string(break_period->count()) + " s");
  }
  http::Headers headers;
  if (break_period) headers["x-ms-lease-break-period"] = std::to_string(break_period->count());
  auto result = send(blob, "break", std::move(headers), 202);
  if (!result.ok()) return result.error();
  const auto it = result->headers.find("x-ms-lease-time");
  const auto seconds = it == result->headers.end() ? std::nullopt : core::parse_uint64(it->second);
  if (!seconds || *seconds > static_cast<std::uint64_t>(kMaxBreakPeriod.count())) {
    return azure::malformed_response_error(*result, kOpLease,
                                           "break answered without a valid x-ms-lease-time");
  }
  return std::chrono::seconds(static_cast<std::chrono::seconds::rep>(*seconds));
}

}  // namespace frankenetes::storage
