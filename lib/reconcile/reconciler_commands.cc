// Reconciler: what operators ask through the admin API (pause, resume, a pass now) and what
// /status shows after every plan. The commands run as scheduler tasks like everything else
// that touches the reconciler's state.

#include "log/event.h"
#include "reconcile/reconciler.h"

namespace frankenetes::reconcile {
namespace {

status::AdminCommandResult stopping_result() {
  return {503, "the daemon is shutting down"};
}

}  // namespace

void Reconciler::set_paused(model::MemberKey member, bool paused, std::string who,
                            CommandDone done) {
  if (stopping_) return done(stopping_result());
  deps_.scheduler.post([this, member = std::move(member), paused, who = std::move(who),
                        done = std::move(done)] {
    if (stopping_) return done(stopping_result());
    apply_pause(member, paused, who, done);
  });
}

void Reconciler::apply_pause(const model::MemberKey& member, bool paused, const std::string& who,
                             const CommandDone& done) {
  if (find_member(member) == nullptr) {
    return done({404, "no member " + member.to_string() + " in the configuration"});
  }
  const bool changed = paused ? paused_.insert(member).second : paused_.erase(member) > 0;
  core::Status saved;
  if (deps_.state != nullptr) saved = deps_.state->set_paused(member, paused);
  if (changed) reporter_.pause_changed(member, paused, who);
  // The plans see it at once: a paused member's skip, or a resumed member's next action. A
  // pass in flight plans when it ends.
  // DNS: a pause changes its inputs.
  auto observed =
      pass_in_flight_ ? std::make_shared<const model::Observations>(collect()) : reconcile();
  if (on_observations_) on_observations_(std::move(observed));
  const std::string what = std::string(paused ? "paused " : "resumed ") + member.to_string() +
                           (changed ? "" : paused ? " (it was paused already)"
                                                  : " (it was not paused)");
  if (!saved.ok()) {
    log::error("state.write_failed",
               {{"error", saved.error().message},
                {"action", std::string(paused ? "paused" : "resumed") +
                               " until the daemon restarts; the state directory does not say so"}});
    return done({500, what + ", but the state directory could not be written (" +
                          saved.error().message + "): it will not survive a restart"});
  }
  done({200, what});
}

void Reconciler::request_pass(std::string who, CommandDone done) {
  if (stopping_) return done(stopping_result());
  deps_.scheduler.post([this, who = std::move(who), done = std::move(done)] {
    if (stopping_) return done(stopping_result());
    reporter_.pass_requested(who);
    const bool running = pass_in_flight_;
    start_pass(/*force_full=*/true);
    done({202, running ? "a pass is running; another follows it"
                       : "a full pass (every LIST and GET, then a plan) has started"});
  });
}

void Reconciler::publish_status(std::shared_ptr<const model::Observations> observed,
                                std::shared_ptr<const plan::PlanResult> result) {
  std::optional<core::MonotonicTime> last_full;
  std::string last_error;
  {
    std::lock_guard lock(summary_mutex_);
    last_full = summary_.last_full_success;
    last_error = summary_.last_pass_ok ? std::string() : summary_.last_error;
  }
  reporter_.publish({config_, std::move(observed), std::move(result), history_notes(history_),
                     last_full, std::move(last_error), deps_.scheduler.now(),
                     deps_.time.system_time()});
}

}  // namespace frankenetes::reconcile
