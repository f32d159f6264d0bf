#pragma once
// The answer of one etcd member to `POST /v3/maintenance/status` (body `{}`) through its JSON
// gateway: which raft cluster it belongs to, its revision, raft position, database size,
// leader and version. What the daemon compares across readings to notice data loss: a
// revision that went backwards or a cluster id that changed after a restart.
//
// Pure. The gateway writes int64/uint64 fields as JSON strings of digits (etcd 3.4.23 answers
//   {"header":{"cluster_id":"324952591200643719","member_id":"3319814642761637952",
//    "revision":"2","raft_term":"2"},"version":"3.4.23","dbSize":"20480",
//    "leader":"3319814642761637952","raftIndex":"6","raftTerm":"2",...});
// JSON numbers are accepted too. A field that is absent (proto3 JSON omits zeros), null or of
// the wrong type is std::nullopt: unknown, never zero. Unknown fields are ignored.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace frankenetes::etcd {

struct MaintenanceStatus {
  std::optional<std::uint64_t> cluster_id;        // header.cluster_id
  std::optional<std::uint64_t> member_id;         // header.member_id: the member that answered
  std::optional<std::int64_t> revision;           // header.revision: the key-value store's revision
  std::optional<std::uint64_t> header_raft_term;  // header.raft_term
  std::optional<std::string> version;             // "3.4.23"
  std::optional<std::int64_t> db_size;            // dbSize: bytes of the backend file
  std::optional<std::uint64_t> leader;            // member id of the leader; absent (0) when none
  std::optional<std::uint64_t> raft_index;        // raftIndex
  std::optional<std::uint64_t> raft_term;         // raftTerm
};

// kTerminal "etcd status: body is not a JSON object: <excerpt>" for anything but an object.
core::Result<MaintenanceStatus> parse_maintenance_status(std::string_view body);

}  // namespace frankenetes::etcd
