#pragma once
// StatusSnapshot: everything /status (JSON) and the status page (/) show, as one plain value:
// per cluster and member what ACI, the probe and DNS say, what the planner decided and did,
// recent events, the action budget, ARM's read budget and the build. The reconcile side
// assembles it (reconcile/status_view.h builds the members after every plan, StatusBoard
// merges DNS, events and ARM in and publishes it, status/status_board.h); the renderers
// (status/status_render.h) are pure functions of it. No planner or Azure types: the
// vocabularies arrive as their stable spellings (plan::to_string and the like).
//
// Unknown is never zero: a value the daemon has not learnt (no probe yet, a count ARM left
// out, a group never read) is an empty std::optional, shown as "unknown" (HTML) or null (JSON).
// Strings that came from Azure (container names, states, details, events) are shown escaped.

#include <optional>
#include <string>
#include <vector>

#include "core/time_source.h"

namespace frankenetes::status {

// Bumped when a field of /status changes meaning or goes away; new fields do not bump it.
inline constexpr int kStatusFormatVersion = 1;

// The ring of recent events keeps this many (the oldest goes first).
inline constexpr std::size_t kMaxStatusEvents = 200;

struct BuildInfo {
  std::string version;
  std::string commit;
  std::string build_type;
};

struct ContainerStatus {
  std::string name;
  std::optional<std::string> state;  // currentState.state: Running, Waiting, Terminated, …
  std::string detail;                // currentState.detailStatus ("CrashLoopBackOff: …")
  std::optional<int> restart_count;  // instanceView.restartCount
};

struct ProbeStatus {
  bool configured = false;
  std::optional<bool> success;  // the latest probe; nullopt: none has finished yet
  std::optional<core::Duration> latency;
  std::string error;  // of the latest probe, when it failed
  std::optional<core::SystemTime> at;
};

// What the member's DNS name looks like, as the DNS pipeline last knew it.
struct DnsStatus {
  std::string provider;  // a dns.providers key
  std::string fqdn;
  std::optional<bool> in_sync;  // the name answers the group's address (verified)
  std::string skip_reason;      // the DNS plan's latest skip (plan::DnsSkipReason), "" none
  std::string detail;
  // When the records were last read at the provider: the state above is as of then (a member
  // with no reason to be read keeps its last known state between resyncs). nullopt: never.
  std::optional<core::SystemTime> read_at;
  bool read_deferred = false;  // it wants a read that the read cap put off to a later pass
};

// DnsStatus of one member, as the DNS pipeline hands it over.
struct DnsRecordStatus {
  std::string cluster;
  std::string member;
  DnsStatus status;
};

// The member's latest remediation action: in flight, or the last one that finished.
struct ActionStatus {
  std::string kind;  // restart | start | stop_start | recreate
  int rung = 0;
  std::string reason;  // why the planner chose it ("rung 0 restart: crash_loop_backoff: …")
  // running | succeeded | failed | timed_out | interrupted | dry_run
  std::string result;
  std::string detail;  // the executor's words when it did not succeed
  std::optional<core::SystemTime> started_at;
  std::optional<core::SystemTime> finished_at;
};

struct SkipStatus {
  std::string reason;  // plan::SkipReason ("backoff", "paused", …)
  std::string detail;
};

// role etcd only.
struct EtcdStatus {
  bool snapshots_enabled = false;
  std::optional<core::Duration> snapshot_age;  // newest verified snapshot; nullopt: none known
  std::string snapshot_name;
  bool data_at_risk = false;  // a disruptive rung was refused: the data would be lost
  std::string data_loss;      // detected data loss (cluster id or revision), "" none
};

struct MemberStatus {
  std::string cluster;
  std::string name;
  std::string role;
  std::string health;         // healthy | unhealthy | unknown
  std::string health_detail;  // why: "crash_loop_backoff: container etcd is Waiting: …"

  // ACI, from the latest GET: found | not_found | error | never
  std::string group_read;
  std::string group_error;                        // when the read failed
  std::optional<std::string> aci_state;           // instanceView.state
  std::optional<std::string> provisioning_state;  // provisioningState
  std::optional<std::string> ip;                  // public IP
  std::vector<ContainerStatus> containers;
  std::optional<core::SystemTime> observed_at;

  ProbeStatus probe;
  std::optional<DnsStatus> dns;  // members with a dns section

  int rung = 0;  // ladder position of the next action
  std::optional<core::Duration> backoff_left;
  bool gave_up = false;
  bool needs_person = false;
  std::optional<ActionStatus> last_action;
  std::optional<SkipStatus> skip;  // why nothing is done right now
  bool paused = false;
  std::optional<EtcdStatus> etcd;
};

struct ClusterStatus {
  std::string name;
  std::vector<MemberStatus> members;
};

// An entry of the event ring: an action began or ended, a skip reason changed, a DNS name was
// changed, an operator paused or resumed a member.
struct StatusEvent {
  core::SystemTime at{};  // set by the StatusBoard when recorded
  std::string kind;       // action | skip | state | dns | admin
  std::string cluster;    // "" for daemon-wide events
  std::string member;
  std::string what;     // the action kind, skip reason, health, DNS change kind, "paused", …
  std::string outcome;  // started | succeeded | failed | …; "" when it has none
  std::string detail;
};

struct BudgetStatus {
  int limit = 0;
  int used = 0;  // actions started in the last hour
  bool exhausted = false;
};

// ARM's remaining-request headers (x-ms-ratelimit-remaining-subscription-reads/-writes) as
// the throttle tracker last saw them per subscription, and a 429 Retry-After still running.
struct ArmSubscriptionStatus {
  std::string subscription;
  std::optional<long> remaining_reads;
  std::optional<long> remaining_writes;
  std::optional<core::Duration> throttled_for;
};

struct ArmStatus {
  std::vector<ArmSubscriptionStatus> subscriptions;
  // Below this many remaining reads, GETs of healthy groups wait (ThrottleTracker).
  std::optional<long> defer_below_reads;
};

// Coordination (issue 13): which clusters this replica holds the lease of.
struct CoordinationClusterStatus {
  std::string cluster;
  std::string
      holding;  // coordination::LeaseHolding: held_by_us, held_by_others, free, missing, unknown
  bool may_act = false;  // the fencing rule now: this replica acts on the cluster
};
struct CoordinationStatus {
  std::string replica;                              // this replica's id
  std::vector<CoordinationClusterStatus> clusters;  // in configuration order
};

// What the planner side hands over after every plan.
struct PlanStatus {
  std::vector<ClusterStatus> clusters;
  BudgetStatus budget;
  bool dry_run = false;
  std::optional<core::SystemTime> last_full_observation;  // every LIST and GET answered
  std::string observation_error;                          // of the latest pass, "" when it was ok
};

struct StatusSnapshot {
  core::SystemTime generated_at{};
  BuildInfo build;
  std::optional<core::SystemTime> started_at;  // of the daemon
  bool admin_enabled = false;                  // server.adminTokenFile is set
  std::optional<PlanStatus> plan;              // nullopt until the first plan
  ArmStatus arm;
  std::optional<CoordinationStatus> coordination;  // nullopt without a coordination section
  std::vector<StatusEvent> events;  // oldest first, at most kMaxStatusEvents
};

}  // namespace frankenetes::status
