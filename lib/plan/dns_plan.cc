#include "plan/dns_plan.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>

#include "core/duration.h"
#include "core/strings.h"
#include "plan/health.h"

namespace frankenetes::plan {
namespace {

using model::Change;
using model::RecordSet;
using model::RecordType;
using model::GroupObservation;

using core::iequals;
using core::is_ipv4;
using core::to_lower;

// Names compare as DNS does: case-insensitively, with or without the root dot.
std::string canonical_name(std::string_view name) {
  std::string out = to_lower(name);
  if (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

std::string join(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : " ") + v;
  return out.empty() ? "(none)" : out;
}

std::string describe(const std::optional<RecordSet>& set) {
  if (!set) return "none";
  return std::string(model::to_string(set->type)) + " " + join(set->values);
}

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

const RecordSet* find_set(const std::vector<RecordSet>& sets, const std::string& fqdn,
                          RecordType type) {
  for (const RecordSet& s : sets) {
    if (s.type == type && canonical_name(s.fqdn) == fqdn) return &s;
  }
  return nullptr;
}

// A set the provider must find absent ("RRset does not exist", If-None-Match: *).
RecordSet absent(const std::string& fqdn, RecordType type, uint32_t ttl) {
  RecordSet s;
  s.fqdn = fqdn;
  s.type = type;
  s.ttl = ttl;
  return s;
}

Change upsert(RecordSet desired, const RecordSet* current) {
  Change c;
  c.kind = Change::Kind::kUpsert;
  c.expected_current =
      current != nullptr ? *current : absent(desired.fqdn, desired.type, desired.ttl);
  c.desired = std::move(desired);
  return c;
}

Change remove(const RecordSet& current) {
  Change c;
  c.kind = Change::Kind::kDelete;
  c.desired = current;
  c.desired.version.clear();
  c.expected_current = current;
  return c;
}

std::optional<RecordSet> copy(const RecordSet* set) {
  return set != nullptr ? std::optional<RecordSet>(*set) : std::nullopt;
}

// Everything one member's planning needs, gathered once.
struct MemberContext {
  const DnsMemberInput& in;
  const DnsPlanInput& plan;
  std::string fqdn;
  std::string registry;
  DnsPlanResult& out;

  void skip(DnsSkipReason reason, std::string detail) const {
    out.skips.push_back({in.member, in.dns.provider, fqdn, reason, std::move(detail)});
  }
  DnsMemberStatus& status() const { return out.members.back(); }
  void change(DnsChangeKind kind, std::optional<RecordSet> old_record,
              std::optional<RecordSet> new_record, std::vector<Change> changes,
              std::string detail) const {
    out.changes.push_back({in.member, in.dns.provider, fqdn, kind, std::move(old_record),
                           std::move(new_record), std::move(changes), plan.policy.dry_run,
                           std::move(detail)});
  }
};

// The group's state as far as DNS cares, or the reason it cannot be used.
enum class GroupVerdict { kUnknown, kGone, kNotRunning, kRunning };

GroupVerdict judge_group(const DnsMemberInput& in, const DnsPlanInput& plan, std::string& detail) {
  if (!in.group) {
    detail = "no container group observation yet";
    return GroupVerdict::kUnknown;
  }
  const GroupObservation& group = *in.group;
  if (group.outcome == GroupObservation::Outcome::kError) {
    detail = "last read failed: " +
             (group.error ? group.error->describe() : std::string("no error recorded"));
    return GroupVerdict::kUnknown;
  }
  // A LIST that showed the group as the GET did vouches for its address (health.h).
  const auto age = std::chrono::duration_cast<core::Duration>(
      plan.now - current_as_of(group, plan.policy));
  if (age > plan.policy.stale_after) {
    detail = "last observation is " + core::format_duration(age) + " old (staleAfter " +
             core::format_duration(plan.policy.stale_after) + ")";
    return GroupVerdict::kUnknown;
  }
  if (group.outcome == GroupObservation::Outcome::kNotFound) {
    // The same proof as for recreate gates deleteWhenGone: an unproven 404 is unknown.
    if (!group.gone_confirmed) {
      detail = "container group answered 404, not proven gone yet: " + group.gone_evidence;
      return GroupVerdict::kUnknown;
    }
    detail = "container group gone (" + group.gone_evidence + ")";
    return GroupVerdict::kGone;
  }
  if (!group.view) {
    detail = "GET returned no container group";
    return GroupVerdict::kUnknown;
  }
  if (group.view->state.empty()) {
    detail = "no instanceView.state";
    return GroupVerdict::kUnknown;
  }
  if (!iequals(group.view->state, "Running")) {
    detail = "group state " + group.view->state + ": keeping the last record until it runs";
    return GroupVerdict::kNotRunning;
  }
  return GroupVerdict::kRunning;
}

// Group gone and delete_when_gone: remove the record and then its marker, only if ours.
void plan_delete(const MemberContext& m, const std::vector<RecordSet>& current) {
  const RecordSet* a = find_set(current, m.fqdn, RecordType::kA);
  const RecordSet* cname = find_set(current, m.fqdn, RecordType::kCname);
  const RecordSet* txt = find_set(current, m.registry, RecordType::kTxt);
  const Ownership ownership =
      ownership_of(txt != nullptr ? txt->values : std::vector<std::string>{}, m.plan.owner_id);
  const bool record_left = a != nullptr || cname != nullptr;
  m.status().in_sync = !record_left;

  if (!ownership.owned()) {
    if (!record_left) {
      m.skip(DnsSkipReason::kInSync, "group gone and no record of ours at the name");
      return;
    }
    // adopt: true takes over a name to keep it pointing at the member, not to delete it.
    m.skip(DnsSkipReason::kNotOwned,
           "group gone, delete_when_gone set, but the record is not ours: " + ownership.detail);
    return;
  }
  std::vector<Change> changes;
  if (a != nullptr) changes.push_back(remove(*a));
  if (cname != nullptr) changes.push_back(remove(*cname));
  changes.push_back(remove(*txt));
  const RecordSet* old_record = a != nullptr ? a : cname;
  m.change(DnsChangeKind::kDelete, copy(old_record), std::nullopt, std::move(changes),
           old_record == nullptr
               ? "group gone and delete_when_gone: deleting the leftover ownership TXT"
               : "group gone and delete_when_gone: deleting " + describe(copy(old_record)) +
                     " and the ownership TXT");
}

void plan_upsert(const MemberContext& m, const RecordSet& desired,
                 const std::vector<RecordSet>& current) {
  const bool cname_mode = desired.type == RecordType::kCname;
  const RecordType other_type = cname_mode ? RecordType::kA : RecordType::kCname;
  const RecordSet* record = find_set(current, m.fqdn, desired.type);
  const RecordSet* other = find_set(current, m.fqdn, other_type);
  const RecordSet* txt = find_set(current, m.registry, RecordType::kTxt);
  const RecordSet* txt_at_name = find_set(current, m.fqdn, RecordType::kTxt);
  const Ownership ownership =
      ownership_of(txt != nullptr ? txt->values : std::vector<std::string>{}, m.plan.owner_id);

  const bool record_right = record != nullptr && record->values == desired.values;
  m.status().in_sync = record_right && other == nullptr;

  // A name with nothing at it and no registry TXT is free: creating it needs no adoption.
  const bool name_free = record == nullptr && other == nullptr && txt == nullptr;
  const bool adopting = !ownership.owned() && !name_free;
  if (adopting && !m.in.dns.adopt) {
    std::string detail = ownership.detail;
    const RecordSet* shown = record != nullptr ? record : other;
    if (shown != nullptr) detail += "; the name has " + describe(copy(shown));
    m.skip(DnsSkipReason::kNotOwned, detail + " (adopt: true takes it over)");
    return;
  }
  // RFC 1034 §3.6.2: a CNAME cannot share its name with other data, and the TXT at the name is
  // the operator's (SPF, verification): never ours to remove.
  if (cname_mode && txt_at_name != nullptr) {
    m.skip(DnsSkipReason::kNotOwned,
           "a TXT set exists at the name itself, and a CNAME cannot coexist with it");
    return;
  }

  RecordSet desired_txt;
  desired_txt.fqdn = m.registry;
  desired_txt.type = RecordType::kTxt;
  desired_txt.ttl = desired.ttl;
  const OwnershipLabels labels{m.plan.owner_id, m.in.member.cluster, m.in.member.member};
  desired_txt.values = {encode_ownership(labels)};

  // Compared by meaning, not by text: a provider that hands TXT back in presentation form
  // (quoted) or another encoder's escaping must not cause a rewrite on every pass.
  const bool txt_right = ownership.owned() && txt != nullptr && txt->values.size() == 1 &&
                         parse_ownership(txt->values[0]).labels == labels;
  const bool record_exact = record_right && record->ttl == desired.ttl && other == nullptr;
  if (txt_right && record_exact) {
    m.skip(DnsSkipReason::kInSync, describe(desired));
    return;
  }

  std::vector<Change> changes;
  if (!txt_right) changes.push_back(upsert(desired_txt, txt));
  if (other != nullptr) changes.push_back(remove(*other));
  if (!record_exact) changes.push_back(upsert(desired, record));

  DnsChangeKind kind = DnsChangeKind::kUpdate;
  std::string detail;
  const std::optional<RecordSet> old_record = copy(record != nullptr ? record : other);
  if (adopting) {
    kind = DnsChangeKind::kAdopt;
    detail =
        "adopting (" + ownership.detail + "): " + describe(old_record) + " -> " + describe(desired);
  } else if (record_exact) {
    kind = DnsChangeKind::kRefreshRegistry;
    detail = txt == nullptr ? "writing the missing ownership TXT"
                            : "rewriting the ownership TXT (was " + join(txt->values) + ")";
  } else if (!old_record) {
    kind = DnsChangeKind::kCreate;
    detail = "creating " + describe(desired);
  } else {
    detail = describe(old_record) + " -> " + describe(desired);
    if (record_right)
      detail += " (TTL " + std::to_string(record->ttl) + " -> " + std::to_string(desired.ttl) + ")";
  }
  m.change(kind, old_record, desired, std::move(changes), std::move(detail));
}

void plan_member(const DnsMemberInput& in, const DnsPlanInput& plan, DnsPlanResult& out) {
  const std::string fqdn = canonical_name(in.dns.name);
  out.members.push_back({in.member, in.dns.provider, fqdn, std::nullopt, std::nullopt});
  const MemberContext m{in, plan, fqdn, registry_name(fqdn), out};
  if (in.standby) {
    m.skip(DnsSkipReason::kNotLeader, "another replica holds the cluster's lease");
    return;
  }

  std::string detail;
  const GroupVerdict verdict = judge_group(in, plan, detail);
  switch (verdict) {
    case GroupVerdict::kUnknown:
      m.skip(DnsSkipReason::kStateUnknown, detail);
      return;
    case GroupVerdict::kNotRunning:
      m.skip(DnsSkipReason::kGroupNotRunning, detail);
      return;
    case GroupVerdict::kGone:
      if (!in.dns.delete_when_gone) {
        m.skip(DnsSkipReason::kGroupGone, detail + ": keeping the record (delete_when_gone off)");
        return;
      }
      if (!in.current) {
        m.skip(DnsSkipReason::kProviderUnreadable, in.read_error);
        return;
      }
      plan_delete(m, *in.current);
      return;
    case GroupVerdict::kRunning:
      break;
  }

  const DesiredRecord desired = desired_record(in.dns, in.group->view->summary);
  if (!desired.record) {
    m.skip(DnsSkipReason::kNoIp, desired.problem);
    return;
  }
  m.status().desired = desired.record;
  if (!in.current) {
    m.skip(DnsSkipReason::kProviderUnreadable, in.read_error);
    return;
  }
  plan_upsert(m, *desired.record, *in.current);
}

}  // namespace

std::string_view to_string(DnsSkipReason reason) {
  switch (reason) {
    case DnsSkipReason::kStateUnknown:
      return "state_unknown";
    case DnsSkipReason::kGroupNotRunning:
      return "group_not_running";
    case DnsSkipReason::kGroupGone:
      return "group_gone";
    case DnsSkipReason::kNoIp:
      return "no_ip";
    case DnsSkipReason::kProviderUnreadable:
      return "provider_unreadable";
    case DnsSkipReason::kNotOwned:
      return "not_owned";
    case DnsSkipReason::kInSync:
      return "in_sync";
    case DnsSkipReason::kPaused:
      return "paused";
    case DnsSkipReason::kNotLeader:
      return "not_leader";
  }
  return "unknown";
}

std::span<const DnsSkipReason> all_dns_skip_reasons() {
  static constexpr std::array kAll{
      DnsSkipReason::kStateUnknown,
      DnsSkipReason::kGroupNotRunning,
      DnsSkipReason::kGroupGone,
      DnsSkipReason::kNoIp,
      DnsSkipReason::kProviderUnreadable,
      DnsSkipReason::kNotOwned,
      DnsSkipReason::kInSync,
      DnsSkipReason::kPaused,
      DnsSkipReason::kNotLeader,
  };
  return kAll;
}

std::string_view to_string(DnsChangeKind kind) {
  switch (kind) {
    case DnsChangeKind::kCreate:
      return "create";
    case DnsChangeKind::kUpdate:
      return "update";
    case DnsChangeKind::kAdopt:
      return "adopt";
    case DnsChangeKind::kRefreshRegistry:
      return "refresh_registry";
    case DnsChangeKind::kDelete:
      return "delete";
  }
  return "unknown";
}

DesiredRecord desired_record(const config::MemberDnsConfig& dns,
                             const model::ContainerGroupSummary& group) {
  DesiredRecord out;
  RecordSet set;
  set.fqdn = canonical_name(dns.name);
  set.ttl = static_cast<uint32_t>(std::max(dns.ttl, 1));
  if (dns.mode == config::DnsRecordMode::kCname) {
    if (!group.fqdn || group.fqdn->empty()) {
      out.problem = "mode cname but the group has no ACI fqdn (ipAddress.dnsNameLabel unset)";
      return out;
    }
    set.type = RecordType::kCname;
    set.values = {canonical_name(*group.fqdn)};
  } else {
    if (!group.ip || group.ip->empty()) {
      out.problem = "the group is Running without a public IP";
      return out;
    }
    if (!is_ipv4(*group.ip)) {
      out.problem = "the group's IP " + quoted(*group.ip) + " is not an IPv4 address";
      return out;
    }
    set.type = RecordType::kA;
    set.values = {*group.ip};
  }
  out.record = std::move(set);
  return out;
}

DnsPlanResult plan_dns_changes(const DnsPlanInput& input) {
  DnsPlanResult out;
  for (const DnsMemberInput& member : input.members) {
    plan_member(member, input, out);
    // Planned all the same, so that the skip says what resuming would change and in_sync
    // stays known; a paused member's name is not written (nor deleted).
    if (member.paused && !out.changes.empty() && out.changes.back().member == member.member) {
      const DnsMemberChange change = std::move(out.changes.back());
      out.changes.pop_back();
      out.skips.push_back({change.member, change.provider, change.fqdn, DnsSkipReason::kPaused,
                           "paused by an operator; would " + std::string(to_string(change.kind)) +
                               ": " + change.detail});
    }
  }
  return out;
}

std::vector<DnsMemberInput> dns_members(
    const config::Config& desired,
    const model::Observations& observed) {
  std::vector<DnsMemberInput> out;
  std::size_t count = 0;
  for (const config::ClusterConfig& cluster : desired.clusters) {
    for (const config::MemberConfig& member : cluster.members) count += member.dns ? 1 : 0;
  }
  out.reserve(count);  // growing by doubling held up to 1.5 times the array at 4000 members
  for (const config::ClusterConfig& cluster : desired.clusters) {
    for (const config::MemberConfig& member : cluster.members) {
      if (!member.dns) continue;
      DnsMemberInput in;
      in.member = {cluster.name, member.name};
      in.dns = *member.dns;
      const auto it = observed.find(in.member);
      if (it != observed.end()) {
        in.group = it->second.group;
        in.paused = it->second.paused;
      }
      in.read_error = "not read";
      out.push_back(std::move(in));
    }
  }
  return out;
}

std::string dns_member_signature(const DnsMemberInput& input) {
  std::string out = input.member.to_string() + "|" + input.dns.provider + "|" + input.dns.name +
                    "|" + std::to_string(input.dns.ttl) + "|" + (input.dns.adopt ? "adopt" : "") +
                    "|" + (input.dns.delete_when_gone ? "delete" : "") + "|" +
                    std::to_string(static_cast<int>(input.dns.mode)) + "|" +
                    (input.paused ? "paused" : "") + "|" + (input.standby ? "standby" : "") + "|";
  if (!input.group) return out + "never";
  out += std::to_string(static_cast<int>(input.group->outcome)) + "|";
  if (input.group->view) {
    const auto& view = *input.group->view;
    out += view.state + "|" + view.summary.ip.value_or("") + "|" + view.summary.fqdn.value_or("");
  }
  return out;
}

bool dns_needs_records(const DnsMemberInput& member, const config::PolicyConfig& policy,
                       core::MonotonicTime now) {
  // The same judgement plan_member() makes before it looks at the records.
  if (member.standby) return false;
  const DnsPlanInput plan{"", policy, {}, now};
  std::string detail;
  switch (judge_group(member, plan, detail)) {
    case GroupVerdict::kUnknown:
    case GroupVerdict::kNotRunning:
      return false;
    case GroupVerdict::kGone:
      return member.dns.delete_when_gone;
    case GroupVerdict::kRunning:
      return desired_record(member.dns, member.group->view->summary).record.has_value();
  }
  return false;
}

std::vector<std::string> names_to_read(const config::MemberDnsConfig& dns) {
  const std::string name = canonical_name(dns.name);
  return {name, registry_name(name)};
}

std::map<std::string, std::vector<model::Change>> DnsPlanResult::changes_by_provider() const {
  std::map<std::string, std::vector<model::Change>> out;
  for (const DnsMemberChange& c : changes) {
    auto& list = out[c.provider];
    list.insert(list.end(), c.changes.begin(), c.changes.end());
  }
  return out;
}

const DnsMemberStatus* DnsPlanResult::find_member(const model::MemberKey& key) const {
  for (const auto& m : members) {
    if (m.member == key) return &m;
  }
  return nullptr;
}

const DnsMemberChange* DnsPlanResult::find_change(const model::MemberKey& key) const {
  for (const auto& c : changes) {
    if (c.member == key) return &c;
  }
  return nullptr;
}

const DnsSkip* DnsPlanResult::find_skip(const model::MemberKey& key) const {
  for (const auto& s : skips) {
    if (s.member == key) return &s;
  }
  return nullptr;
}

}  // namespace frankenetes::plan
