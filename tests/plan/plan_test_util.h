#pragma once
// Builders for planner tests: configs, observations in every state the planner knows, and a
// Harness that runs the reconciler's per-tick sequence (record_observation, plan, record_plan,
// executor finishing actions) on fake time, keeping a log of every action and skip.

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "config/types.h"
#include "model/observation.h"
#include "plan/plan.h"
#include "support/edit_view.h"

namespace frankenetes::plan::test_util {

using namespace std::chrono_literals;
using core::MonotonicTime;

// A recognisable start: t0 + N seconds prints as "tN" in failure messages (see at()).
inline const MonotonicTime kT0{std::chrono::hours(1000)};
inline MonotonicTime at(std::chrono::milliseconds offset) { return kT0 + offset; }
inline long seconds_since_t0(MonotonicTime t) {
  return static_cast<long>(std::chrono::duration_cast<std::chrono::seconds>(t - kT0).count());
}

inline config::MemberConfig member(std::string name, std::vector<std::string> depends_on = {}) {
  config::MemberConfig m;
  m.name = name;
  m.container_group = "cg-" + name;
  m.depends_on = std::move(depends_on);
  return m;
}

inline config::MemberConfig with_spec(config::MemberConfig m) {
  m.spec = config::GroupSpecConfig{};
  m.spec->file = "groups/" + m.name + ".json";
  return m;
}

inline config::MemberConfig with_probe(config::MemberConfig m, int failure_threshold = 3) {
  config::ProbeConfig probe;
  probe.url = "http://{ip}:2379/health";
  probe.failure_threshold = failure_threshold;
  m.probe = probe;
  return m;
}

inline config::MemberConfig without_remediation(config::MemberConfig m) {
  m.remediate = false;
  return m;
}

inline config::ClusterConfig cluster(std::string name, std::vector<config::MemberConfig> members) {
  config::ClusterConfig c;
  c.name = std::move(name);
  c.resource_group = "rg";
  c.members = std::move(members);
  return c;
}

// The defaults of config/defaults.h: poll 10s, stale 20s, crash loop 3 in 10m, back-off
// 10s..5m reset 10m, budget 12/h.
inline config::Config make_config(std::vector<config::ClusterConfig> clusters) {
  config::Config c;
  c.azure.subscription_id = "sub";
  c.clusters = std::move(clusters);
  return c;
}

// The usual control plane: etcd <- apiserver <- {controller-manager, scheduler}.
inline config::ClusterConfig control_plane(std::string name = "prod", bool specs = true) {
  auto maybe_spec = [&](config::MemberConfig m) { return specs ? with_spec(std::move(m)) : m; };
  return cluster(std::move(name), {maybe_spec(with_probe(member("etcd"))),
                                   maybe_spec(with_probe(member("apiserver", {"etcd"}))),
                                   maybe_spec(member("controller-manager", {"apiserver"})),
                                   maybe_spec(member("scheduler", {"apiserver"}))});
}

// A GroupObservation; sent_at is left unset (= observed_at).
inline model::GroupObservation group_observation(model::GroupObservation::Outcome outcome,
                                                 std::optional<model::ContainerGroupView> view,
                                                 std::optional<core::Error> error,
                                                 MonotonicTime observed_at) {
  model::GroupObservation g;
  g.outcome = outcome;
  if (view) g.view = std::make_shared<const model::ContainerGroupView>(std::move(*view));
  if (error) g.error = std::make_shared<const core::Error>(std::move(*error));
  g.observed_at = observed_at;
  return g;
}

// --- observations --------------------------------------------------------------------------

inline model::ContainerView container(std::string name, int restarts = 0,
                                      std::string state = "Running", std::string detail = "") {
  model::ContainerView c;
  c.name = std::move(name);
  c.image = "registry.k8s.io/" + c.name;
  c.restart_count = restarts;
  c.current_state = model::ContainerState{std::move(state), std::move(detail), std::nullopt,
                                          std::nullopt, std::nullopt};
  return c;
}

// A GET that found the group; the group has one container named after the member.
inline model::MemberObservation found(const model::MemberKey& key, MonotonicTime observed_at,
                                      std::string state = "Running", int restarts = 0,
                                      std::string provisioning = "Succeeded") {
  model::ContainerGroupView view;
  view.summary.name = "cg-" + key.member;
  view.summary.provisioning_state = std::move(provisioning);
  view.summary.restart_policy = "Always";
  view.summary.ip = "20.0.0.1";
  view.state = std::move(state);
  view.containers.push_back(container(key.member, restarts));
  model::MemberObservation obs;
  obs.key = key;
  obs.group = group_observation(model::GroupObservation::Outcome::kFound, std::move(view),
                                      std::nullopt, observed_at);
  return obs;
}

inline model::MemberObservation healthy(const model::MemberKey& key, MonotonicTime observed_at,
                                        int restarts = 0) {
  return found(key, observed_at, "Running", restarts);
}

inline model::MemberObservation crash_loop_backoff(const model::MemberKey& key,
                                                   MonotonicTime observed_at, int restarts = 5) {
  auto obs = found(key, observed_at, "Running", restarts);
  testing::edit_view(*obs.group).containers[0].current_state =
      model::ContainerState{"Waiting", "CrashLoopBackOff: Back-off restarting failed", std::nullopt,
                            std::nullopt, std::nullopt};
  return obs;
}

inline model::MemberObservation not_found(const model::MemberKey& key, MonotonicTime observed_at) {
  model::MemberObservation obs;
  obs.key = key;
  obs.group = group_observation(model::GroupObservation::Outcome::kNotFound, std::nullopt,
                                      std::nullopt, observed_at);
  obs.group->gone_confirmed = true;
  obs.group->gone_evidence = "test: proven";
  return obs;
}

inline model::MemberObservation read_error(const model::MemberKey& key, MonotonicTime observed_at,
                                           int http_status = 503) {
  model::MemberObservation obs;
  obs.key = key;
  core::Error error;
  error.kind = core::kind_for_http_status(http_status);
  error.message = "ARM answered " + std::to_string(http_status);
  error.http_status = http_status;
  obs.group = group_observation(model::GroupObservation::Outcome::kError, std::nullopt, error,
                                      observed_at);
  return obs;
}

// Adds a probe result: `failures` consecutive failures (0: the last probe succeeded).
inline model::MemberObservation with_probe_result(model::MemberObservation obs, int failures,
                                                  MonotonicTime observed_at) {
  obs.probe.configured = true;
  obs.probe.last_success = failures == 0;
  obs.probe.consecutive_failures = failures;
  obs.probe.consecutive_successes = failures == 0 ? 1 : 0;
  obs.probe.last_error = failures == 0 ? "" : "HTTP 503";
  obs.probe.observed_at = observed_at;
  return obs;
}

// --- the reconciler's per-tick sequence -----------------------------------------------------

struct LoggedAction {
  long t;  // seconds since kT0
  std::string member;
  ActionKind kind;
  int rung;
  bool operator==(const LoggedAction&) const = default;
};

inline std::ostream& operator<<(std::ostream& os, const LoggedAction& a) {
  return os << "{t" << a.t << " " << a.member << " " << to_string(a.kind) << " rung " << a.rung
            << "}";
}

class Harness {
 public:
  explicit Harness(config::Config config) : config_(std::move(config)) {}

  config::Config& config() { return config_; }
  model::Observations& observed() { return observed_; }
  History& history() { return history_; }
  MonotonicTime now() const { return now_; }
  void set_now(MonotonicTime t) { now_ = t; }
  void advance(std::chrono::milliseconds d) { now_ += d; }

  // How the executor answers: by default every action finishes at once with success (what a
  // dry-run executor does too). Set to nullptr to leave actions in flight.
  std::function<std::optional<ActionOutcome>(const Action&)> executor =
      [](const Action&) -> std::optional<ActionOutcome> { return ActionOutcome::kSucceeded; };

  void observe(const model::MemberObservation& obs) { observed_[obs.key] = obs; }

  PlanResult tick() {
    history_ = record_observation(std::move(history_), config_, observed_, now_);
    PlanResult result = plan({config_, observed_, history_, now_, /*observation_recorded=*/true});
    // What the reconciler does (history already recorded) plans exactly what the pure form
    // (which records into a copy) plans: every plan test checks it at every tick.
    EXPECT_EQ(result, plan({config_, observed_, history_, now_}))
        << "at " << now_.time_since_epoch().count();
    history_ = record_plan(std::move(history_), result, now_);
    for (const auto& action : result.actions) {
      log_.push_back({seconds_since_t0(now_), action.member.member, action.kind, action.rung});
      if (!executor) continue;
      if (auto outcome = executor(action)) {
        history_ = record_action_finished(std::move(history_), action.member, *outcome, now_);
      }
    }
    return result;
  }

  void finish(const model::MemberKey& key, ActionOutcome outcome = ActionOutcome::kSucceeded) {
    history_ = record_action_finished(std::move(history_), key, outcome, now_);
  }

  const std::vector<LoggedAction>& action_log() const { return log_; }

 private:
  config::Config config_;
  model::Observations observed_;
  History history_;
  MonotonicTime now_ = kT0;
  std::vector<LoggedAction> log_;
};

}  // namespace frankenetes::plan::test_util
