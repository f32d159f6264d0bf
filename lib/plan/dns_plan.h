#pragma once
// plan_dns_changes(): the DNS plan, a pure function from (desired config, group observations,
// the record sets the providers returned, policy, now) to provider change sets and
// skips-with-reason, after external-dns plan.Calculate(). It reads no clock, does no I/O and
// does not log: the DnsSynchronizer (reconcile/dns_sync.h) reads the records, hands each
// member's change to its executor (reconcile/dns_executor.h), verifies it and has DnsReporter
// log and count the result. Record sets and changes are model values (model/dns_records.h).
//
// Per member with a `dns` section, the first rule that applies:
//   never observed, last GET failed, GET older than
//     policy.staleAfter, or no instanceView.state             -> skip state_unknown
//   group gone (GET 404), delete_when_gone: false             -> skip group_gone (record kept)
//   group found, instanceView.state not Running
//     (Stopped, Pending, Failed, …)                           -> skip group_not_running: keep
//                                                                the last good record; the IP
//                                                                changes when it comes back
//   Running but no public IP (mode a: no valid IPv4;
//     mode cname: no ACI fqdn)                                -> skip no_ip
//   the provider read failed (current is nullopt)             -> skip provider_unreadable
//   group gone, delete_when_gone: true
//     no A/CNAME left at the name and no TXT of ours          -> skip in_sync
//     a record left, registry TXT not ours (adopt does not
//       extend to deleting what we never marked)              -> skip not_owned
//     registry TXT ours                                       -> delete A/CNAME, then the TXT
//   Running: the registry TXT (plan/dns_registry.h) is not
//     ours and the name or the registry name holds anything,
//     adopt: false                                            -> skip not_owned (detail says
//                                                                whose or why)
//   mode cname and a TXT set at the name itself (the
//     operator's; a CNAME cannot coexist with it)             -> skip not_owned
//   record (type, values, TTL) and our TXT already right      -> skip in_sync
//   (before all of the above) another replica holds the
//     cluster (coordination)                                  -> skip not_leader: no read
//   the member is paused (admin API)                          -> skip paused: the change it
//                                                                would make is in the detail;
//                                                                in-sync is still reported
//   otherwise                                                 -> upserts: create (name free),
//                                                                update, adopt, or
//                                                                refresh_registry (TXT only)
// A name with no A, no CNAME and no registry TXT is free: creating it needs no adoption.
// "Ours" means the registry TXT names our dns.ownerId (a second owner's claim beside ours makes
// it not ours); it is compared by meaning, so a quoted TXT read back does not cause rewrites.
// Group state is judged before the provider read on purpose: with state unknown nothing may
// change, whatever the provider says.
//
// Every Change carries expected_current = exactly what was read (a set with no values: "must
// not exist"), so a record changed between read and apply makes the provider fail with
// kConflict and the executor re-reads and re-plans instead of overwriting.
// Order inside one member's change list, chosen so that a partial apply (providers other than
// RFC 2136 stop at the first failure) never strands a record we can no longer claim:
//   upserts: registry TXT first, then the record (a record we wrote always has its marker);
//            when the mode changed (A <-> CNAME) the other type is deleted just before;
//   deletes: the record first, then the TXT (a leftover TXT is cleaned up next pass; a
//            leftover record without TXT would be not_owned forever).
// Dry-run is a policy decided here: every change set carries policy.dryRun, and
// PolicyDnsExecutor hands such a change to the dry-run executor, which sends nothing.

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/types.h"
#include "core/time_source.h"
#include "model/dns_records.h"
#include "model/observation.h"
#include "plan/dns_registry.h"
#include "plan/member_index.h"

namespace frankenetes::plan {

// Why the DNS plan left a member's name alone. to_string() spellings are stable snake_case
// label values of `frankenetes_dns_skips_total{reason}` and log fields.
enum class DnsSkipReason {
  kStateUnknown,        // group never observed, read failed, stale, or no instanceView.state
  kGroupNotRunning,     // group exists but is not Running: keep the last good record
  kGroupGone,           // group deleted (404) and delete_when_gone is false: record kept
  kNoIp,                // Running without a public IP (mode cname: without an ACI fqdn)
  kProviderUnreadable,  // the provider read of the name failed: nothing to compare with
  kNotOwned,            // no ownership TXT of ours (absent, foreign, other owner, unreadable)
  kInSync,              // already as desired: nothing to do
  kPaused,              // an operator paused the member: its name is left as it is
  kNotLeader,           // coordination: another replica holds the cluster's lease
};

std::string_view to_string(DnsSkipReason reason);
std::span<const DnsSkipReason> all_dns_skip_reasons();

// What a member's change does, for the event log ("dns.record.updated old=… new=…").
enum class DnsChangeKind {
  kCreate,           // nothing at the name: record and TXT created
  kUpdate,           // our record, new value (or TTL, or mode)
  kAdopt,            // a record not ours taken over (adopt: true), TXT written
  kRefreshRegistry,  // record right, only our TXT rewritten (missing or outdated labels)
  kDelete,           // group gone, delete_when_gone: record and TXT removed
};

std::string_view to_string(DnsChangeKind kind);

// One member as the reconciler hands it to the plan.
struct DnsMemberInput {
  model::MemberKey member;
  config::MemberDnsConfig dns;
  std::optional<model::GroupObservation> group;  // nullopt: never observed
  // Every set the provider's read() returned for dns.name and for registry_name(dns.name),
  // concatenated (the plan matches them by fqdn and type). nullopt: a read failed.
  std::optional<std::vector<model::RecordSet>> current;
  std::string read_error;  // why `current` is nullopt, for the skip detail
  bool paused = false;     // model::MemberObservation::paused: plan, but change nothing
  // Coordination (issue 13): another replica holds the cluster's lease. Judged first: its
  // records are not read (dns_needs_records() is false) and nothing is planned for it.
  bool standby = false;
};

struct DnsPlanInput {
  std::string owner_id;  // dns.ownerId
  // Only staleAfter and dryRun are used.
  const config::PolicyConfig& policy;
  std::vector<DnsMemberInput> members;
  core::MonotonicTime now;
};

// The changes for one member's name, in apply order. Applied as one provider call so that a
// conflict on one member never holds back another.
struct DnsMemberChange {
  model::MemberKey member;
  std::string provider;  // key of dns.providers
  std::string fqdn;
  DnsChangeKind kind = DnsChangeKind::kUpdate;
  std::optional<model::RecordSet> old_record;  // the A/CNAME set as read; nullopt: none
  std::optional<model::RecordSet> new_record;  // the A/CNAME set afterwards; nullopt: deleted
  std::vector<model::Change> changes;
  bool dry_run = false;  // policy.dryRun: log, do not apply
  std::string detail;    // for people: "adopting (owned by …): A 1.2.3.4 -> A 5.6.7.8"
};

struct DnsSkip {
  model::MemberKey member;
  std::string provider;
  std::string fqdn;
  DnsSkipReason reason = DnsSkipReason::kStateUnknown;
  std::string detail;  // for people: "group state Stopped", "owned by owner id \"staging\""

  bool operator==(const DnsSkip&) const = default;
};

// One member as the plan saw it: the `frankenetes_dns_record_in_sync` gauge and /status.
struct DnsMemberStatus {
  model::MemberKey member;
  std::string provider;
  std::string fqdn;
  std::optional<model::RecordSet> desired;  // nullopt when the desired value is not known
  // The name answers with the desired type and values (TTL aside: resolvers see the same
  // address). nullopt: cannot tell (state unknown, group not running, provider unreadable);
  // the gauge keeps its previous value then rather than raising a false alarm.
  std::optional<bool> in_sync;

  bool operator==(const DnsMemberStatus&) const = default;
};

struct DnsPlanResult {
  std::vector<DnsMemberStatus> members;  // every input member, in input order
  std::vector<DnsMemberChange> changes;  // at most one per member
  std::vector<DnsSkip> skips;            // one per member without a change

  // The same changes, concatenated per provider (members in input order), for callers that
  // batch; dry-run changes are included (check DnsMemberChange::dry_run).
  std::map<std::string, std::vector<model::Change>> changes_by_provider() const;

  const DnsMemberStatus* find_member(const model::MemberKey& key) const;
  const DnsMemberChange* find_change(const model::MemberKey& key) const;
  const DnsSkip* find_skip(const model::MemberKey& key) const;
};

DnsPlanResult plan_dns_changes(const DnsPlanInput& input);

// The reconciler's starting point: one DnsMemberInput per configured member with a `dns`
// section (clusters and members in config order), its latest group observation filled in from
// `observed`, `current` left unset ("not read yet") for the caller to fill from the provider
// with the names of names_to_read().
std::vector<DnsMemberInput> dns_members(
    const config::Config& desired,
    const model::Observations& observed);


// A text that changes whenever anything plan_dns_changes() reads from `member` changes, the
// provider records and the observation's age aside: member, dns config, paused, group outcome,
// state, IP and ACI fqdn. The DNS synchronizer reads a member's records again when it differs
// from the one of the member's last settled pass (reconcile/dns_sync.h, plan/dns_read_plan.h).
std::string dns_member_signature(const DnsMemberInput& member);

// Whether plan_dns_changes() would look at `member.current` at `now`: only when its group is
// Running with a desired record, or proven gone with delete_when_gone. Every other member is
// skipped on its group state alone (state_unknown, group_not_running, group_gone, no_ip), so
// reading its records would buy nothing. Reads only staleAfter of `policy`.
bool dns_needs_records(const DnsMemberInput& member, const config::PolicyConfig& policy,
                       core::MonotonicTime now);

// The names whose record sets plan_dns_changes() needs: the member's name and its registry
// name (plan/dns_registry.h), lowercase without the root dot.
std::vector<std::string> names_to_read(const config::MemberDnsConfig& dns);

// The A or CNAME set a member's name should have for its group, or why there is none
// (kNoIp's detail). Exposed for the verifier's caller and tests; plan_dns_changes() uses it.
struct DesiredRecord {
  std::optional<model::RecordSet> record;
  std::string problem;
};
DesiredRecord desired_record(const config::MemberDnsConfig& dns,
                             const model::ContainerGroupSummary& group);

}  // namespace frankenetes::plan
