#include "reconcile/status_view.h"

#include <chrono>

#include "config/enums.h"

namespace frankenetes::reconcile {
namespace {

class Clock {
 public:
  Clock(core::MonotonicTime now, core::SystemTime system_now) : now_(now), system_now_(system_now) {}
  core::SystemTime wall(core::MonotonicTime t) const {
    return system_now_ - std::chrono::duration_cast<core::SystemTime::duration>(now_ - t);
  }
  std::optional<core::SystemTime> wall(const std::optional<core::MonotonicTime>& t) const {
    return t ? std::optional(wall(*t)) : std::nullopt;
  }
  core::Duration since(core::MonotonicTime t) const {
    return std::chrono::duration_cast<core::Duration>(now_ - t);
  }
  core::Duration until(core::MonotonicTime t) const {
    return std::chrono::duration_cast<core::Duration>(t - now_);
  }

 private:
  core::MonotonicTime now_;
  core::SystemTime system_now_;
};

std::string_view read_outcome(const std::optional<model::GroupObservation>& group) {
  if (!group) return "never";
  switch (group->outcome) {
    case model::GroupObservation::Outcome::kFound:
      return "found";
    case model::GroupObservation::Outcome::kNotFound:
      return "not_found";
    case model::GroupObservation::Outcome::kError:
      return "error";
  }
  return "error";
}

void fill_group(status::MemberStatus& out, const model::GroupObservation& group, const Clock& clock) {
  out.observed_at = clock.wall(group.observed_at);
  if (group.error) out.group_error = group.error->describe();
  if (!group.view) return;
  const auto& view = *group.view;
  if (!view.state.empty()) out.aci_state = view.state;
  if (!view.summary.provisioning_state.empty()) {
    out.provisioning_state = view.summary.provisioning_state;
  }
  out.ip = view.summary.ip;
  for (const auto& c : view.containers) {
    status::ContainerStatus container;
    container.name = c.name;
    container.restart_count = c.restart_count;
    if (c.current_state) {
      if (!c.current_state->state.empty()) container.state = c.current_state->state;
      container.detail = c.current_state->detail_status;
    }
    out.containers.push_back(std::move(container));
  }
}

status::ProbeStatus probe_status(const model::ProbeObservation& probe, const Clock& clock) {
  status::ProbeStatus out;
  out.configured = probe.configured;
  out.success = probe.last_success;
  if (!probe.last_success) return out;  // nothing finished yet: the rest is unknown too
  out.latency = probe.last_duration;
  out.error = probe.last_error;
  out.at = clock.wall(probe.observed_at);
  return out;
}

std::optional<status::ActionStatus> last_action(const HistoryNote* mh, const ActionNote* note,
                                                const Clock& clock) {
  if (mh == nullptr) return std::nullopt;
  const plan::ActionRecord* record = mh->in_flight ? &*mh->in_flight
                                                   : (mh->last_action ? &*mh->last_action : nullptr);
  if (record == nullptr) return std::nullopt;
  status::ActionStatus out;
  out.kind = plan::to_string(record->kind);
  out.rung = record->rung;
  out.started_at = clock.wall(record->started_at);
  out.finished_at = clock.wall(record->finished_at);
  if (mh->in_flight) {
    out.result = "running";
  } else if (note != nullptr && !note->result.empty()) {
    out.result = note->result;  // says dry_run where the history says succeeded
  } else {
    out.result = record->outcome ? plan::to_string(*record->outcome) : "unknown";
  }
  if (note != nullptr) {
    out.reason = note->reason;
    if (!mh->in_flight) out.detail = note->detail;
  }
  return out;
}

std::optional<status::EtcdStatus> etcd_status(const config::Config& config,
                                              const model::MemberObservation* obs,
                                              const plan::MemberStatus* planned,
                                              const HistoryNote* mh, const Clock& clock) {
  status::EtcdStatus out;
  out.snapshots_enabled = config.etcd.snapshots.enabled;
  if (obs != nullptr && obs->snapshots && obs->snapshots->verified_at) {
    out.snapshot_age = clock.since(*obs->snapshots->verified_at);
    out.snapshot_name = obs->snapshots->verified_name;
  }
  out.data_at_risk = planned != nullptr && planned->etcd_data_at_risk;
  if (mh != nullptr) out.data_loss = mh->etcd_data_loss;
  return out;
}

const HistoryNote* find_note(const std::map<model::MemberKey, HistoryNote>& notes,
                             const model::MemberKey& key) {
  const auto it = notes.find(key);
  return it == notes.end() ? nullptr : &it->second;
}

}  // namespace

std::map<model::MemberKey, HistoryNote> history_notes(const plan::History& history) {
  std::map<model::MemberKey, HistoryNote> notes;
  for (const auto& [key, mh] : history.members) {
    if (!mh.in_flight && !mh.last_action && mh.etcd_data_loss.empty()) continue;
    notes.emplace(key, HistoryNote{mh.in_flight, mh.last_action, mh.etcd_data_loss});
  }
  return notes;
}

status::PlanStatus status_view(const StatusViewInput& in,
                               const std::map<model::MemberKey, ActionNote>& notes) {
  const Clock clock(in.now, in.system_now);
  status::PlanStatus out;
  const config::Config& config = *in.config;
  const plan::PlanResult& result = *in.result;
  const model::Observations& observed = *in.observed;
  out.budget = {result.budget.limit, result.budget.used, result.budget.exhausted};
  out.dry_run = config.policy.dry_run;
  const auto planned_members = plan::index_by_member(result.members);
  const auto skips = plan::index_by_member(result.skips);
  out.last_full_observation = clock.wall(in.last_full_observation);
  out.observation_error = in.observation_error;
  for (const auto& cluster : config.clusters) {
    status::ClusterStatus& c = out.clusters.emplace_back();
    c.name = cluster.name;
    for (const auto& member : cluster.members) {
      const model::MemberKey key{cluster.name, member.name};
      status::MemberStatus& m = c.members.emplace_back();
      m.cluster = cluster.name;
      m.name = member.name;
      m.role = config::to_string(member.role);

      const auto found = observed.find(key);
      const model::MemberObservation* obs = found == observed.end() ? nullptr : &found->second;
      m.group_read = read_outcome(obs != nullptr ? obs->group : std::nullopt);
      if (obs != nullptr && obs->group) fill_group(m, *obs->group, clock);
      if (obs != nullptr) m.probe = probe_status(obs->probe, clock);
      m.probe.configured = member.probe.has_value();
      m.paused = obs != nullptr && obs->paused;

      const plan::MemberStatus* planned = plan::find_in(planned_members, key);
      m.health = planned != nullptr ? plan::to_string(planned->assessment.health) : "unknown";
      if (planned != nullptr) m.health_detail = planned->assessment.why();
      if (planned != nullptr) {
        m.rung = planned->rung;
        m.gave_up = planned->gave_up;
        m.needs_person = planned->needs_person;
        if (planned->backoff_until) m.backoff_left = clock.until(*planned->backoff_until);
      }
      if (const auto* skip = plan::find_in(skips, key)) {
        m.skip = status::SkipStatus{std::string(plan::to_string(skip->reason)), skip->detail};
      }
      const HistoryNote* history = find_note(in.history, key);
      const auto note = notes.find(key);
      m.last_action = last_action(history, note == notes.end() ? nullptr : &note->second, clock);
      if (member.dns) {
        m.dns.emplace();
        m.dns->provider = member.dns->provider;
        m.dns->fqdn = member.dns->name;
      }
      if (member.role == config::MemberRole::kEtcd) {
        m.etcd = etcd_status(config, obs, planned, history, clock);
      }
    }
  }
  return out;
}

}  // namespace frankenetes::reconcile
