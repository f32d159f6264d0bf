#pragma once
// EtcdClient: talks to one etcd member through its JSON gateway (`http://<ip>:2379`; https
// works the same through the transports) for what the daemon needs to protect etcd's data:
// the member's status (revision, cluster id) and a full snapshot streamed through bounded
// memory, verified against its SHA-256 trailer as it arrives.
//
//   EtcdClient etcd(client, client, "http://10.0.0.4:2379");   // HttpClient is both transports
//   auto snapshot = etcd.open_snapshot();
//   if (!snapshot) return snapshot.error();
//   auto uploaded = storage::upload_blob(blobs, name, [&](std::span<char> b) {
//     return (*snapshot)->read(b);
//   });
//   // uploaded only if every byte arrived and the trailer matched: the read that reaches the
//   // end returns the Error instead of 0, so the block list is never committed.
//
// Not here: authentication (a member with auth enabled answers the snapshot call only for an
// admin user), retries (the caller's schedule retries a failed snapshot), other maintenance
// calls. Requests are labelled "etcd.status" and "etcd.snapshot" for metrics and logs.

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "core/result.h"
#include "etcd/maintenance_status.h"
#include "etcd/snapshot_stream.h"
#include "http/streaming.h"
#include "http/transport.h"

namespace frankenetes::etcd {

struct SnapshotOptions {
  // Until the response head has arrived (etcd starts streaming at once).
  std::chrono::milliseconds open_timeout{std::chrono::seconds(30)};
  // Each network read must bring bytes within this (ClientRequest::stream_read_timeout).
  std::chrono::milliseconds read_timeout{std::chrono::seconds(60)};
  // Bytes read from the connection at a time; the decoded output of one such read is what the
  // reader keeps in memory (plus one partial line).
  std::size_t network_read_bytes = std::size_t{64} * 1024;
  std::size_t max_line_bytes = kDefaultMaxSnapshotLineBytes;
};

// The snapshot's bytes, exactly as `etcdctl snapshot save` would write them (trailer included).
// Not thread-safe; must not outlive the transport that opened it.
class SnapshotReader {
 public:
  SnapshotReader(std::unique_ptr<http::ResponseStream> stream, std::string member,
                 const SnapshotOptions& options);

  // Fills `buffer` from its start with up to buffer.size() bytes; 0 only after the whole
  // snapshot was read AND verified. The read that reaches the end returns an Error instead
  // when the stream was cut short or the hash or size check fails (see SnapshotDecoder). The
  // signature fits storage::BlobReader.
  core::Result<std::size_t> read(std::span<char> buffer);

  // After read() returned 0: size and SHA-256 of what was read.
  const std::optional<VerifiedSnapshot>& verified() const { return verified_; }
  // Snapshot bytes handed out so far.
  std::uint64_t bytes_read() const { return bytes_read_; }

 private:
  core::Error annotate(core::Error error) const;

  std::unique_ptr<http::ResponseStream> stream_;
  std::string member_;
  SnapshotDecoder decoder_;
  std::string network_buffer_;
  std::string decoded_;  // decoded bytes not yet handed out, from decoded_offset_
  std::size_t decoded_offset_ = 0;
  std::uint64_t bytes_read_ = 0;
  std::optional<VerifiedSnapshot> verified_;
  std::optional<core::Error> failure_;
};

// The request EtcdClient::status() sends to `base_url`, and what it makes of the answer
// (errors as status() words them): for callers that send it on an asynchronous transport
// (the reconciler reads the status after an asynchronous probe).
http::ClientRequest status_request(const std::string& base_url, std::chrono::milliseconds timeout);
core::Result<MaintenanceStatus> status_from(const std::string& base_url,
                                            const core::Result<http::Response>& response);

class EtcdClient {
 public:
  // `base_url`: "http://10.0.0.4:2379" (a trailing slash is fine). The transports must outlive
  // the client and every reader it opens; HttpClient serves as both.
  EtcdClient(http::HttpTransport& transport, http::StreamingTransport& streams,
             std::string base_url);

  // Errors: the transport's (kTransient, kTls, …); a non-2xx answer as
  // "etcd status from http://…:2379: HTTP 503: <etcd's message>" with http_status set and the
  // kind of core::kind_for_http_status; a body that is not a JSON object (kTerminal).
  core::Result<MaintenanceStatus> status(
      std::chrono::milliseconds timeout = std::chrono::seconds(10));

  // Starts a snapshot: the request is sent and the response head read. A non-2xx answer is an
  // Error as for status(). The reader produces the bytes.
  core::Result<std::unique_ptr<SnapshotReader>> open_snapshot(const SnapshotOptions& options = {});

  const std::string& base_url() const { return base_url_; }

 private:
  http::ClientRequest post(const std::string& path, const char* operation,
                           std::chrono::milliseconds timeout) const;

  http::HttpTransport& transport_;
  http::StreamingTransport& streams_;
  std::string base_url_;
};

}  // namespace frankenetes::etcd
