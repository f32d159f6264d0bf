#include "etcd/snapshot_catalog.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <set>
#include <tuple>

#include "config/value_syntax.h"
#include "core/strings.h"
#include "core/timestamps.h"

namespace frankenetes::etcd {
namespace {

constexpr std::string_view kRoot = "snapshots/";
constexpr std::string_view kRevisionMark = "-rev";
constexpr std::string_view kExtension = ".db";
constexpr std::size_t kTimeLength = 16;  // "20261202T134500Z"
constexpr std::size_t kIdHexDigits = 16;
constexpr std::size_t kSha256HexDigits = 64;
constexpr std::size_t kMaxShownValue = 80;

bool is_lower_hex(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// The decimal revision exactly as std::to_string writes it: no sign, no leading zeros.
std::optional<std::uint64_t> parse_revision(std::string_view text) {
  if (text.size() > 1 && text.front() == '0') return std::nullopt;
  return core::parse_uint64(text);
}

// --- metadata ---

std::string id_hex(std::uint64_t id) {
  char digits[kIdHexDigits + 1];
  std::snprintf(digits, sizeof digits, "%016" PRIx64, id);
  return digits;
}

core::Error field_error(std::string_view name, std::string problem) {
  return core::make_error(core::ErrorKind::kTerminal,
                          "snapshot metadata \"" + std::string(name) + "\": " + std::move(problem));
}

core::Error malformed(std::string_view name, std::string_view expected, std::string_view value) {
  return field_error(name, "expected " + std::string(expected) + ", got \"" +
                               core::printable_excerpt(value, kMaxShownValue) + "\"");
}

std::optional<std::string_view> find(const BlobMetadata& metadata, std::string_view name) {
  const auto it = metadata.find(std::string(name));
  if (it == metadata.end()) return std::nullopt;
  return it->second;
}

core::Result<std::string_view> required(const BlobMetadata& metadata, std::string_view name) {
  const auto value = find(metadata, name);
  if (!value) return field_error(name, "missing");
  if (value->empty()) return field_error(name, "empty");
  return *value;
}

core::Result<std::uint64_t> required_decimal(const BlobMetadata& metadata,
                                             std::string_view name) {
  const auto value = required(metadata, name);
  if (!value) return value.error();
  const auto number = core::parse_uint64(*value);
  if (!number) return malformed(name, "a decimal number", *value);
  return *number;
}

core::Result<std::uint64_t> hex_id(std::string_view name, std::string_view value) {
  std::uint64_t id = 0;
  const auto* end = value.data() + value.size();
  if (value.size() != kIdHexDigits || !is_lower_hex(value) ||
      std::from_chars(value.data(), end, id, 16).ptr != end) {
    return malformed(name, "16 lowercase hex digits", value);
  }
  return id;
}

// --- retention ---

// A parsed name with the blob name it came from, in the order plans are reported: by cluster
// and member, then newest first.
struct Listed {
  SnapshotName snapshot;
  std::string name;
};

bool listed_before(const Listed& a, const Listed& b) {
  return std::tie(a.snapshot.cluster, a.snapshot.member, b.snapshot.taken_at,
                  b.snapshot.revision) < std::tie(b.snapshot.cluster, b.snapshot.member,
                                                  a.snapshot.taken_at, a.snapshot.revision);
}

bool same_member(const SnapshotName& a, const SnapshotName& b) {
  return a.cluster == b.cluster && a.member == b.member;
}

using ListedIt = std::vector<Listed>::const_iterator;

// Decides one member's snapshots, [first, last) newest first, into `plan`.
void plan_member(ListedIt first, ListedIt last, core::SystemTime now,
                 const RetentionPolicy& policy, RetentionPlan& plan) {
  using std::chrono::days;
  const auto retain = static_cast<std::size_t>(std::max(policy.retain, 1));
  const auto today = std::chrono::floor<days>(now);
  std::set<std::chrono::sys_days> days_seen;
  std::size_t recent = 0;
  for (auto entry = first; entry != last; ++entry) {
    const auto taken_at = entry->snapshot.taken_at;
    const auto day = std::chrono::floor<days>(taken_at);
    std::optional<RetentionReason> reason;
    if (taken_at > now) {
      reason = RetentionReason::kFuture;
    } else {
      // Newest first, so the first snapshot seen of a day is that day's newest, whether or
      // not it is also one of the recent ones (then the day needs nothing more).
      const bool newest_of_day = days_seen.insert(day).second;
      const bool in_daily_window = (today - day).count() < policy.daily_days;
      if (recent < retain) {
        ++recent;
        reason = RetentionReason::kRecent;
      } else if (newest_of_day && in_daily_window) {
        reason = RetentionReason::kDaily;
      }
    }
    if (reason) {
      plan.keep.push_back(KeptSnapshot{entry->name, *reason});
    } else {
      plan.remove.push_back(entry->name);
    }
  }
}

}  // namespace

std::string snapshot_prefix(std::string_view cluster, std::string_view member) {
  return std::string(kRoot) + std::string(cluster) + "/" + std::string(member) + "/";
}

std::string snapshot_blob_name(std::string_view cluster, std::string_view member,
                               core::SystemTime taken_at, std::uint64_t revision) {
  return snapshot_prefix(cluster, member) + core::format_iso8601_basic(taken_at) +
         std::string(kRevisionMark) + std::to_string(revision) + std::string(kExtension);
}

std::string SnapshotName::blob_name() const {
  return snapshot_blob_name(cluster, member, taken_at, revision);
}

std::optional<SnapshotName> parse_snapshot_blob_name(std::string_view name) {
  if (!name.starts_with(kRoot)) return std::nullopt;
  const auto parts = core::split(name.substr(kRoot.size()), '/');
  if (parts.size() != 3) return std::nullopt;
  // The same rule config applies to cluster and member names, so every name accepted here is
  // one the daemon could have written.
  if (!config::is_dns_label(parts[0]) || !config::is_dns_label(parts[1])) return std::nullopt;
  // <time>-rev<digits>.db
  const std::string_view rest(parts[2]);
  const auto digits_start = kTimeLength + kRevisionMark.size();
  if (rest.size() <= digits_start + kExtension.size() || !rest.ends_with(kExtension) ||
      rest.substr(kTimeLength, kRevisionMark.size()) != kRevisionMark) {
    return std::nullopt;
  }
  const auto taken_at = core::parse_iso8601_basic(rest.substr(0, kTimeLength));
  const auto revision = parse_revision(
      rest.substr(digits_start, rest.size() - digits_start - kExtension.size()));
  if (!taken_at || !revision) return std::nullopt;
  return SnapshotName{parts[0], parts[1], *taken_at, *revision};
}

BlobMetadata SnapshotMetadata::to_blob_metadata() const {
  BlobMetadata out{
      {std::string(kMetaRevision), std::to_string(revision)},
      {std::string(kMetaSha256), sha256},
      {std::string(kMetaSize), std::to_string(size)},
      {std::string(kMetaDaemonVersion), daemon_version},
  };
  if (cluster_id) out.emplace(kMetaClusterId, id_hex(*cluster_id));
  if (member_id) out.emplace(kMetaMemberId, id_hex(*member_id));
  if (revision_exact) out.emplace(kMetaRevisionExact, *revision_exact ? "true" : "false");
  return out;
}

core::Result<SnapshotMetadata> parse_snapshot_metadata(const BlobMetadata& metadata) {
  SnapshotMetadata out;
  const auto revision = required_decimal(metadata, kMetaRevision);
  if (!revision) return revision.error();
  out.revision = *revision;

  const auto sha256 = required(metadata, kMetaSha256);
  if (!sha256) return sha256.error();
  if (sha256->size() != kSha256HexDigits || !is_lower_hex(*sha256)) {
    return malformed(kMetaSha256, "64 lowercase hex digits", *sha256);
  }
  out.sha256 = *sha256;

  const auto size = required_decimal(metadata, kMetaSize);
  if (!size) return size.error();
  out.size = *size;

  const auto version = required(metadata, kMetaDaemonVersion);
  if (!version) return version.error();
  out.daemon_version = *version;

  for (const auto& [name, target] :
       {std::pair{kMetaClusterId, &out.cluster_id}, std::pair{kMetaMemberId, &out.member_id}}) {
    if (const auto text = find(metadata, name)) {
      const auto id = hex_id(name, *text);
      if (!id) return id.error();
      *target = *id;
    }
  }
  if (const auto exact = find(metadata, kMetaRevisionExact)) {
    if (*exact != "true" && *exact != "false") {
      return malformed(kMetaRevisionExact, "true or false", *exact);
    }
    out.revision_exact = *exact == "true";
  }
  return out;
}

RetentionPolicy retention_policy(const config::EtcdSnapshotConfig& snapshots) {
  return RetentionPolicy{snapshots.retain, snapshots.keep_daily_days()};
}

const char* to_string(RetentionReason reason) {
  switch (reason) {
    case RetentionReason::kRecent:
      return "recent";
    case RetentionReason::kDaily:
      return "daily";
    case RetentionReason::kFuture:
      return "future";
  }
  return "unknown";
}

RetentionPlan plan_retention(const std::vector<std::string>& blob_names, core::SystemTime now,
                             const RetentionPolicy& policy) {
  RetentionPlan plan;
  std::vector<Listed> listed;
  // A set: duplicate names in a listing are decided once, and `ignored` comes out sorted.
  std::set<std::string> ignored;
  for (const auto& name : std::set<std::string>(blob_names.begin(), blob_names.end())) {
    if (auto snapshot = parse_snapshot_blob_name(name)) {
      listed.push_back(Listed{std::move(*snapshot), name});
    } else {
      ignored.insert(name);
    }
  }
  std::sort(listed.begin(), listed.end(), listed_before);
  for (auto first = listed.begin(); first != listed.end();) {
    const auto last = std::find_if(first, listed.end(), [&](const Listed& entry) {
      return !same_member(entry.snapshot, first->snapshot);
    });
    plan_member(first, last, now, policy, plan);
    first = last;
  }
  plan.ignored.assign(ignored.begin(), ignored.end());
  return plan;
}

std::optional<SnapshotName> newest_snapshot(const std::vector<std::string>& blob_names) {
  std::optional<SnapshotName> newest;
  for (const auto& name : blob_names) {
    auto snapshot = parse_snapshot_blob_name(name);
    if (snapshot && (!newest || std::tie(snapshot->taken_at, snapshot->revision) >
                                    std::tie(newest->taken_at, newest->revision))) {
      newest = std::move(snapshot);
    }
  }
  return newest;
}

std::optional<SnapshotName> snapshot_of_lost_data(const std::vector<ListedSnapshot>& listed,
                                                  std::uint64_t cluster_id,
                                                  std::uint64_t revision) {
  std::optional<SnapshotName> best;
  for (const auto& entry : listed) {
    auto name = parse_snapshot_blob_name(entry.blob_name);
    if (!name) continue;
    const auto meta = parse_snapshot_metadata(entry.metadata);
    if (!meta.ok() || meta->cluster_id != cluster_id || meta->revision > revision) continue;
    // The metadata's revision is the one read from etcd; the name's is the same number.
    if (!best || std::tie(meta->revision, name->taken_at) > std::tie(best->revision, best->taken_at)) {
      name->revision = meta->revision;
      best = std::move(name);
    }
  }
  return best;
}

}  // namespace frankenetes::etcd
