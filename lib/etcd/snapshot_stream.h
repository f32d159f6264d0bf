#pragma once
// etcd snapshots as they arrive, and the check that they are whole. Pure (no sockets); the
// I/O is EtcdClient's (etcd_client.h).
//
// `POST /v3/maintenance/snapshot` through etcd's JSON gateway answers newline-delimited JSON
// objects (reference: shared etcd-and-blob.md, verified with etcd 3.4.23):
//   {"result":{"remaining_bytes":"1368064","blob":"<base64 of up to 32 KiB>"}}
//   ...
//   {"result":{"blob":"<base64 of the 32-byte SHA-256 of every byte before it>"}}
// remaining_bytes (a string; omitted when 0) counts the database bytes still to come after
// this object; newer etcd adds "version". The decoded blobs, concatenated, are exactly the file
// `etcdctl snapshot save` writes: the bbolt database followed by its SHA-256, and
// `etcdctl snapshot restore` accepts it only if (size % 512) == 32 and the hash matches.
//
// SnapshotVerifier checks those two properties over bytes fed in pieces (a running SHA-256 of
// everything but a 32-byte tail), for a stream being received or a file being read back.
// SnapshotDecoder turns pieces of the gateway's body into snapshot bytes and verifies them.
// Memory is bounded by one line (max_line_bytes) plus what the caller keeps of the output.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX, kept out of this header

namespace frankenetes::etcd {

inline constexpr std::size_t kSnapshotHashBytes = 32;
inline constexpr std::size_t kDefaultMaxSnapshotLineBytes = std::size_t{1024} * 1024;

// A snapshot whose trailer matched its data.
struct VerifiedSnapshot {
  std::uint64_t size = 0;   // bytes including the 32-byte trailer: the file's size
  std::string sha256;       // hex: the trailer, i.e. the SHA-256 of the bytes before it
  std::string file_sha256;  // hex: the SHA-256 of the whole file (what sha256sum prints)
};

// Streaming check of a snapshot file's integrity. Feed every byte in order with update(),
// then finish(). Errors (kTerminal, they describe the data, not the connection):
//   "snapshot too short: 20 bytes, less than its 32-byte SHA-256 trailer"
//   "snapshot SHA-256 mismatch: trailer says <hex>, data hashes to <hex>"
//   "snapshot size 20512 is not 512*n + 32 as etcdctl snapshot restore expects"
class SnapshotVerifier {
 public:
  SnapshotVerifier();
  ~SnapshotVerifier();
  SnapshotVerifier(const SnapshotVerifier&) = delete;
  SnapshotVerifier& operator=(const SnapshotVerifier&) = delete;

  void update(std::string_view bytes);
  // Once only; the verifier is spent afterwards.
  core::Result<VerifiedSnapshot> finish();

  std::uint64_t size() const { return size_; }

 private:
  using Context = std::unique_ptr<evp_md_ctx_st, void (*)(evp_md_ctx_st*)>;
  Context data_hash_;  // every byte except the last 32 seen so far
  Context file_hash_;  // every byte
  std::string tail_;   // the last (up to) 32 bytes seen so far
  std::uint64_t size_ = 0;
};

// The same check over bytes already in memory (a small file, a test).
core::Result<VerifiedSnapshot> verify_snapshot_bytes(std::string_view bytes);

// Incremental decoder of the gateway's snapshot body. feed() takes pieces of any size, split
// anywhere (even inside a line or a base64 group), and appends the snapshot bytes of every line
// it completes to `out`; finish() is called once the body has ended and verifies the result.
// After any Error the decoder is spent: every later call returns an Error.
//
// Errors name the line ("snapshot stream line 3: ..."):
//   kTransient  etcd reported an error inside the stream ({"error":...}, its message bounded
//               and printable), or the stream ended while etcd still announced bytes to come;
//   kTerminal   a line that is not JSON, not a "result" object, a "blob" that is not valid
//               base64, a line over max_line_bytes, and SnapshotVerifier's errors.
class SnapshotDecoder {
 public:
  explicit SnapshotDecoder(std::size_t max_line_bytes = kDefaultMaxSnapshotLineBytes);

  core::Status feed(std::string_view piece, std::string& out);
  core::Result<VerifiedSnapshot> finish();

  std::uint64_t decoded_bytes() const { return verifier_.size(); }

 private:
  core::Status decode_line(std::string_view line, std::string& out);
  core::Status fail(core::Error error);

  std::size_t max_line_bytes_;
  std::string line_;  // the incomplete line so far
  std::uint64_t line_number_ = 0;
  std::uint64_t remaining_announced_ = 0;  // remaining_bytes of the last object (0 if omitted)
  SnapshotVerifier verifier_;
  bool finished_ = false;
  std::optional<core::Error> failure_;  // the first error, repeated by later calls
};

}  // namespace frankenetes::etcd
