#pragma once
// status_view(): the remediation side of /status after a plan, as the status page shows it —
// per configured member what ACI and the probe said in the pass, the planner's assessment,
// ladder, back-off, skip and pause, the latest action, etcd's snapshots and data — from what
// the reconciler holds. Pure: the reconciler (through PlanReporter::publish) hands in one
// reading of each clock, against which monotonic times become wall-clock times.
//
// The DNS name's in-sync flag is not known here (the DNS pipeline runs apart): each member
// with a dns section gets its provider and name with in_sync unknown, and the StatusBoard lays
// the DnsReporter's view over it.

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "config/types.h"
#include "core/time_source.h"
#include "model/observation.h"
#include "plan/history.h"
#include "plan/plan.h"
#include "status/status_snapshot.h"

namespace frankenetes::reconcile {

// What only PlanReporter remembers of a member's latest action.
struct ActionNote {
  std::string reason;  // plan::Action::reason_text
  std::string result;  // "" while it runs; then succeeded | failed | … | dry_run
  std::string detail;  // the executor's words when it did not succeed
};

// What the status page shows of a member's history (only members with an action or a detected
// data loss have one).
struct HistoryNote {
  std::optional<plan::ActionRecord> in_flight;
  std::optional<plan::ActionRecord> last_action;
  std::string etcd_data_loss;
};

std::map<model::MemberKey, HistoryNote> history_notes(const plan::History& history);

// Everything status_view() reads, owned or shared (the shared parts are never changed once
// made), so that the view can be built later and on another thread: the StatusBoard builds it
// when /status is read, not after every plan (at 4000 members a view is megabytes, and it
// was built every pass for a page that is rarely read).
struct StatusViewInput {
  std::shared_ptr<const config::Config> config;
  std::shared_ptr<const model::Observations> observed;
  std::shared_ptr<const plan::PlanResult> result;
  std::map<model::MemberKey, HistoryNote> history;
  std::optional<core::MonotonicTime> last_full_observation;
  std::string observation_error;  // of the latest pass
  core::MonotonicTime now;
  core::SystemTime system_now;
};

status::PlanStatus status_view(const StatusViewInput& input,
                               const std::map<model::MemberKey, ActionNote>& notes);

}  // namespace frankenetes::reconcile
