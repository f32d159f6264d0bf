#pragma once
// DnsReadPlanner: which members' DNS records the DnsSynchronizer (reconcile/dns_sync.h) reads
// at their provider in a pass. A provider read is not free: every Azure DNS record-set GET is
// an ARM read, from the subscription's budget that every other tool shares (issue 12), so a
// member is read only when there is a reason, and the reads of a pass are capped. (How the
// synchronizer reads the chosen members is its business: name by name, or one zone list for
// all of a provider's members when that costs fewer requests, reconcile/dns_sync.h.)
//
// Reasons, most urgent first (reads within one reason: the member waiting longest first):
//   inputs_changed  the member's inputs (plan::dns_member_signature(): address, state, dns
//                   config, paused) differ from those of its last settled pass, or its plan
//                   needed no records since (state unknown, not running): a write may be due
//   retry           its last read, write or verification failed, or its provider was backing
//                   off when it wanted a read
//   never_read      no read yet (start, a member added by a reload); one whose inputs change
//                   while it waits for that read counts as inputs_changed
//   resync          nothing changed: a slow rolling re-read that catches changes made behind
//                   our back. Spread evenly: every pass earns members x elapsed /
//                   resyncInterval reads for the members read longest ago, so N members cost
//                   N / resyncInterval reads per second in steady state, never a burst; a
//                   member older than resyncInterval is read before its turn. Members whose
//                   provider lists its zone (DnsReadCandidate::resynced_by_zone_list) are
//                   not in the rotation: they are read when overdue, all in one listing.
// The cap is a token bucket of maxMemberReadsPerSecond, holding at most one burst window (the
// poll interval) of reads: a mass change (a region event hands out new IPs) is read over
// several passes, oldest first, and the members left over are `deferred` (reported, read next
// pass). A member whose provider cannot be called (not configured, backing off) is not read
// and costs nothing; when it has a reason it is `unreadable` (its plan skips it as
// provider_unreadable) and keeps the reason.
//
// A value type with `now` always an argument: it reads no clock, does no I/O and does not log
// (DnsReporter says what was read and deferred). The synchronizer tells it how each read and
// each member's pass ended: read() when records came back, settled() when the pass left the
// member in a known state with nothing more to do (in sync and verified, written and verified,
// not owned, paused, dry-run), unsettled() when something failed, not_needed() when the plan
// judged the member on its group state alone.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/time_source.h"
#include "model/observation.h"

namespace frankenetes::plan {

// Why a member's records are read. to_string() spellings are stable snake_case label values of
// `frankenetes_dns_record_reads_total{reason}` and log fields.
enum class DnsReadReason { kInputsChanged, kRetry, kNeverRead, kResync };

std::string_view to_string(DnsReadReason reason);
std::span<const DnsReadReason> all_dns_read_reasons();

struct DnsReadSettings {
  core::Duration resync_interval;  // dns.resyncInterval
  int max_reads_per_second = 1;    // dns.maxMemberReadsPerSecond (>= 1)
  core::Duration burst_window;     // the most reads saved up: this long at the full rate
};

// A digest of plan::dns_member_signature() (and whatever else decides the member's reads, such
// as its provider object): 8 bytes where the text is ~110, kept twice per member between
// passes. Two different texts with the same digest would delay a read until the next resync;
// for 64 bits that is about one chance in 10^19 per change.
using DnsReadSignature = std::uint64_t;
DnsReadSignature dns_read_signature(std::string_view text);

// A member whose plan needs its records this pass (plan::dns_needs_records()).
struct DnsReadCandidate {
  model::MemberKey member;
  DnsReadSignature signature = 0;
  bool readable = true;   // its provider can be called: configured and not backing off
  // Its provider lists its zone (Azure DNS), and a listing reads every member of the provider
  // (reconcile/dns_sync.h): such a member takes no share of the rolling resync and is read
  // for resync only once overdue, so a provider's members are resynced by one listing per
  // resyncInterval instead of a listing in every pass for the few whose turn it is.
  bool resynced_by_zone_list = false;
};

struct DnsRead {
  model::MemberKey member;
  DnsReadReason reason = DnsReadReason::kResync;
  // Since when the member has wanted this read (resync: since its last read); nullopt: the
  // member was never read.
  std::optional<core::MonotonicTime> waiting_since;
};

struct DnsReadDecision {
  std::vector<DnsRead> reads;       // read now, most urgent first
  std::vector<DnsRead> unreadable;  // a reason but no callable provider: plan as unreadable
  std::vector<DnsRead> deferred;    // a reason (or overdue resync) but over the cap: next pass
};

class DnsReadPlanner {
 public:
  // This pass's reads among `candidates` (in config order), taken from the budget. `force`
  // reads every readable candidate whatever the cap (sync_now: tests, one-shot runs).
  DnsReadDecision plan(const std::vector<DnsReadCandidate>& candidates, core::MonotonicTime now,
                       const DnsReadSettings& settings, bool force = false);

  // The member's records came back at `now`.
  void read(const model::MemberKey& member, core::MonotonicTime now);
  // The member's pass ended with nothing left to do for `signature`.
  void settled(const model::MemberKey& member, DnsReadSignature signature);
  // The member's pass failed (read, write, verification, provider backing off): read it again
  // next pass.
  void unsettled(const model::MemberKey& member);
  // The plan judged the member without its records: read it as soon as they matter again.
  void not_needed(const model::MemberKey& member);
  // Members not in `configured` are forgotten.
  void forget_except(const std::set<model::MemberKey>& configured);

  // When the member's records were last read; nullopt: never.
  std::optional<core::MonotonicTime> read_at(const model::MemberKey& member) const;

 private:
  struct MemberState {
    std::optional<core::MonotonicTime> read_at;
    std::optional<DnsReadSignature> settled;  // the signature of the last settled pass
    bool retry = false;
    std::optional<core::MonotonicTime> wanted_since;  // first pass with a reason, until read
    std::optional<DnsReadSignature> seen;             // the signature of the latest pass
    bool changed_unread = false;                      // inputs changed before the first read
  };

  std::map<model::MemberKey, MemberState> members_;
  double tokens_ = 0;         // reads the cap allows now
  double resync_credit_ = 0;  // resync reads earned and not yet spent
  std::optional<core::MonotonicTime> last_plan_;
};

}  // namespace frankenetes::plan
