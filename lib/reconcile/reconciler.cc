#include "reconcile/reconciler.h"

#include "core/duration.h"
#include "log/event.h"
#include "state/cluster_history.h"

namespace frankenetes::reconcile {
namespace {

// Coordination: what the planner wants for clusters this replica does not hold becomes a
// not_leader skip before it is recorded, so a standby uses no rung, back-off or budget and
// takes no snapshot on the holder's behalf.
void fence_plan(plan::PlanResult& result, const ActGate& gate) {
  if (!gate) return;
  std::map<std::string, bool> ours;
  const auto held = [&](const std::string& cluster) {
    const auto it = ours.find(cluster);
    return it != ours.end() ? it->second : ours.emplace(cluster, gate(cluster)).first->second;
  };
  std::erase_if(result.actions, [&](const plan::Action& action) {
    if (held(action.member.cluster)) return false;
    result.skips.push_back({action.member, plan::SkipReason::kNotLeader,
                            "another replica holds the cluster's lease (or none does yet)"});
    return true;
  });
  std::erase_if(result.snapshot_requests,
                [&](const model::MemberKey& key) { return !held(key.cluster); });
}

// Readiness fails when the last successful full observation is older than this many polls.
constexpr int kReadyAfterPollIntervals = 3;
// Liveness fails when the loop has not ticked for this many ticks (plus kLivenessSlack).
constexpr int kLiveAfterTicks = 3;
constexpr core::Duration kLivenessSlack = std::chrono::seconds(1);

std::string ago(core::Duration d) {
  return core::format_duration(std::chrono::duration_cast<std::chrono::seconds>(d)) + " ago";
}

// The PassResult of a pass whose reads never completed: every planned read failed with
// `why` (the members are unknown for that pass, never "found" or "gone").
PassResult failed_pass(const ReadPlan& plan, const std::string& why, core::MonotonicTime at) {
  PassResult out;
  out.full = plan.full;
  core::Error error;
  error.kind = core::ErrorKind::kTerminal;
  error.message = why;
  const auto shared_error = std::make_shared<const core::Error>(error);
  for (const auto& list : plan.lists) {
    ListRead read;
    read.request = list;
    read.error = error;
    read.at = at;
    out.lists.push_back(std::move(read));
  }
  for (const auto& get : plan.gets) {
    GetRead read;
    read.member = get.member;
    read.observation.outcome = model::GroupObservation::Outcome::kError;
    read.observation.error = shared_error;
    read.observation.observed_at = at;
    out.gets.push_back(std::move(read));
  }
  return out;
}

}  // namespace

Reconciler::Reconciler(ReconcilerDeps deps, std::shared_ptr<const config::Config> config)
    : deps_(std::move(deps)),
      observer_(deps_.defer_reads),
      reporter_(deps_.metrics, deps_.probe_metrics, deps_.status),
      etcd_guard_({deps_.scheduler, deps_.snapshots_worker, deps_.snapshotter, deps_.time,
                   deps_.etcd_metrics, deps_.restorer}) {
  apply_config(std::move(config));
}

Reconciler::~Reconciler() { stop(); }

void Reconciler::on_pass(std::function<void(const ReconcilerSummary&)> callback) {
  on_pass_ = std::move(callback);
}

void Reconciler::on_observations(
    std::function<void(std::shared_ptr<const model::Observations>)> callback) {
  on_observations_ = std::move(callback);
}

void Reconciler::restore(const state::LoadedState& loaded) {
  const auto now = deps_.time.monotonic_time();
  if (loaded.status != state::LoadStatus::kLoaded) {
    history_ = plan::History{};
    history_.no_actions_before = now + 2 * config_->policy.poll_interval;
    history_.no_actions_reason =
        std::string(loaded.status == state::LoadStatus::kMissing ? "no remembered history"
                                                                 : "remembered history unreadable") +
        " (" + loaded.problem + ")";
    log::warn("state.not_loaded",
              {{"problem", loaded.problem},
               {"grace", core::format_duration(2 * config_->policy.poll_interval)},
               {"action", "no remediation until the grace has passed"}});
    update_operations_note();
    return;
  }
  history_ = loaded.state.history;
  paused_ = loaded.state.paused;
  std::set<model::MemberKey> pending;
  for (const auto& op : loaded.state.operations) pending.insert(op.member);
  for (auto& [key, member] : history_.members) {
    if (!member.in_flight || pending.contains(key)) continue;
    log::warn("remediation.interrupted_by_restart",
              {{"cluster", key.cluster},
               {"member", key.member},
               {"action", plan::to_string(member.in_flight->kind)}});
  }
  for (const auto& key : [&] {
         std::vector<model::MemberKey> keys;
         for (const auto& [k, m] : history_.members) {
           if (m.in_flight && !pending.contains(k)) keys.push_back(k);
         }
         return keys;
       }()) {
    history_ = plan::record_action_finished(std::move(history_), key,
                                            plan::ActionOutcome::kInterrupted, now);
  }
  // A pending recreate is in flight whatever the history file says (it may lag the journal).
  for (const auto& op : loaded.state.operations) {
    auto& member = history_.members[op.member];
    if (!member.in_flight || member.in_flight->kind != plan::ActionKind::kRecreate) {
      member.in_flight = plan::ActionRecord{plan::ActionKind::kRecreate,
                                            std::max(member.actions_taken - 1, 0), now,
                                            std::nullopt, std::nullopt};
    }
  }
  log::info("state.loaded", {{"members", static_cast<unsigned long>(history_.members.size())},
                             {"pending_operations",
                              static_cast<unsigned long>(loaded.state.operations.size())},
                             {"actions_last_hour", history_.actions_in_budget_window(now)},
                             {"paused", static_cast<unsigned long>(paused_.size())}});
  for (const auto& key : paused_) {
    log::warn("member.paused", {{"cluster", key.cluster},
                                {"member", key.member},
                                {"detail", "paused by an operator before the restart: no actions "
                                           "until it is resumed"}});
  }
  update_operations_note();
}

void Reconciler::persist() {
  if (deps_.state == nullptr) return;
  core::Status saved;
  try {
    saved = deps_.state->save_history(history_);
  } catch (const std::exception& e) {
    // Never between record_plan and dispatch: an action recorded as started must be sent.
    core::Error error;
    error.message = std::string("writing the state failed: ") + e.what();
    saved = error;
  }
  if (!saved.ok() && !persist_failed_) {
    log::error("state.write_failed", {{"error", saved.error().message},
                                      {"action", "keeps running; history may not survive a restart"}});
  } else if (saved.ok() && persist_failed_) {
    log::info("state.write_recovered", {});
  }
  persist_failed_ = !saved.ok();
}

void Reconciler::publish_histories() {
  if (!deps_.publish_history) return;
  for (const auto& cluster : config_->clusters) {
    if (!may_act(deps_.may_act, cluster.name)) {
      published_.erase(cluster.name);  // published again once the cluster is ours again
      continue;
    }
    auto part = state::cluster_part(history_, cluster.name);
    const auto it = published_.find(cluster.name);
    if (it != published_.end() && it->second == part) continue;
    deps_.publish_history(cluster.name, part);
    published_[cluster.name] = std::move(part);
  }
}

void Reconciler::merge_cluster_history(std::string cluster, std::optional<plan::History> remote,
                                       std::function<void()> done) {
  if (stopping_) return;
  deps_.scheduler.post([this, cluster = std::move(cluster), remote = std::move(remote),
                        done = std::move(done)] {
    if (stopping_) return;
    const auto now = deps_.scheduler.now();
    const int before = history_.actions_in_budget_window(now);
    if (remote) {
      history_ = state::merge_cluster_history(std::move(history_), *remote, cluster);
      std::vector<model::MemberKey> interrupted;
      for (const auto& [key, member] : history_.members) {
        if (key.cluster == cluster && member.in_flight && !actions_in_flight_.contains(key)) {
          interrupted.push_back(key);
        }
      }
      for (const auto& key : interrupted) {
        log::warn("remediation.interrupted_by_hand_over",
                  {{"cluster", key.cluster},
                   {"member", key.member},
                   {"action", plan::to_string(history_.members.at(key).in_flight->kind)}});
        history_ = plan::record_action_finished(std::move(history_), key,
                                                plan::ActionOutcome::kInterrupted, now);
      }
      persist();
    }
    int rung_max = 0;
    for (const auto& [key, member] : history_.members) {
      if (key.cluster == cluster) rung_max = std::max(rung_max, member.actions_taken);
    }
    log::info("coordination.history_merged",
              {{"cluster", cluster},
               {"handed_over", remote.has_value()},
               {"members", static_cast<unsigned long>(remote ? remote->members.size() : 0)},
               {"highest_rung", rung_max},
               {"actions_last_hour", history_.actions_in_budget_window(now)},
               {"actions_last_hour_before", before}});
    published_.erase(cluster);
    done();  // opens the ActGate for the cluster
    // A standby probed it every third period (run_probe): the holder's probing begins now.
    if (deps_.prober && !once_) {
      for (const auto& c : config_->clusters) {
        if (c.name != cluster) continue;
        for (const auto& member : c.members) {
          if (!member.probe) continue;
          const model::MemberKey key{c.name, member.name};
          schedule_probe(key, probe_slot(key, member), core::Duration(0));
        }
      }
    }
  });
}

void Reconciler::resume_operations(bool synchronous) {
  if (deps_.state == nullptr) return;
  const auto operations = deps_.state->operations();
  if (!operations.empty() && config_->policy.dry_run) {
    if (!resume_skipped_logged_) {
      log::warn("remediation.resume.skipped",
                {{"operations", static_cast<unsigned long>(operations.size())},
                 {"reason", "dry-run: recorded operations are resumed when dry-run is off"}});
    }
    resume_skipped_logged_ = true;
    return;
  }
  for (const auto& op : operations) {
    if (actions_in_flight_.contains(op.member)) continue;
    // Coordination: resumed by whichever start finds this replica holding the cluster.
    if (!may_act(deps_.may_act, op.member.cluster)) continue;
    auto& member_history = history_.members[op.member];
    if (!member_history.in_flight || member_history.in_flight->kind != plan::ActionKind::kRecreate) {
      member_history.in_flight =
          plan::ActionRecord{plan::ActionKind::kRecreate, std::max(member_history.actions_taken - 1, 0),
                             deps_.time.monotonic_time(), std::nullopt, std::nullopt};
    }
    plan::Action action;
    action.member = op.member;
    action.kind = plan::ActionKind::kRecreate;
    const auto* mh = history_.find(op.member);
    action.rung = mh != nullptr && mh->in_flight ? mh->in_flight->rung : 0;
    action.reason = plan::UnhealthyReason::kMissing;
    action.reason_text = std::string("resuming the recreate begun ") +
                         (op.delete_confirmed ? "(group deleted, PUT owed)"
                                              : "(waiting for the deletion)");
    ActionTarget target;
    // The operation's own record, not today's config: it finishes what it began.
    target.group = {op.subscription_id, op.resource_group, op.group_name};
    target.spec_text = op.spec_text;
    target.timeout = config_->policy.action_timeout;
    target.resume = op;
    dispatch(action, target, synchronous);
  }
}

void Reconciler::update_operations_note() {
  std::string note;
  for (const auto& [key, member] : history_.members) {
    if (!member.in_flight || member.in_flight->kind != plan::ActionKind::kRecreate) continue;
    if (!note.empty()) note += "; ";
    note += "recreate of " + key.to_string() + " in progress";
  }
  const auto now = deps_.time.monotonic_time();
  if (history_.no_actions_before && now < *history_.no_actions_before) {
    if (!note.empty()) note += "; ";
    note += "start-up grace for another " +
            core::format_duration(std::chrono::duration_cast<core::Duration>(
                *history_.no_actions_before - now)) +
            ": " + history_.no_actions_reason;
  }
  std::lock_guard lock(summary_mutex_);
  operations_note_ = std::move(note);
}

status::CheckResult Reconciler::operations() const {
  std::lock_guard lock(summary_mutex_);
  return status::CheckResult::pass(operations_note_);
}

void Reconciler::start() {
  beat();
  // Task ids and timers belong to the scheduler thread like everything else: the first tick
  // may run before start() returns.
  deps_.scheduler.post([this] {
    if (stopping_) return;
    schedule_tick(core::Duration(0));
    schedule_all_probes();
    resume_operations(/*synchronous=*/false);
  });
}

void Reconciler::stop() {
  stopping_ = true;
  etcd_guard_.stop();
}

void Reconciler::update_config(std::shared_ptr<const config::Config> config) {
  deps_.scheduler.post([this, config = std::move(config)]() mutable {
    if (stopping_) return;
    // New periods and probes take effect now, not after the old tick (the timers of members
    // that apply_config drops are cancelled too).
    for (auto& [key, slot] : probe_slots_) {
      if (slot.task) deps_.scheduler.cancel(*slot.task);
      slot.task.reset();
    }
    ++probe_generation_;
    apply_config(std::move(config));
    deps_.scheduler.cancel(tick_task_);
    schedule_tick(core::Duration(0));
    schedule_all_probes();
  });
}

void Reconciler::apply_config(std::shared_ptr<const config::Config> config) {
  config_ = std::move(config);
  member_index_.clear();
  for (const auto& cluster : config_->clusters) {
    for (const auto& member : cluster.members) {
      member_index_.emplace(model::MemberKey{cluster.name, member.name}, &member);
    }
  }
  observer_.configure(*config_);
  reporter_.configure(*config_);
  etcd_guard_.configure(config_);
  std::size_t members = 0;
  // A slot points into the new configuration or goes (its timer, if any, is a past
  // generation's: run_probe ignores it).
  for (auto it = probe_slots_.begin(); it != probe_slots_.end();) {
    const auto* member = find_member(it->first);
    if (member && member->probe) {
      it->second.member = member;
      it->second.url.clear();  // made again from the (maybe new) probe.url
      ++it;
    } else {
      it = probe_slots_.erase(it);
    }
  }
  for (const auto& cluster : config_->clusters) members += cluster.members.size();
  std::lock_guard lock(summary_mutex_);
  summary_.members = members;
  poll_interval_ = config_->policy.poll_interval;
  tick_period_ = GroupObserver::tick_period(config_->policy);
}

void Reconciler::beat() {
  std::lock_guard lock(summary_mutex_);
  heartbeat_ = deps_.time.monotonic_time();
}

void Reconciler::schedule_tick(core::Duration delay) {
  tick_task_ = deps_.scheduler.schedule_after(delay, [this] { tick(); });
}

void Reconciler::tick() {
  if (stopping_) return;
  beat();
  // The next tick is scheduled before this one's work: a task that throws (caught by the
  // scheduler, reported as an internal error) must not stop the loop.
  auto delay = GroupObserver::tick_period(config_->policy);
  if (deps_.unit_random) {
    // ±10%: many daemons started together do not hit ARM in lockstep.
    const double factor = 0.9 + 0.2 * deps_.unit_random();
    delay = std::chrono::duration_cast<core::Duration>(delay * factor);
  }
  schedule_tick(delay);
  if (!start_pass(false) && !pass_in_flight_) reconcile();
}

bool Reconciler::start_pass(bool force_full) {
  const bool started = launch_pass(force_full);
  retry_when_budget_allows();
  return started;
}

bool Reconciler::launch_pass(bool force_full) {
  if (pass_in_flight_) {
    pass_pending_ = true;
    start_requested_pass();
    return false;
  }
  auto plan = observer_.due_reads(deps_.scheduler.now(), force_full);
  if (plan.empty()) return false;
  pass_in_flight_ = true;
  submit_pass(std::move(plan), false);
  return true;
}

void Reconciler::retry_when_budget_allows() {
  // A GET asked for (a failing probe's, an action's) that found the budget's bucket empty is
  // sent as soon as the bucket holds a read again, not at the next tick, up to
  // getInterval.unhealthy later: the restart it justifies waits for it. At least
  // kBudgetRetrySpacing apart: with the budget spent (many faults at once) a pass per token,
  // each followed by a whole plan, would cost more than the second it saves.
  if (once_ || stopping_ || budget_retry_scheduled_) return;
  const auto wait = observer_.requested_gets_budget_wait(deps_.scheduler.now());
  if (!wait) return;
  budget_retry_scheduled_ = true;
  deps_.scheduler.schedule_at(deps_.scheduler.now() + std::max(*wait, kBudgetRetrySpacing), [this] {
    budget_retry_scheduled_ = false;
    if (!stopping_) start_pass(false);
  });
}

void Reconciler::start_requested_pass() {
  // What a fix waits for (the GET a failing probe or a finished action asks for) does not
  // queue behind a long pass: at a thousand clusters one LIST is dozens of pages, each a
  // round trip to ARM.
  if (requested_pass_in_flight_ || once_ || !observer_.gets_requested()) return;
  auto plan = observer_.due_requested(deps_.scheduler.now());
  if (plan.empty()) return;
  requested_pass_in_flight_ = true;
  submit_pass(std::move(plan), true);
}

void Reconciler::submit_pass(ReadPlan plan, bool requested) {
  const auto started = deps_.time.monotonic_time();
  auto on_exception = [this, plan, requested, started](const std::string& what) {
    // Every read of the pass failed: those members are unknown until the next pass.
    PassResult failed = failed_pass(plan, "internal error during the read: " + what, deps_.time.monotonic_time());
    if (stopping_) return;
    deps_.scheduler.post([this, failed = std::move(failed), requested, started] {
      if (!stopping_) finish_pass(failed, requested, started);
    });
  };
  deps_.reads.submit(
      [this, plan = std::move(plan), requested, started] {
        auto result = GroupObserver::perform(plan, deps_.api, deps_.time,
                                             [this] { return stopping_.load(); });
        if (stopping_) return;
        deps_.scheduler.post([this, result = std::move(result), requested, started] {
          if (!stopping_) finish_pass(result, requested, started);
        });
      },
      std::move(on_exception));
}

void Reconciler::finish_pass(const PassResult& result, bool requested,
                             core::MonotonicTime started) {
  (requested ? requested_pass_in_flight_ : pass_in_flight_) = false;
  observer_.apply(result);
  for (const auto& note : observer_.take_notes()) {
    if (note.warning) {
      log::warn("observation.plan", {{"detail", note.detail}});
    } else {
      log::info("observation.plan", {{"detail", note.detail}});
    }
  }
  const auto budget_deferred = observer_.budget_deferred_reads();
  deps_.metrics.read_budget(observer_.read_budget_used_ratio(deps_.time.monotonic_time()),
                            budget_deferred - reported_budget_deferred_);
  reported_budget_deferred_ = budget_deferred;
  for (const auto& get : result.gets) reporter_.group_read(get.member, get.observation);

  const auto error = result.first_error();
  ReconcilerSummary snapshot;
  {
    std::lock_guard lock(summary_mutex_);
    const bool was_ok = summary_.last_pass_ok || !summary_.observed;
    summary_.observed = true;
    summary_.last_pass_ok = !error.has_value();
    summary_.last_error = error ? error->describe() : std::string();
    if (result.full && !error) {
      summary_.last_full_success = deps_.scheduler.now();
      deps_.metrics.observation_succeeded(deps_.time.system_time());
    }
    if (error && was_ok) {
      log::warn("observation.failed", {{"error", error->describe()}});
    } else if (!error && !was_ok) {
      log::info("observation.recovered", {});
    }
    snapshot = summary_;
  }
  auto observed = reconcile();
  if (on_observations_) on_observations_(std::move(observed));
  deps_.metrics.reconcile_finished(deps_.time.monotonic_time() - started);
  if (on_pass_) on_pass_(snapshot);
  // A LIST that saw a change, or an action that finished, asked for a GET: now, not at the
  // next tick (it is what the DNS write or the next step of a fix waits for).
  if (observer_.gets_requested()) pass_pending_ = true;
  if (pass_pending_) {
    pass_pending_ = false;
    start_pass(false);
  }
}

model::Observations Reconciler::collect() const {
  model::Observations observed;
  for (const auto& cluster : config_->clusters) {
    for (const auto& member : cluster.members) {
      const model::MemberKey key{cluster.name, member.name};
      model::MemberObservation obs;
      obs.key = key;
      if (const auto* group = observer_.group(key)) obs.group = *group;
      if (const auto it = probe_slots_.find(key); it != probe_slots_.end()) {
        obs.probe = it->second.observation;
      }
      obs.probe.configured = member.probe.has_value();
      obs.paused = paused_.contains(key);
      observed.emplace(key, std::move(obs));
    }
  }
  etcd_guard_.fill(observed);
  return observed;
}

std::shared_ptr<const model::Observations> Reconciler::reconcile() {
  const auto now = deps_.scheduler.now();
  etcd_guard_.sync(history_);  // persisted below, with the plan
  // Shared, never changed: the plan reads it, the status page and the DNS pipeline keep it.
  auto shared_observed = std::make_shared<const model::Observations>(collect());
  const model::Observations& observed = *shared_observed;
  history_ = plan::record_observation(std::move(history_), *config_, observed, now);
  auto shared_result = std::make_shared<plan::PlanResult>(
      plan::plan({*config_, observed, history_, now, /*observation_recorded=*/true}));
  plan::PlanResult& result = *shared_result;
  fence_plan(result, deps_.may_act);
  history_ = plan::record_plan(std::move(history_), result, now);
  persist();  // before any action is sent: a crash must not forget it was started
  publish_histories();
  update_operations_note();
  reporter_.plan_evaluated(result);
  for (const auto& status : result.members) {
    const auto probe = probe_slots_.find(status.member);
    const bool probe_failing =
        probe != probe_slots_.end() && probe->second.observation.consecutive_failures > 0;
    observer_.set_attention(status.member, !status.assessment.healthy() || probe_failing);
  }
  for (const auto& action : result.actions) dispatch(action, /*synchronous=*/false);
  if (!once_) {
    etcd_guard_.tick_restores([this](const std::string& cluster) {
      if (!may_act(deps_.may_act, cluster)) return true;  // not ours: the holder restores
      for (const auto& [key, mh] : history_.members) {
        if (key.cluster == cluster && mh.in_flight) return true;
      }
      return false;
    });
    etcd_guard_.tick(result.snapshot_requests,
                     [this](const config::MemberConfig& member, const model::MemberKey& key) {
                       EtcdReach reach;
                       reach.endpoint = etcd_endpoint(member, observer_.ip(key), observer_.fqdn(key));
                       const auto probe = probe_slots_.find(key);
                       if (probe != probe_slots_.end() &&
                           probe->second.observation.last_success == false) {
                         reach.not_answering =
                             "its latest probe failed: " + probe->second.observation.last_error;
                       }
                       return reach;
                     });
  }
  // A recorded operation that no executor runs (its task threw) is resumed, not forgotten.
  if (!once_) resume_operations(/*synchronous=*/false);
  publish_status(shared_observed, std::move(shared_result));
  return shared_observed;
}

const config::MemberConfig* Reconciler::find_member(const model::MemberKey& key) const {
  const auto it = member_index_.find(key);
  return it == member_index_.end() ? nullptr : it->second;
}

std::optional<ActionTarget> Reconciler::target_for(const model::MemberKey& key) const {
  for (const auto& cluster : config_->clusters) {
    if (cluster.name != key.cluster) continue;
    for (const auto& member : cluster.members) {
      if (member.name != key.member) continue;
      ActionTarget target;
      target.group = {cluster.subscription_id.empty() ? config_->azure.subscription_id
                                                      : cluster.subscription_id,
                      cluster.resource_group, member.container_group};
      if (member.spec) target.spec_text = member.spec->text;
      target.timeout = config_->policy.action_timeout;
      return target;
    }
  }
  return std::nullopt;
}

void Reconciler::dispatch(const plan::Action& action, bool synchronous) {
  const auto target = target_for(action.member);
  if (!target) return;  // cannot happen: the planner plans only configured members
  dispatch(action, *target, synchronous);
}

void Reconciler::dispatch(const plan::Action& action, const ActionTarget& target,
                          bool synchronous) {
  reporter_.action_started(action, target);
  actions_in_flight_[action.member] = action;
  if (synchronous) {
    const auto started = deps_.time.monotonic_time();
    const auto result = deps_.executor.execute(action, target);
    finish_action(
        action, result,
        std::chrono::duration_cast<core::Duration>(deps_.time.monotonic_time() - started));
    return;
  }
  const auto submitted = deps_.time.monotonic_time();
  auto on_exception = [this, action, submitted](const std::string& what) {
    ActionResult failed;
    failed.outcome = plan::ActionOutcome::kFailed;
    failed.detail = "internal error: " + what;
    const auto duration =
        std::chrono::duration_cast<core::Duration>(deps_.time.monotonic_time() - submitted);
    if (stopping_) return;
    deps_.scheduler.post([this, action, failed = std::move(failed), duration] {
      if (!stopping_) finish_action(action, failed, duration);
    });
  };
  deps_.actions.submit([this, action, target] {
    const auto started = deps_.time.monotonic_time();
    auto result = deps_.executor.execute(action, target);
    const auto duration =
        std::chrono::duration_cast<core::Duration>(deps_.time.monotonic_time() - started);
    if (stopping_) {
      // The state file still has it in flight: the next start records it as interrupted (or
      // resumes it, for a recreate); the log keeps what the action got to.
      log::warn("remediation.interrupted", {{"cluster", action.member.cluster},
                                            {"member", action.member.member},
                                            {"action", plan::to_string(action.kind)},
                                            {"result", plan::to_string(result.outcome)},
                                            {"detail", result.detail}});
      return;
    }
    deps_.scheduler.post([this, action, result = std::move(result), duration] {
      if (!stopping_) finish_action(action, result, duration);
    });
  }, std::move(on_exception));
}

void Reconciler::finish_action(const plan::Action& action, const ActionResult& result,
                               core::Duration duration) {
  actions_in_flight_.erase(action.member);
  history_ = plan::record_action_finished(std::move(history_), action.member, result.outcome,
                                          deps_.scheduler.now());
  persist();
  publish_histories();
  update_operations_note();
  reporter_.action_finished(action, result, duration);
  // The outcome's requeue: read the group again at once, whatever the result; evidence of
  // absence from before the action no longer counts.
  observer_.action_finished(action.member);
  if (once_) return;  // run_once() ends after its one pass
  start_pass(false);  // or right after the pass in flight
}

void Reconciler::schedule_all_probes() {
  for (const auto& cluster : config_->clusters) {
    for (const auto& member : cluster.members) {
      if (!member.probe) continue;
      // Each member's probes keep the phase of its first one: spread over the period, so
      // thousands of members are not probed in the same instant every period (connections,
      // the peers' load, a burst of completions), as they would be if all started at once.
      auto first = core::Duration(0);
      if (deps_.unit_random) {
        first =
            std::chrono::duration_cast<core::Duration>(member.probe->period * deps_.unit_random());
      }
      const model::MemberKey key{cluster.name, member.name};
      schedule_probe(key, probe_slot(key, member), first);
    }
  }
}

Reconciler::ProbeSlot& Reconciler::probe_slot(const model::MemberKey& key,
                                              const config::MemberConfig& member) {
  auto& slot = probe_slots_[key];
  slot.member = &member;
  return slot;
}

void Reconciler::schedule_probe(const model::MemberKey& key, ProbeSlot& slot,
                                core::Duration delay) {
  schedule_probe_at(key, slot, deps_.scheduler.now() + delay);
}

void Reconciler::schedule_next_probe(const model::MemberKey& key, ProbeSlot& slot,
                                     core::Duration period) {
  // A timer runs a little after its time; taking the next from that, rounded up to the end of
  // a batch window, made a 5 s period 5.05 s, and a hang was seen three of those later.
  auto next = slot.due + period;
  // Behind by a period or more (the thread stalled): the periods missed are skipped, keeping
  // the member's phase, not made up at once: two probes back to back would count two
  // failures toward failureThreshold where one period's evidence came in.
  if (const auto now = deps_.scheduler.now(); next <= now) {
    next += period * ((now - next) / period + 1);
  }
  schedule_probe_at(key, slot, next);
}

void Reconciler::schedule_probe_at(const model::MemberKey& key, ProbeSlot& slot,
                                   core::MonotonicTime when) {
  const auto generation = probe_generation_;
  slot.due = when;  // before the rounding below, so that periods keep their length on average
  if (const auto window = deps_.probe_batch_window; window > core::Duration(0)) {
    // Up to the end of its window, so that the probes due in it start together.
    const auto since_epoch = when.time_since_epoch();
    const auto into = since_epoch % window;
    if (into != decltype(into)(0)) when += window - into;
  }
  // One timer per member, whoever schedules it: a hand-over (merge_cluster_history) that
  // comes before start()'s first scheduling would otherwise leave two chains probing it.
  if (slot.task) deps_.scheduler.cancel(*slot.task);
  slot.task =
      deps_.scheduler.schedule_at(when, [this, key, generation] { run_probe(key, generation); });
}

void Reconciler::run_probe(const model::MemberKey& key, std::uint64_t generation) {
  if (stopping_ || generation != probe_generation_ || !deps_.prober) return;
  const auto found = probe_slots_.find(key);
  if (found == probe_slots_.end()) return;
  auto& slot = found->second;
  slot.task.reset();  // this one, running
  const auto* member = slot.member;
  if (!member || !member->probe) return;
  const auto period = member->probe->period;
  const auto now = deps_.time.monotonic_time();
  // A standby (coordination: another replica holds the cluster) never acts on what it sees,
  // so it probes only every kStandbyProbeSlowdown-th period: enough for /status and the
  // metrics, and a streak already under way when the cluster is handed over. The timer still
  // ticks every period, so a holder whose fence reopens (a late renewal) is back to its own
  // rate within one period; taking a cluster over probes it at once (merge_cluster_history).
  if (!may_act(deps_.may_act, key.cluster)) {
    const auto& seen = slot.observation;
    const auto standby_gap = period * kStandbyProbeSlowdown - period / 2;
    if (seen.configured && now - seen.observed_at < standby_gap) {
      schedule_next_probe(key, slot, period);
      return;
    }
  }
  if (slot.in_flight) {
    const auto started = slot.in_flight->started;
    if (now - started < member->probe->timeout + period) {
      schedule_next_probe(key, slot, period);
      return;
    }
    log::warn("probe.lost",
              {{"cluster", key.cluster},
               {"member", key.member},
               {"started", ago(std::chrono::duration_cast<core::Duration>(now - started))},
               {"action", "no answer within its timeout: probing again"}});
    slot.in_flight.reset();
  }
  auto [ip, fqdn] = observer_.address(key);
  if (slot.url.empty() || ip != slot.url_target.ip || fqdn != slot.url_target.fqdn) {
    probe::ProbeTarget target{std::move(ip), std::move(fqdn)};
    auto url = probe::substitute_probe_url(member->probe->url, target);
    slot.url = url ? std::move(*url) : std::string();
    slot.url_target = std::move(target);
  }
  if (slot.url.empty()) {
    schedule_next_probe(key, slot, period);  // no IP known yet: the probe state stays unknown
    return;
  }
  const auto id = ++last_probe_id_;
  slot.in_flight = ProbeInFlight{id, now};
  start_probe(key, *member, slot.url_target, slot.url, id);
  schedule_next_probe(key, slot, period);
}

void Reconciler::start_probe(const model::MemberKey& key, const config::MemberConfig& member,
                             const probe::ProbeTarget& target, std::string url, std::uint64_t id) {
  // etcd members: every successful probe also reads maintenance/status (data-loss detection).
  const std::string status_endpoint =
      deps_.etcd_status != nullptr && member.role == config::MemberRole::kEtcd
          ? etcd_endpoint_of_probe_url(url)
          : std::string();

  if (deps_.prober->asynchronous()) {
    // On the prober's I/O thread; the status read is started from the scheduler thread once
    // the result is taken (read_etcd_status).
    const bool started = deps_.prober->probe_url_async(
        member, std::move(url), [this, key, id, status_endpoint](probe::ProbeResult result) {
          const auto at = deps_.time.monotonic_time();
          const bool read_status = result.success && !status_endpoint.empty();
          complete_probe({key, id, std::move(result), at, std::nullopt,
                          read_status ? status_endpoint : std::string()});
        });
    if (!started) {  // not probed: as the blocking probe's nullopt
      if (const auto it = probe_slots_.find(key); it != probe_slots_.end()) {
        it->second.in_flight.reset();
      }
    }
    return;
  }

  // Blocking probe and status read on the probes worker. What it uses outlives a
  // configuration swap: the member lives in `config`.
  deps_.probes.submit(
      [this, key, id, config = config_, member = &member, target, status_endpoint] {
        auto result = deps_.prober->probe(*member, target);
        const auto at = deps_.time.monotonic_time();
        std::optional<core::Result<etcd::DataIdentity>> identity;
        if (result && result->success && !status_endpoint.empty() && !stopping_) {
          identity = deps_.etcd_status->read(*member, status_endpoint);
        }
        complete_probe({key, id, std::move(result), at, std::move(identity), ""});
      },
      [this, key, id](const std::string&) {
        // No result: the probe state stays what it was (unknown evidence, not a failure).
        complete_probe({key, id, std::nullopt, {}, std::nullopt, ""});
      });
}

void Reconciler::complete_probe(ProbeCompletion completion) {
  if (stopping_) return;
  bool post = false;
  {
    std::lock_guard lock(completions_mutex_);
    completions_.push_back(std::move(completion));
    post = !std::exchange(completions_posted_, true);
  }
  if (post) deps_.scheduler.post([this] { take_probe_completions(); });
}

void Reconciler::take_probe_completions() {
  // A vector that kept its capacity from the last take (moved, so a take nested in one of
  // these completions would start from an empty one rather than clear this one).
  auto completions = std::move(spare_completions_);
  completions.clear();
  {
    std::lock_guard lock(completions_mutex_);
    completions.swap(completions_);
    completions_posted_ = false;
  }
  for (auto& completion : completions) {
    if (stopping_) return;
    const auto it = probe_slots_.find(completion.key);
    // A probe forgotten as lost (run_probe) and since started again: this answer is stale.
    if (it == probe_slots_.end() || !it->second.in_flight ||
        it->second.in_flight->id != completion.id) {
      continue;
    }
    auto& slot = it->second;
    if (completion.read_status_at.empty()) slot.in_flight.reset();
    if (completion.result) finish_probe(completion.key, slot, *completion.result, completion.at);
    if (completion.identity) finish_etcd_status(completion.key, *completion.identity);
    if (!completion.read_status_at.empty()) read_etcd_status(completion, slot);
  }
  completions.clear();
  spare_completions_ = std::move(completions);
}

void Reconciler::read_etcd_status(const ProbeCompletion& probed, ProbeSlot& slot) {
  const auto* member = slot.member;
  const bool sent = member != nullptr &&
                    deps_.prober->send_async(
                        *member, deps_.etcd_status->request(*member, probed.read_status_at),
                        [this, key = probed.key, id = probed.id,
                         endpoint = probed.read_status_at](core::Result<http::Response> response) {
                          complete_probe({key,
                                          id,
                                          std::nullopt,
                                          {},
                                          deps_.etcd_status->identity_from(endpoint, response),
                                          ""});
                        });
  if (!sent) slot.in_flight.reset();
}

void Reconciler::finish_probe(const model::MemberKey& key, ProbeSlot& slot,
                              const probe::ProbeResult& result, core::MonotonicTime at) {
  const auto* member = slot.member;
  if (!member || !member->probe) return;
  auto& obs = slot.observation;
  obs = probe::apply_probe_result(std::move(obs), result, at);
  reporter_.probe_done(key, result);
  if (result.success) return;
  observer_.set_attention(key, true);
  // A failing probe is the suspicion that buys a GET at once, so the group's state is fresh
  // by the time the streak reaches the threshold; reaching it buys one more, and the pass
  // that brings it runs the plan.
  if (obs.consecutive_failures == 1 ||
      obs.consecutive_failures == member->probe->failure_threshold) {
    observer_.request_get(key);
    start_pass(false);
  }
}

void Reconciler::finish_etcd_status(const model::MemberKey& key,
                                    const core::Result<etcd::DataIdentity>& identity) {
  if (!find_member(key)) return;
  if (!identity.ok()) {
    // Unknown, not a change: the next probe reads it again.
    log::debug("etcd.status.failed", {{"cluster", key.cluster}, {"member", key.member},
                                      {"error", identity.error().describe()}});
    return;
  }
  if (etcd_guard_.record_status(key, *identity, history_.members[key])) persist();
}

bool Reconciler::run_once() {
  once_ = true;
  beat();
  resume_operations(/*synchronous=*/true);
  const auto plan = observer_.due_reads(deps_.time.monotonic_time(), /*force_full=*/true);
  const auto result = GroupObserver::perform(plan, deps_.api, deps_.time);
  observer_.apply(result);
  for (const auto& get : result.gets) reporter_.group_read(get.member, get.observation);
  const auto error = result.first_error();
  {
    std::lock_guard lock(summary_mutex_);
    summary_.observed = true;
    summary_.last_pass_ok = !error;
    summary_.last_error = error ? error->describe() : std::string();
    if (!error) summary_.last_full_success = deps_.time.monotonic_time();
  }
  if (error) log::error("observation.failed", {{"error", error->describe()}});

  if (deps_.prober) {
    for (const auto& cluster : config_->clusters) {
      for (const auto& member : cluster.members) {
        const model::MemberKey key{cluster.name, member.name};
        auto probed = deps_.prober->probe(member, {observer_.ip(key), observer_.fqdn(key)});
        if (probed && member.probe) {
          finish_probe(key, probe_slot(key, member), *probed, deps_.time.monotonic_time());
        }
      }
    }
  }

  const auto now = deps_.time.monotonic_time();
  const auto observed = collect();
  history_ = plan::record_observation(std::move(history_), *config_, observed, now);
  auto planned = plan::plan({*config_, observed, history_, now, /*observation_recorded=*/true});
  fence_plan(planned, deps_.may_act);
  history_ = plan::record_plan(std::move(history_), planned, now);
  persist();
  reporter_.plan_evaluated(planned);
  for (const auto& action : planned.actions) dispatch(action, /*synchronous=*/true);
  if (on_observations_) on_observations_(std::make_shared<const model::Observations>(observed));
  return !error;
}

status::CheckResult Reconciler::readiness() const {
  std::lock_guard lock(summary_mutex_);
  const auto limit = kReadyAfterPollIntervals * poll_interval_;
  if (!summary_.last_full_success) {
    if (!summary_.observed) return status::CheckResult::fail("no observation has completed yet");
    return status::CheckResult::fail("no successful observation yet; last error: " +
                                     summary_.last_error);
  }
  const auto age = std::chrono::duration_cast<core::Duration>(deps_.time.monotonic_time() -
                                                              *summary_.last_full_success);
  if (age > limit) {
    std::string why =
        "last successful observation " + ago(age) + " (limit " + core::format_duration(limit) + ")";
    if (!summary_.last_error.empty()) why += "; last error: " + summary_.last_error;
    return status::CheckResult::fail(why);
  }
  return status::CheckResult::pass();
}

status::CheckResult Reconciler::liveness() const {
  std::lock_guard lock(summary_mutex_);
  if (!heartbeat_) return status::CheckResult::fail("the reconcile loop has not started");
  const auto age =
      std::chrono::duration_cast<core::Duration>(deps_.time.monotonic_time() - *heartbeat_);
  if (age > kLiveAfterTicks * tick_period_ + kLivenessSlack) {
    return status::CheckResult::fail("the reconcile loop last ticked " + ago(age));
  }
  return status::CheckResult::pass();
}

ReconcilerSummary Reconciler::summary() const {
  std::lock_guard lock(summary_mutex_);
  return summary_;
}

}  // namespace frankenetes::reconcile
