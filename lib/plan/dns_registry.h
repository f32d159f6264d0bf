#pragma once
// The DNS ownership registry: how frankenetes marks a DNS name as its own, after external-dns'
// TXT registry (registry/txt.go, endpoint/labels.go). plan_dns_changes() (plan/dns_plan.h) only
// modifies a name whose registry TXT carries our owner id, unless the member says `adopt: true`.
// Pure: text in, text out; reading and writing the TXT record is the providers' job.
//
// Format (stable; changing it orphans every record already written):
//   name   "_frankenetes.<name>", e.g. "_frankenetes.cp-etcd.example.com", for every mode.
//          Not the managed name itself: a TXT beside a CNAME at the same name is illegal
//          (RFC 1034 §3.6.2), and a TXT at the name would mix with the operator's own TXT
//          (SPF, site verification). One rule for both modes means switching a member from
//          `mode: a` to `mode: cname` keeps its ownership.
//   value  one TXT string (quotes are presentation, not part of the value):
//            heritage=frankenetes,frankenetes/owner=<ownerId>,frankenetes/cluster=<cluster>,
//            frankenetes/member=<member>
//          (on one line, no spaces). Keys are written in that order; parsing accepts any
//          order, ignores unknown "frankenetes/…" keys (newer writers may add some) and
//          percent-decodes values. Values are percent-encoded (%2C for ',') except
//          [A-Za-z0-9._~:@/+-], so any owner id round-trips.
// A TXT value without "heritage=frankenetes" is foreign (not ours, never a parse error);
// a value that claims our heritage but is broken is malformed, and counts as not owned:
// frankenetes never acts on a marker it cannot read.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace frankenetes::plan {

inline constexpr std::string_view kRegistryHeritage = "frankenetes";
inline constexpr std::string_view kRegistryNamePrefix = "_frankenetes.";

// What the registry TXT says about the name it guards.
struct OwnershipLabels {
  std::string owner;    // dns.ownerId of the daemon that manages the name
  std::string cluster;  // config cluster name, for people reading the zone
  std::string member;   // config member name

  bool operator==(const OwnershipLabels&) const = default;
};

// "_frankenetes." + fqdn (lowercase, no trailing dot).
std::string registry_name(std::string_view fqdn);

// The TXT value for `labels`; owner must be non-empty (the config guarantees it).
std::string encode_ownership(const OwnershipLabels& labels);

// One TXT value, parsed.
struct ParsedOwnership {
  enum class Kind {
    kOurs,       // heritage=frankenetes with an owner: `labels` is set
    kForeign,    // no frankenetes heritage (SPF, external-dns, anything else)
    kMalformed,  // claims frankenetes heritage but cannot be read: `problem` says why
  };
  Kind kind = Kind::kForeign;
  OwnershipLabels labels;
  std::string problem;
};

ParsedOwnership parse_ownership(std::string_view txt_value);

// The verdict over every value of the TXT set at registry_name(fqdn).
struct Ownership {
  enum class Kind {
    kUnmarked,   // no frankenetes value at all (no TXT, or only foreign values)
    kOurs,       // a value with our owner id and no value of another owner
    kOther,      // another owner id (or several owners, ours among them)
    kMalformed,  // a frankenetes value we cannot read, and no readable one of ours alone
  };
  Kind kind = Kind::kUnmarked;
  std::optional<OwnershipLabels> ours;  // set for kOurs
  std::string detail;                   // for people: "owned by owner id \"staging\""

  bool owned() const { return kind == Kind::kOurs; }
};

Ownership ownership_of(const std::vector<std::string>& txt_values, std::string_view owner_id);

}  // namespace frankenetes::plan
