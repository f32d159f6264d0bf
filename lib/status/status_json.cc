// render_status_json: the versioned JSON of /status. Field names are camelCase like the state
// file's; an unknown value is null (never 0 or ""), so a script can tell "no probe yet" from
// "the probe took 0 s".

#include <nlohmann/json.hpp>

#include "core/timestamps.h"
#include "status/status_render.h"

namespace frankenetes::status {
namespace {

using nlohmann::json;

template <typename T>
json or_null(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}

json time_or_null(const std::optional<core::SystemTime>& t) {
  return t ? json(core::format_iso8601(*t)) : json(nullptr);
}

json seconds_or_null(const std::optional<core::Duration>& d) {
  return d ? json(static_cast<double>(d->count()) / 1000.0) : json(nullptr);
}

json containers(const std::vector<ContainerStatus>& list) {
  json out = json::array();
  for (const auto& c : list) {
    out.push_back({{"name", c.name},
                   {"state", or_null(c.state)},
                   {"detail", c.detail},
                   {"restartCount", or_null(c.restart_count)}});
  }
  return out;
}

json action(const std::optional<ActionStatus>& a) {
  if (!a) return nullptr;
  return {{"kind", a->kind},
          {"rung", a->rung},
          {"reason", a->reason},
          {"result", a->result},
          {"detail", a->detail},
          {"startedAt", time_or_null(a->started_at)},
          {"finishedAt", time_or_null(a->finished_at)}};
}

json dns(const std::optional<DnsStatus>& d) {
  if (!d) return nullptr;
  return {{"provider", d->provider},
          {"fqdn", d->fqdn},
          {"inSync", or_null(d->in_sync)},
          {"skipReason", d->skip_reason},
          {"detail", d->detail},
          {"readAt", time_or_null(d->read_at)},
          {"readDeferred", d->read_deferred}};
}

json etcd(const std::optional<EtcdStatus>& e) {
  if (!e) return nullptr;
  return {{"snapshotsEnabled", e->snapshots_enabled},
          {"snapshotAgeSeconds", seconds_or_null(e->snapshot_age)},
          {"snapshotName", e->snapshot_name},
          {"dataAtRisk", e->data_at_risk},
          {"dataLossDetected", !e->data_loss.empty()},
          {"dataLoss", e->data_loss}};
}

json member(const MemberStatus& m) {
  json skip = nullptr;
  if (m.skip) skip = {{"reason", m.skip->reason}, {"detail", m.skip->detail}};
  return {{"cluster", m.cluster},
          {"name", m.name},
          {"role", m.role},
          {"health", m.health},
          {"healthDetail", m.health_detail},
          {"paused", m.paused},
          {"aci",
           {{"read", m.group_read},
            {"error", m.group_error},
            {"state", or_null(m.aci_state)},
            {"provisioningState", or_null(m.provisioning_state)},
            {"ip", or_null(m.ip)},
            {"observedAt", time_or_null(m.observed_at)},
            {"containers", containers(m.containers)}}},
          {"probe",
           {{"configured", m.probe.configured},
            {"success", or_null(m.probe.success)},
            {"latencySeconds", seconds_or_null(m.probe.latency)},
            {"error", m.probe.error},
            {"at", time_or_null(m.probe.at)}}},
          {"dns", dns(m.dns)},
          {"ladder",
           {{"rung", m.rung},
            {"backoffLeftSeconds", seconds_or_null(m.backoff_left)},
            {"gaveUp", m.gave_up},
            {"needsPerson", m.needs_person}}},
          {"lastAction", action(m.last_action)},
          {"skip", skip},
          {"etcd", etcd(m.etcd)}};
}

json arm(const ArmStatus& a) {
  json subscriptions = json::array();
  for (const auto& s : a.subscriptions) {
    subscriptions.push_back({{"subscription", s.subscription},
                             {"remainingReads", or_null(s.remaining_reads)},
                             {"remainingWrites", or_null(s.remaining_writes)},
                             {"throttledForSeconds", seconds_or_null(s.throttled_for)}});
  }
  return {{"deferBelowReads", or_null(a.defer_below_reads)}, {"subscriptions", subscriptions}};
}

json coordination(const std::optional<CoordinationStatus>& c) {
  if (!c) return nullptr;
  json clusters = json::array();
  for (const auto& each : c->clusters) {
    clusters.push_back(
        {{"cluster", each.cluster}, {"holding", each.holding}, {"mayAct", each.may_act}});
  }
  return {{"replica", c->replica}, {"clusters", std::move(clusters)}};
}

json events(const std::vector<StatusEvent>& list) {
  json out = json::array();
  for (auto it = list.rbegin(); it != list.rend(); ++it) {
    out.push_back({{"at", core::format_iso8601(it->at)},
                   {"kind", it->kind},
                   {"cluster", it->cluster},
                   {"member", it->member},
                   {"what", it->what},
                   {"outcome", it->outcome},
                   {"detail", it->detail}});
  }
  return out;
}

}  // namespace

std::string render_status_json(const StatusSnapshot& s) {
  json clusters = json::array();
  json budget = nullptr;
  json dry_run = nullptr;
  json last_observation = nullptr;
  std::string observation_error;
  if (s.plan) {
    for (const auto& c : s.plan->clusters) {
      json members = json::array();
      for (const auto& m : c.members) members.push_back(member(m));
      clusters.push_back({{"name", c.name}, {"members", std::move(members)}});
    }
    budget = {{"limit", s.plan->budget.limit},
              {"used", s.plan->budget.used},
              {"exhausted", s.plan->budget.exhausted}};
    dry_run = s.plan->dry_run;
    last_observation = time_or_null(s.plan->last_full_observation);
    observation_error = s.plan->observation_error;
  }
  const json doc{{"version", kStatusFormatVersion},
                 {"generatedAt", core::format_iso8601(s.generated_at)},
                 {"build",
                  {{"version", s.build.version},
                   {"commit", s.build.commit},
                   {"buildType", s.build.build_type}}},
                 {"startedAt", time_or_null(s.started_at)},
                 {"adminEnabled", s.admin_enabled},
                 {"planned", s.plan.has_value()},
                 {"dryRun", dry_run},
                 {"lastFullObservation", last_observation},
                 {"observationError", observation_error},
                 {"budget", budget},
                 {"arm", arm(s.arm)},
                 {"coordination", coordination(s.coordination)},
                 {"clusters", std::move(clusters)},
                 {"events", events(s.events)}};
  // Invalid UTF-8 from a peer is replaced rather than thrown: the page must always render.
  return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace frankenetes::status
