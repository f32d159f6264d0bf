#include "etcd/maintenance_status.h"

#include <limits>

#include "core/json_fields.h"
#include "core/strings.h"

namespace frankenetes::etcd {
namespace {

namespace jf = core::json_fields;

// A uint64 written as a string of digits (the gateway's way, RFC 7159 numbers lose precision
// past 2^53) or as a non-negative JSON integer. Cluster and member ids use all 64 bits, so
// json_fields' int64 readers would call half of them out of range.
std::optional<std::uint64_t> unsigned_field(const jf::json& obj, std::string_view key) {
  const jf::json* value = jf::member(obj, key);
  if (value == nullptr) return std::nullopt;
  if (value->is_string()) return core::parse_uint64(value->get_ref<const std::string&>());
  if (value->is_number_unsigned()) return value->get<std::uint64_t>();
  if (value->is_number_integer()) {
    const auto v = value->get<std::int64_t>();
    if (v >= 0) return static_cast<std::uint64_t>(v);
  }
  return std::nullopt;  // negative, fractional, boolean, object, null …
}

std::optional<std::int64_t> signed_field(const jf::json& obj, std::string_view key) {
  return jf::integer_or_decimal_string(obj, key).optional();
}

std::optional<std::string> string_field(const jf::json& obj, std::string_view key) {
  return jf::string(obj, key).optional();
}

}  // namespace

core::Result<MaintenanceStatus> parse_maintenance_status(std::string_view body) {
  std::string parse_error;
  const auto doc = jf::parse(body, parse_error);
  if (!doc || !doc->is_object()) {
    return core::make_error(core::ErrorKind::kTerminal, "etcd status: body is not a JSON object: " +
                                                            core::printable_excerpt(body, 200));
  }
  MaintenanceStatus status;
  if (const auto header = jf::object(*doc, "header")) {
    status.cluster_id = unsigned_field(**header, "cluster_id");
    status.member_id = unsigned_field(**header, "member_id");
    status.revision = signed_field(**header, "revision");
    status.header_raft_term = unsigned_field(**header, "raft_term");
  }
  status.version = string_field(*doc, "version");
  status.db_size = signed_field(*doc, "dbSize");
  status.leader = unsigned_field(*doc, "leader");
  status.raft_index = unsigned_field(*doc, "raftIndex");
  status.raft_term = unsigned_field(*doc, "raftTerm");
  return status;
}

}  // namespace frankenetes::etcd
