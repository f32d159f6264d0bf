#pragma once
// Reconciler: the observe → plan → act loop, after controller-runtime's
// controller: one scheduler thread owns all state (config, observations, probe results, the
// planner's History) and mutates it only in scheduler tasks, so there are no data races and
// no locks around the planner's value types; blocking work runs on Workers and posts its
// result back.
//
//   tick (every GroupObserver::tick_period, ±10% jitter as in userver's PeriodicTask):
//       due reads → reads worker: LIST/GET (GroupObserver::perform) → back on the scheduler:
//       apply, then reconcile. A tick without due reads reconciles at once.
//   probe timers (each member's probe.period): prober on the probes worker → ProbeObservation.
//   reconcile: record_observation → plan() → record_plan → report (PlanReporter) → each
//       action to the actions worker via the ActionExecutor (at most one per cluster in
//       flight: the planner guarantees it) → on completion record_action_finished and a GET
//       of that member at once (the outcome's requeue).
//   update_config: swapped between tasks; history of members still configured is kept.
//
// Readiness: the "observation" check fails before the first successful full observation (a
// pass with every LIST and every GET answered) and when the last one is older than
// 3 × pollInterval. Liveness: the "loop" check fails when the scheduler thread has not ticked
// for 3 ticks (plus a second of slack). Both are safe to call from any thread.
//
// run_once() (`frankenetesd --once`) does one full pass synchronously on the caller's thread
// — LIST, every GET, one probe per member, plan, and every planned action to completion —
// and must not be mixed with start().
//
// Operators (the admin API, reconciler_commands.cc): set_paused() pauses or resumes a member
// — kept in the state directory, so it survives restarts, and carried to both planners in
// model::MemberObservation::paused: no remediation and no DNS write for it (an action already
// running finishes; a recreate always does) — and request_pass() starts a full pass now.
// After every plan the members go to /status (status::StatusRecorder, through PlanReporter).

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

#include "config/types.h"
#include "core/time_source.h"
#include "model/observation.h"
#include "plan/history.h"
#include "plan/plan.h"
#include "probe/prober.h"
#include "reconcile/act_gate.h"
#include "reconcile/action_executor.h"
#include "reconcile/container_group_api.h"
#include "reconcile/etcd_guard.h"
#include "reconcile/group_observer.h"
#include "reconcile/plan_reporter.h"
#include "reconcile/scheduler.h"
#include "reconcile/worker.h"
#include "state/state_store.h"
#include "status/admin_auth.h"
#include "status/health.h"
#include "status/recorders.h"

namespace frankenetes::reconcile {

// Coordination: a standby probes the members of a cluster another replica holds this many
// times less often than their probe.period (it never acts on what it sees).
inline constexpr int kStandbyProbeSlowdown = 3;
// The shortest wait before a pass for GETs asked for that found the read budget spent
// (Reconciler::retry_when_budget_allows): at most one such pass a second.
inline constexpr core::Duration kBudgetRetrySpacing{1000};

struct ReconcilerDeps {
  Scheduler& scheduler;
  Worker& reads;    // LIST/GET passes (one at a time)
  Worker& probes;   // member probes
  Worker& actions;  // remediation actions (may block for minutes)
  ContainerGroupApi& api;
  ActionExecutor& executor;         // a PolicyExecutor in the daemon
  // Null: members are not probed. When it is asynchronous (Prober::asynchronous()), probes
  // run on its I/O threads and only etcd's status reads use the probes worker.
  probe::Prober* prober = nullptr;
  // Probes that fall due within the same window of this length start together, at its end:
  // one wake-up of the scheduler (and of the probes' I/O thread) per window instead of one per
  // probe. Zero: each at its own time (tests). The daemon: kProbeBatchWindow.
  core::Duration probe_batch_window{0};
  const core::TimeSource& time;     // same monotonic clock as the scheduler
  // PlanReporter's and the loop's; the no-op when left out.
  status::RemediationMetrics& metrics = status::noop_metrics();
  status::ProbeMetrics& probe_metrics = status::noop_metrics();
  DeferReads defer_reads;               // ThrottleTracker::should_defer_nonessential
  // Draws in [0, 1) for the tick's jitter and each member's probe phase; empty: neither.
  std::function<double()> unit_random;
  // The state directory: history is saved after every change, recreate operations by the
  // executor. Null: nothing survives a restart (tests).
  state::StateStore* state = nullptr;
  // etcd's data (etcd_guard.h). Snapshots need all of snapshots_worker and snapshotter (the
  // daemon sets them when a storage section is configured); data-loss detection needs
  // etcd_status (read after every successful probe of an etcd member, on the probes worker);
  // etcd.autoRestore needs restorer (restores run on snapshots_worker too).
  Worker* snapshots_worker = nullptr;
  Snapshotter* snapshotter = nullptr;
  AutoRestorer* restorer = nullptr;
  EtcdStatusReader* etcd_status = nullptr;
  status::EtcdMetrics& etcd_metrics = status::noop_metrics();
  // /status and the status page: the members after every plan, and events.
  status::StatusRecorder& status = status::noop_metrics();
  // Coordination (act_gate.h): the clusters this replica may act on. Plans for the others
  // become not_leader skips before they are recorded (no rung, back-off or budget used), their
  // snapshot-triggered rungs and etcd restores are not started. Empty: every cluster.
  ActGate may_act = {};
  // Coordination's history hand-over (state/cluster_history.h): after a pass or an action's
  // end, for each cluster this replica may act on whose history changed, its cluster_part.
  // Called on the scheduler thread; must not block. Empty: not handed over.
  std::function<void(const std::string& cluster, plan::History part)> publish_history = {};
};

// What the daemon shows in its sd_notify STATUS line.
struct ReconcilerSummary {
  std::size_t members = 0;
  bool observed = false;  // a pass has completed (successfully or not)
  bool last_pass_ok = false;
  std::optional<core::MonotonicTime> last_full_success;
  std::string last_error;
  std::size_t actions_in_flight = 0;
};

class Reconciler {
 public:
  Reconciler(ReconcilerDeps deps, std::shared_ptr<const config::Config> config);
  ~Reconciler();
  Reconciler(const Reconciler&) = delete;
  Reconciler& operator=(const Reconciler&) = delete;

  // Called after every completed pass, on the scheduler thread (sd_notify READY/STATUS).
  void on_pass(std::function<void(const ReconcilerSummary&)> callback);
  // Called after every completed pass's reconcile, on the scheduler thread, with the
  // observations that pass planned on (the DNS synchronizer's input; must not block).
  // run_once() calls it too, on the caller's thread, after its actions.
  void on_observations(std::function<void(std::shared_ptr<const model::Observations>)> callback);

  // What the state directory remembered (before start() or run_once()). A history that could
  // not be loaded (missing or unreadable file) starts a grace of two poll intervals without
  // actions; an action that was in flight when the daemon stopped is recorded as interrupted,
  // except a recreate whose operation is pending: start() resumes it.
  void restore(const state::LoadedState& loaded);

  void start();  // schedules the first tick now, and resumes pending recreate operations
  // Stops scheduling, and drops results that arrive afterwards. The owner then stops the
  // workers and the scheduler.
  void stop();
  bool stopping() const { return stopping_.load(); }

  // Coordination: a cluster was newly acquired; merges the previous holder's history of it
  // (nullopt: none, or unreadable) into ours (state::merge_cluster_history) on the scheduler
  // thread — an action the previous holder had in flight is recorded as interrupted — then
  // calls `done` there. Until then the ActGate keeps the cluster closed. Then the cluster's
  // members are probed at once (a standby probed them kStandbyProbeSlowdown times less
  // often). Any thread; `done` is dropped while stopping.
  void merge_cluster_history(std::string cluster, std::optional<plan::History> remote,
                             std::function<void()> done);

  // Thread-safe; the new config applies from the next task on.
  void update_config(std::shared_ptr<const config::Config> config);

  // One synchronous observe-probe-plan-act pass; true when the observation succeeded.
  bool run_once();

  // The admin API's commands, from any thread. `done` is called once on the scheduler thread
  // when the command took effect (a pause is written to the state directory first; 404 for a
  // member that is not configured), or at once with 503 while stopping. `who` is the peer.
  using CommandDone = std::function<void(status::AdminCommandResult)>;
  void set_paused(model::MemberKey member, bool paused, std::string who, CommandDone done);
  void request_pass(std::string who, CommandDone done);

  status::CheckResult readiness() const;
  // Always passes; its note names operations in progress and a start-up grace (/readyz?verbose).
  status::CheckResult operations() const;
  status::CheckResult liveness() const;
  // Always passes; its note names etcd members with data loss or failing snapshots.
  status::CheckResult etcd_data() const { return etcd_guard_.note(); }
  ReconcilerSummary summary() const;

  // For tests and /status: the planner's memory (scheduler thread only).
  const plan::History& history() const { return history_; }

 private:
  void apply_config(std::shared_ptr<const config::Config> config);
  void schedule_tick(core::Duration delay);
  void tick();
  // Starts the reads due (launch_pass), then, if a GET asked for found the budget spent,
  // makes sure a pass starts when the budget holds a read again (retry_when_budget_allows).
  bool start_pass(bool force_full);
  bool launch_pass(bool force_full);
  void retry_when_budget_allows();
  // While a pass is in flight: the GETs asked for since (GroupObserver::due_requested) in a
  // pass of their own beside it, at most one such at a time.
  void start_requested_pass();
  void submit_pass(ReadPlan plan, bool requested);
  void finish_pass(const PassResult& result, bool requested, core::MonotonicTime started);
  // Plans on what is known now and dispatches the plan's actions; returns the observations it
  // planned on (shared, never changed: the status page keeps them until the next plan).
  std::shared_ptr<const model::Observations> reconcile();
  void apply_pause(const model::MemberKey& member, bool paused, const std::string& who,
                   const CommandDone& done);
  void publish_status(std::shared_ptr<const model::Observations> observed,
                      std::shared_ptr<const plan::PlanResult> result);
  model::Observations collect() const;
  void dispatch(const plan::Action& action, bool synchronous);
  void dispatch(const plan::Action& action, const ActionTarget& target, bool synchronous);
  void resume_operations(bool synchronous);
  void persist();
  void publish_histories();
  void update_operations_note();
  void finish_action(const plan::Action& action, const ActionResult& result,
                     core::Duration duration);
  struct ProbeSlot;
  void schedule_all_probes();  // start() and a new configuration
  // The member's slot, made (or pointed at `member` again) if need be.
  ProbeSlot& probe_slot(const model::MemberKey& key, const config::MemberConfig& member);
  void schedule_probe(const model::MemberKey& key, ProbeSlot& slot, core::Duration delay);
  // The probe after the one due now: a period after the time it was due (slot.due), not after
  // the time its timer ran, so that the period does not stretch by the timer's lateness and
  // the batch window's rounding each time. Periods already past (a stalled thread) are skipped.
  void schedule_next_probe(const model::MemberKey& key, ProbeSlot& slot, core::Duration period);
  void schedule_probe_at(const model::MemberKey& key, ProbeSlot& slot, core::MonotonicTime when);
  void run_probe(const model::MemberKey& key, std::uint64_t generation);
  void finish_probe(const model::MemberKey& key, ProbeSlot& slot, const probe::ProbeResult& result,
                    core::MonotonicTime at);
  void finish_etcd_status(const model::MemberKey& key,
                          const core::Result<etcd::DataIdentity>& identity);
  // What a probe brought back, from whichever thread ran it. Completions are queued and taken
  // on the scheduler thread in batches: one wake-up for all that arrived meanwhile.
  struct ProbeCompletion {
    model::MemberKey key;
    std::uint64_t id = 0;                      // ProbeInFlight::id of the probe
    std::optional<probe::ProbeResult> result;  // nullopt: no result (state stays as it was)
    core::MonotonicTime at{};
    std::optional<core::Result<etcd::DataIdentity>> identity;
    // Asynchronous probes of etcd members: the result is taken, then the status read
    // started from the scheduler thread (the probe stays in flight until it is back).
    std::string read_status_at;  // etcd's endpoint; "": no status read follows
  };
  void complete_probe(ProbeCompletion completion);  // any thread
  void take_probe_completions();
  void read_etcd_status(const ProbeCompletion& probed, ProbeSlot& slot);
  // `url`: the member's probe URL for `target` (substitute_probe_url()).
  void start_probe(const model::MemberKey& key, const config::MemberConfig& member,
                   const probe::ProbeTarget& target, std::string url, std::uint64_t id);
  const config::MemberConfig* find_member(const model::MemberKey& key) const;
  std::optional<ActionTarget> target_for(const model::MemberKey& key) const;
  void beat();

  ReconcilerDeps deps_;
  std::atomic<bool> stopping_{false};

  // Scheduler-thread state.
  std::shared_ptr<const config::Config> config_;
  GroupObserver observer_;
  PlanReporter reporter_;
  EtcdGuard etcd_guard_;
  // A probe is bounded by probe.timeout, but its answer can still be lost (its asynchronous
  // client was stopped by a reload): one in flight for longer than its timeout plus its
  // period is forgotten and the member probed again; a late answer of it is dropped by `id`.
  struct ProbeInFlight {
    std::uint64_t id = 0;
    core::MonotonicTime started{};
  };
  // What the probing of one member keeps, under one key: a probe and its answer each look
  // the member up once here (perf at 2000 members, some 400 probes a second: the lookups in
  // five maps and remaking the URL were about a third of the scheduler thread's probe work).
  struct ProbeSlot {
    const config::MemberConfig* member = nullptr;  // in config_ (apply_config keeps it so)
    model::ProbeObservation observation;           // configured: false until a first result
    std::optional<ProbeInFlight> in_flight;
    std::optional<Scheduler::TaskId> task;  // the next probe's timer
    core::MonotonicTime due{};  // when that probe is due (its timer: the batch window's end)
    // The latest probe's URL and the address it was made for: made again when the member's
    // address changes and after a reload (probe.url may have changed).
    probe::ProbeTarget url_target;
    std::string url;
  };
  // Members with a probe configured (apply_config drops the others).
  std::unordered_map<model::MemberKey, ProbeSlot, model::MemberKeyHash> probe_slots_;
  std::uint64_t last_probe_id_ = 0;
  // config_'s members by key.
  std::unordered_map<model::MemberKey, const config::MemberConfig*, model::MemberKeyHash>
      member_index_;
  std::uint64_t probe_generation_ = 0;
  plan::History history_;
  std::set<model::MemberKey> paused_;  // by an operator; the state directory keeps it too
  std::map<std::string, plan::History> published_;  // per cluster: the last publish_history
  std::map<model::MemberKey, plan::Action> actions_in_flight_;
  bool once_ = false;  // run_once(): actions run inline and nothing is requeued
  bool pass_in_flight_ = false;
  bool requested_pass_in_flight_ = false;  // start_requested_pass()
  bool budget_retry_scheduled_ = false;    // retry_when_budget_allows()
  bool pass_pending_ = false;
  std::size_t reported_budget_deferred_ = 0;  // GroupObserver::budget_deferred_reads() reported
  Scheduler::TaskId tick_task_ = 0;
  std::function<void(const ReconcilerSummary&)> on_pass_;
  std::function<void(std::shared_ptr<const model::Observations>)> on_observations_;

  // Shared with other threads.
  std::mutex completions_mutex_;
  std::vector<ProbeCompletion> completions_;  // guarded by completions_mutex_
  bool completions_posted_ = false;           // guarded by completions_mutex_: a take is queued
  // take_probe_completions() swaps completions_ with this, so that both keep their capacity
  // (a batch is hundreds of completions at N = 1000). Scheduler thread only.
  std::vector<ProbeCompletion> spare_completions_;
  mutable std::mutex summary_mutex_;
  ReconcilerSummary summary_;
  core::Duration poll_interval_{};
  core::Duration tick_period_{};
  std::optional<core::MonotonicTime> heartbeat_;
  std::string operations_note_;
  bool persist_failed_ = false;  // scheduler thread: log a failing state write once
  bool resume_skipped_logged_ = false;
};

}  // namespace frankenetes::reconcile
