#include "etcd/etcd_client.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>

#include "core/strings.h"
#include "etcd/gateway_error.h"

namespace frankenetes::etcd {
namespace {

// An error answer is a small JSON object; more than this is not read (nor quoted).
constexpr std::size_t kMaxErrorBodyBytes = std::size_t{64} * 1024;

bool is_success(int status) { return status >= 200 && status < 300; }

// "etcd status from http://10.0.0.4:2379: HTTP 503: etcdserver: leader changed (gRPC code 14)"
core::Error http_error(const char* what, const std::string& member, int status,
                       std::string_view body) {
  std::string detail;
  if (auto message = gateway_error_message(body)) {
    detail = *message;
  } else if (!core::trim(body).empty()) {
    detail = core::printable_excerpt(core::trim(body), kMaxEtcdMessageBytes);
  } else {
    detail = "(empty body)";
  }
  return core::make_error(
      core::kind_for_http_status(status),
      std::string(what) + " from " + member + ": HTTP " + std::to_string(status) + ": " + detail,
      status);
}

// The start of an error answer's body, read from a stream.
std::string read_error_body(http::ResponseStream& stream) {
  std::string body;
  std::array<char, 4096> buffer{};
  while (body.size() < kMaxErrorBodyBytes) {
    auto n = stream.read(buffer);
    if (!n || *n == 0) break;  // what arrived is enough to say what went wrong
    body.append(buffer.data(), *n);
  }
  return body;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// SnapshotReader

SnapshotReader::SnapshotReader(std::unique_ptr<http::ResponseStream> stream, std::string member,
                               const SnapshotOptions& options)
    : stream_(std::move(stream)),
      member_(std::move(member)),
      decoder_(options.max_line_bytes),
      network_buffer_(std::max<std::size_t>(options.network_read_bytes, 1), '\0') {}

core::Error SnapshotReader::annotate(core::Error error) const {
  error.message = "etcd snapshot from " + member_ + ": " + error.message;
  return error;
}

core::Result<std::size_t> SnapshotReader::read(std::span<char> buffer) {
  if (failure_) return *failure_;
  while (decoded_offset_ == decoded_.size()) {
    if (verified_) return std::size_t{0};
    decoded_.clear();
    decoded_offset_ = 0;
    auto n = stream_->read(network_buffer_);
    if (!n) {
      failure_ = annotate(n.error());
      return *failure_;
    }
    if (*n == 0) {
      auto verified = decoder_.finish();
      if (!verified) {
        failure_ = annotate(verified.error());
        return *failure_;
      }
      verified_ = std::move(*verified);
      stream_.reset();  // the connection went back to the pool at the end of the body
      return std::size_t{0};
    }
    if (auto fed = decoder_.feed(std::string_view(network_buffer_.data(), *n), decoded_); !fed) {
      failure_ = annotate(fed.error());
      return *failure_;
    }
  }
  const std::size_t count = std::min(buffer.size(), decoded_.size() - decoded_offset_);
  std::memcpy(buffer.data(), decoded_.data() + decoded_offset_, count);
  decoded_offset_ += count;
  bytes_read_ += count;
  return count;
}

// ---------------------------------------------------------------------------------------------
// EtcdClient

EtcdClient::EtcdClient(http::HttpTransport& transport, http::StreamingTransport& streams,
                       std::string base_url)
    : transport_(transport), streams_(streams), base_url_(core::trim_end(base_url, "/")) {}

namespace {

http::ClientRequest post(const std::string& base_url, const std::string& path,
                         const char* operation, std::chrono::milliseconds timeout) {
  http::ClientRequest request;
  request.method = "POST";
  request.url = base_url + path;
  request.headers["Content-Type"] = "application/json";
  request.headers["Accept"] = "application/json";
  request.body = "{}";
  request.timeout = timeout;
  request.operation = operation;
  return request;
}

}  // namespace

http::ClientRequest status_request(const std::string& base_url, std::chrono::milliseconds timeout) {
  return post(std::string(core::trim_end(base_url, "/")), "/v3/maintenance/status", "etcd.status",
              timeout);
}

core::Result<MaintenanceStatus> status_from(const std::string& base_url,
                                            const core::Result<http::Response>& response) {
  if (!response) return response.error();
  // Named in errors only (the answer of every probe of etcd goes through here).
  const auto base = [&] { return std::string(core::trim_end(base_url, "/")); };
  if (!is_success(response->status)) {
    return http_error("etcd status", base(), response->status, response->body);
  }
  auto status = parse_maintenance_status(response->body);
  if (!status) {
    auto error = status.error();
    error.message = "etcd status from " + base() + ": " + error.message;
    return error;
  }
  return status;
}

http::ClientRequest EtcdClient::post(const std::string& path, const char* operation,
                                     std::chrono::milliseconds timeout) const {
  return etcd::post(base_url_, path, operation, timeout);
}

core::Result<MaintenanceStatus> EtcdClient::status(std::chrono::milliseconds timeout) {
  return status_from(base_url_, transport_.send(status_request(base_url_, timeout)));
}

core::Result<std::unique_ptr<SnapshotReader>> EtcdClient::open_snapshot(
    const SnapshotOptions& options) {
  auto request = post("/v3/maintenance/snapshot", "etcd.snapshot", options.open_timeout);
  request.stream_read_timeout = options.read_timeout;
  auto stream = streams_.open(request);
  if (!stream) return stream.error();
  if (!is_success((*stream)->status())) {
    const int status = (*stream)->status();
    return http_error("etcd snapshot", base_url_, status, read_error_body(**stream));
  }
  return std::make_unique<SnapshotReader>(std::move(*stream), base_url_, options);
}

}  // namespace frankenetes::etcd
