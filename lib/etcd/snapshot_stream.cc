// The snapshot's shape is etcd's own: server/etcdserver/api/v3rpc/maintenance.go (Snapshot)
// sends the bbolt file in 32 KiB chunks and then the SHA-256 of all of it as one last message;
// etcdutl's snapshot restore (hasChecksum) treats (size % 512) == 32 as "has a hash", since a
// bbolt file is a whole number of pages (all multiples of 512).

#include "etcd/snapshot_stream.h"

#include <openssl/evp.h>

#include <array>
#include <limits>
#include <utility>

#include "core/base64.h"
#include "core/json_fields.h"
#include "core/strings.h"
#include "etcd/gateway_error.h"

namespace frankenetes::etcd {
namespace {

namespace jf = core::json_fields;
using core::ErrorKind;
using core::make_error;

// How much of an unparseable line an error message quotes.
constexpr std::size_t kExcerptBytes = 120;

std::string to_hex(const unsigned char* bytes, std::size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) {
    out += kDigits[bytes[i] >> 4];
    out += kDigits[bytes[i] & 0x0f];
  }
  return out;
}

evp_md_ctx_st* new_sha256() {
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  // Only fails when out of memory; EVP_DigestUpdate on a null context would then fail loudly.
  if (context != nullptr) EVP_DigestInit_ex(context, EVP_sha256(), nullptr);
  return context;
}

void hash(evp_md_ctx_st* context, std::string_view bytes) {
  if (!bytes.empty()) EVP_DigestUpdate(context, bytes.data(), bytes.size());
}

std::string final_hex(evp_md_ctx_st* context) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_DigestFinal_ex(context, digest.data(), &length);
  return to_hex(digest.data(), length);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// SnapshotVerifier

SnapshotVerifier::SnapshotVerifier()
    : data_hash_(new_sha256(), EVP_MD_CTX_free), file_hash_(new_sha256(), EVP_MD_CTX_free) {}

SnapshotVerifier::~SnapshotVerifier() = default;

void SnapshotVerifier::update(std::string_view bytes) {
  size_ += bytes.size();
  hash(file_hash_.get(), bytes);
  if (bytes.size() >= kSnapshotHashBytes) {
    // The old tail and all but the last 32 new bytes are data for certain.
    hash(data_hash_.get(), tail_);
    hash(data_hash_.get(), bytes.substr(0, bytes.size() - kSnapshotHashBytes));
    tail_.assign(bytes.substr(bytes.size() - kSnapshotHashBytes));
    return;
  }
  tail_.append(bytes);
  if (tail_.size() > kSnapshotHashBytes) {
    const std::size_t spill = tail_.size() - kSnapshotHashBytes;
    hash(data_hash_.get(), std::string_view(tail_).substr(0, spill));
    tail_.erase(0, spill);
  }
}

core::Result<VerifiedSnapshot> SnapshotVerifier::finish() {
  if (size_ < kSnapshotHashBytes) {
    return make_error(ErrorKind::kTerminal, "snapshot too short: " + std::to_string(size_) +
                                                " bytes, less than its 32-byte SHA-256 trailer");
  }
  VerifiedSnapshot verified;
  verified.size = size_;
  verified.sha256 =
      to_hex(reinterpret_cast<const unsigned char*>(tail_.data()), kSnapshotHashBytes);
  verified.file_sha256 = final_hex(file_hash_.get());
  const std::string data_hash = final_hex(data_hash_.get());
  if (data_hash != verified.sha256) {
    return make_error(ErrorKind::kTerminal, "snapshot SHA-256 mismatch: trailer says " +
                                                verified.sha256 + ", data hashes to " + data_hash);
  }
  if (size_ % 512 != kSnapshotHashBytes) {
    return make_error(ErrorKind::kTerminal,
                      "snapshot size " + std::to_string(size_) +
                          " is not 512*n + 32 as etcdctl snapshot restore expects");
  }
  return verified;
}

core::Result<VerifiedSnapshot> verify_snapshot_bytes(std::string_view bytes) {
  SnapshotVerifier verifier;
  verifier.update(bytes);
  return verifier.finish();
}

// ---------------------------------------------------------------------------------------------
// SnapshotDecoder

SnapshotDecoder::SnapshotDecoder(std::size_t max_line_bytes) : max_line_bytes_(max_line_bytes) {}

core::Status SnapshotDecoder::fail(core::Error error) {
  failure_ = std::move(error);
  return *failure_;
}

core::Status SnapshotDecoder::feed(std::string_view piece, std::string& out) {
  if (failure_) return *failure_;
  if (finished_) return make_error(ErrorKind::kTerminal, "snapshot stream fed after its end");
  while (!piece.empty()) {
    const auto newline = piece.find('\n');
    const std::string_view part = piece.substr(0, newline);
    if (line_.size() + part.size() > max_line_bytes_) {
      return fail(make_error(ErrorKind::kTerminal,
                             "snapshot stream line " + std::to_string(line_number_ + 1) +
                                 " is longer than " + std::to_string(max_line_bytes_) + " bytes"));
    }
    if (newline == std::string_view::npos) {
      line_.append(part);
      break;
    }
    piece.remove_prefix(newline + 1);
    ++line_number_;
    core::Status decoded = [&] {
      if (line_.empty()) return decode_line(part, out);  // the whole line is in `piece`
      line_.append(part);
      return decode_line(line_, out);
    }();
    line_.clear();
    if (!decoded) return fail(decoded.error());
  }
  return {};
}

core::Status SnapshotDecoder::decode_line(std::string_view line, std::string& out) {
  line = core::trim(line);  // "\r\n" line ends, stray blanks
  if (line.empty()) return {};
  const std::string where = "snapshot stream line " + std::to_string(line_number_) + ": ";
  std::string parse_error;
  const auto doc = jf::parse(line, parse_error);
  if (!doc) {
    return make_error(ErrorKind::kTerminal,
                      where + "not JSON: " + core::printable_excerpt(line, kExcerptBytes));
  }
  if (jf::member(*doc, "error") != nullptr || !jf::object(*doc, "result")) {
    if (auto message = gateway_error_message(line)) {
      return make_error(ErrorKind::kTransient, where + "etcd reported an error: " + *message);
    }
    return make_error(ErrorKind::kTerminal, where + "no \"result\" object: " +
                                                core::printable_excerpt(line, kExcerptBytes));
  }
  const jf::json& result = **jf::object(*doc, "result");

  const auto blob = jf::string(result, "blob");
  if (!blob && !blob.absent()) {
    return make_error(ErrorKind::kTerminal, where + blob.describe("blob"));
  }
  // proto3 JSON omits empty bytes and zero integers, so absence means "" and 0.
  const auto remaining = jf::integer_or_decimal_string(result, "remaining_bytes", 0,
                                                       std::numeric_limits<std::int64_t>::max());
  if (!remaining && !remaining.absent()) {
    return make_error(ErrorKind::kTerminal, where + remaining.describe("remaining_bytes"));
  }
  remaining_announced_ = remaining ? static_cast<std::uint64_t>(*remaining) : 0;
  if (!blob) return {};
  auto bytes = core::base64_decode(*blob);
  if (!bytes) {
    return make_error(ErrorKind::kTerminal, where + "\"blob\" is not valid base64 (" +
                                                std::to_string(blob->size()) + " characters)");
  }
  verifier_.update(*bytes);
  out.append(*bytes);
  return {};
}

core::Result<VerifiedSnapshot> SnapshotDecoder::finish() {
  if (failure_) return *failure_;
  if (finished_) return make_error(ErrorKind::kTerminal, "snapshot stream finished twice");
  finished_ = true;
  if (!core::trim(line_).empty()) {
    // etcd ends every object with a newline; a last line without one was cut off.
    failure_ = make_error(ErrorKind::kTransient, "snapshot stream ended inside line " +
                                                     std::to_string(line_number_ + 1) + " after " +
                                                     std::to_string(verifier_.size()) + " bytes");
    return *failure_;
  }
  if (remaining_announced_ > 0) {
    failure_ = make_error(ErrorKind::kTransient,
                          "snapshot stream ended after " + std::to_string(verifier_.size()) +
                              " bytes while etcd announced " +
                              std::to_string(remaining_announced_) + " more");
    return *failure_;
  }
  auto verified = verifier_.finish();
  if (!verified) failure_ = verified.error();
  return verified;
}

}  // namespace frankenetes::etcd
