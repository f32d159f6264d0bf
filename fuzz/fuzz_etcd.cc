// etcd answers (lib/etcd): the gateway's snapshot stream — newline-delimited JSON objects
// carrying base64 blobs, decoded incrementally and verified against the SHA-256 trailer — fed
// in pieces split where the input says; the same bytes as a snapshot file (verify_snapshot_
// bytes); the maintenance status answer; the gateway's error body; and the snapshot catalog's
// blob names and metadata (what is read back from Blob Storage).
// Input: one byte, the piece size for the stream (1..256), then the body.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "etcd/gateway_error.h"
#include "etcd/maintenance_status.h"
#include "etcd/snapshot_catalog.h"
#include "etcd/snapshot_stream.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace frankenetes;
  if (size < 1) return 0;
  const std::size_t piece = std::size_t{data[0]} + 1;
  const std::string_view body = fuzz::as_text(data + 1, size - 1);

  // A small line limit as well as the default, so the over-long-line path is reached.
  for (std::size_t max_line : {etcd::kDefaultMaxSnapshotLineBytes, std::size_t{200}}) {
    etcd::SnapshotDecoder decoder(max_line);
    std::string out;
    bool failed = false;
    for (std::size_t at = 0; at < body.size() && !failed; at += piece) {
      failed = !decoder.feed(body.substr(at, piece), out).ok();
    }
    auto snapshot = decoder.finish();
    if (failed && snapshot.ok()) std::abort();  // a spent decoder must stay spent
    if (snapshot.ok() && snapshot->size != out.size()) std::abort();
  }
  (void)etcd::verify_snapshot_bytes(body);

  (void)etcd::parse_maintenance_status(body);
  (void)etcd::gateway_error_message(body);

  if (auto name = etcd::parse_snapshot_blob_name(body)) {
    if (etcd::parse_snapshot_blob_name(name->blob_name()) != name) std::abort();
  }
  etcd::BlobMetadata metadata;
  std::string_view rest = body;
  for (std::string_view key :
       {etcd::kMetaRevision, etcd::kMetaSha256, etcd::kMetaSize, etcd::kMetaDaemonVersion,
        etcd::kMetaRevisionExact, etcd::kMetaClusterId, etcd::kMetaMemberId}) {
    const auto end = rest.find('\n');
    metadata[std::string(key)] = std::string(rest.substr(0, end));
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 1);
  }
  if (auto parsed = etcd::parse_snapshot_metadata(metadata); parsed.ok()) {
    (void)parsed->to_blob_metadata();
  }
  return 0;
}
