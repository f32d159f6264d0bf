#include "reconcile/group_observer.h"

#include <algorithm>
#include <cctype>

#include "azure/arm_error.h"
#include "core/duration.h"
#include "core/strings.h"

namespace frankenetes::reconcile {
namespace {

using azure::arm_says_absent;

using core::iequals;

std::string subscription_of(const config::Config& config, const config::ClusterConfig& cluster) {
  return cluster.subscription_id.empty() ? config.azure.subscription_id : cluster.subscription_id;
}

// Ticks arrive with jitter: a read is due when it is at most half a tick early.
bool due(core::MonotonicTime now, std::optional<core::MonotonicTime> last, core::Duration interval,
         core::Duration tick) {
  return !last || (now - *last) + tick / 2 >= interval;
}

}  // namespace

bool PassResult::ok() const { return !first_error().has_value(); }

std::optional<core::Error> PassResult::first_error() const {
  for (const auto& list : lists) {
    if (list.error) return list.error;
  }
  for (const auto& get : gets) {
    if (get.observation.outcome == model::GroupObservation::Outcome::kError) {
      return get.observation.error;
    }
  }
  return std::nullopt;
}

void GroupObserver::configure(const config::Config& config) {
  policy_ = config.policy;
  std::map<model::MemberKey, Watched> next;
  list_targets_.clear();
  for (const auto& cluster : config.clusters) {
    const auto subscription = subscription_of(config, cluster);
    list_targets_.insert({subscription, cluster.resource_group});
    for (const auto& member : cluster.members) {
      const model::MemberKey key{cluster.name, member.name};
      const ContainerGroupRef ref{subscription, cluster.resource_group, member.container_group};
      auto old = members_.find(key);
      Watched w;
      if (old != members_.end() && old->second.group == ref) w = std::move(old->second);
      w.group = ref;
      next.emplace(key, std::move(w));
    }
  }
  members_ = std::move(next);
}

core::Duration GroupObserver::tick_period(const config::PolicyConfig& policy) {
  return std::max<core::Duration>(
      std::min({policy.poll_interval, policy.get_interval.unhealthy, policy.get_interval.healthy}),
      std::chrono::milliseconds(100));
}

void GroupObserver::set_attention(const model::MemberKey& member, bool attention) {
  if (auto it = members_.find(member); it != members_.end()) it->second.attention = attention;
}

void GroupObserver::request_get(const model::MemberKey& member) {
  if (auto it = members_.find(member); it != members_.end()) it->second.get_requested = true;
}

void GroupObserver::action_finished(const model::MemberKey& member) {
  if (auto it = members_.find(member); it != members_.end()) {
    it->second.absence = {};
    it->second.get_requested = true;
  }
}

ReadPlan GroupObserver::due_reads(core::MonotonicTime now, bool force_full) {
  ReadPlan plan;
  const auto tick = tick_period(policy_);
  if (force_full || due(now, last_list_attempt_, policy_.poll_interval, tick)) {
    plan.lists.assign(list_targets_.begin(), list_targets_.end());
    plan.full = true;
    last_list_attempt_ = now;
  }
  // Healthy data must be refreshed before the planner calls it stale.
  const auto healthy_interval =
      std::max(tick, std::min(policy_.get_interval.healthy, policy_.stale_after - tick));
  for (auto& [key, w] : members_) {
    const bool never_read = !w.last_get.has_value();
    const bool essential = force_full || never_read || w.attention || w.get_requested;
    bool wanted = false;
    if (essential) {
      wanted = w.get_requested || force_full ||
               due(now, w.last_get_attempt, policy_.get_interval.unhealthy, tick);
    } else if (due(now, w.last_get_attempt, healthy_interval, tick)) {
      // Deferred until the data is stale: the member is then unknown (no action) and its
      // next read is essential.
      const bool stale = now - w.last_get->observed_at >= policy_.stale_after;
      if (defer_ && defer_(w.group.subscription_id) && !stale) {
        ++deferred_reads_;
      } else {
        wanted = true;
      }
    }
    if (!wanted) continue;
    w.last_get_attempt = now;
    w.get_requested = false;
    plan.gets.push_back({key, w.group});
  }
  return plan;
}

PassResult GroupObserver::perform(const ReadPlan& plan, ContainerGroupApi& api,
                                  const core::TimeSource& time, const std::function<bool()>& stop) {
  PassResult result;
  result.full = plan.full;
  for (const auto& request : plan.lists) {
    if (stop && stop()) return result;
    ListRead read;
    read.request = request;
    read.sent_at = time.monotonic_time();
    auto listed = api.list(request.subscription_id, request.resource_group);
    read.at = time.monotonic_time();
    if (listed.ok()) {
      read.groups = std::move(listed.value());
    } else if (listed.error().http_status == 404 &&
               listed.error().azure_code == "ResourceGroupNotFound") {
      // ARM's word that the resource group is gone: it holds no groups (an empty LIST).
    } else {
      read.error = listed.error();
    }
    result.lists.push_back(std::move(read));
  }
  for (const auto& request : plan.gets) {
    if (stop && stop()) return result;
    GetRead read;
    read.member = request.member;
    read.observation.sent_at = time.monotonic_time();
    auto got = api.get(request.group);
    read.observation.observed_at = time.monotonic_time();
    if (got.ok()) {
      read.observation.outcome = model::GroupObservation::Outcome::kFound;
      read.observation.view = std::move(got.value());
    } else if (arm_says_absent(got.error())) {
      read.observation.outcome = model::GroupObservation::Outcome::kNotFound;
      read.observation.error = got.error();
    } else if (got.error().http_status == 404) {
      read.observation.outcome = model::GroupObservation::Outcome::kError;
      read.observation.error = got.error();
      read.observation.error->message +=
          " (a 404 without ARM's ResourceNotFound envelope proves nothing: state unknown)";
    } else {
      read.observation.outcome = model::GroupObservation::Outcome::kError;
      read.observation.error = got.error();
    }
    result.gets.push_back(std::move(read));
  }
  return result;
}

void GroupObserver::apply(const PassResult& result) {
  // GETs first: a LIST of the same pass is then compared with what the GET just saw, and
  // only a real difference asks for another GET.
  for (const auto& get : result.gets) {
    auto it = members_.find(get.member);
    if (it == members_.end()) continue;  // reconfigured away while the read was in flight
    Watched& w = it->second;
    w.last_get = get.observation;
    switch (get.observation.outcome) {
      case model::GroupObservation::Outcome::kFound:
        w.absence = {};  // it exists: any earlier 404 was spurious
        break;
      case model::GroupObservation::Outcome::kNotFound:
        if (!w.absence.first_404_sent) w.absence.first_404_sent = get.observation.sent();
        w.absence.last_404_sent = get.observation.sent();
        break;
      case model::GroupObservation::Outcome::kError:
        break;  // says nothing either way
    }
  }
  for (const auto& list : result.lists) {
    if (list.error) continue;  // no new data: what we had ages into stale
    for (auto& [key, w] : members_) {
      if (w.group.subscription_id != list.request.subscription_id ||
          !iequals(w.group.resource_group, list.request.resource_group)) {
        continue;
      }
      const auto it = std::find_if(list.groups.begin(), list.groups.end(),
                                   [&](const auto& g) { return iequals(g.name, w.group.name); });
      std::optional<model::ContainerGroupSummary> now_listed;
      if (it != list.groups.end()) now_listed = *it;
      // Proof of absence: only a LIST sent after the first 404 counts.
      if (w.absence.first_404_sent && list.sent_at > *w.absence.first_404_sent) {
        if (now_listed) {
          w.absence = {};  // still listed: the 404 was not the truth
          w.get_requested = true;
        } else {
          w.absence.list_absent = true;
        }
      }
      // LIST saw the group appear, vanish or change address or provisioning: read it now.
      const auto* known = newest_summary(w);
      if (w.last_get && ((known != nullptr) != now_listed.has_value() ||
                         (known && now_listed &&
                          (known->ip != now_listed->ip ||
                           known->provisioning_state != now_listed->provisioning_state)))) {
        w.get_requested = true;
      }
      w.listed = std::move(now_listed);
      w.listed_at = list.at;
    }
  }
  for (auto& [key, w] : members_) update_proof(w);
}

void GroupObserver::update_proof(Watched& w) const {
  if (!w.last_get || w.last_get->outcome != model::GroupObservation::Outcome::kNotFound) return;
  auto& obs = *w.last_get;
  const auto& a = w.absence;
  const bool second_get = a.first_404_sent && a.last_404_sent &&
                          *a.last_404_sent - *a.first_404_sent >= policy_.poll_interval;
  obs.gone_confirmed = second_get && a.list_absent;
  if (obs.gone_confirmed) {
    obs.gone_evidence = "ARM answered ResourceNotFound to two GETs " +
                        core::format_duration(std::chrono::duration_cast<core::Duration>(
                            *a.last_404_sent - *a.first_404_sent)) +
                        " apart and a LIST sent after the first did not contain it";
    return;
  }
  std::string missing;
  if (!a.list_absent) missing = "a LIST sent after the first 404 without the group";
  if (!second_get) {
    if (!missing.empty()) missing += " and ";
    missing += "a second 404 at least " + core::format_duration(policy_.poll_interval) +
               " (pollInterval) after the first";
  }
  obs.gone_evidence = "waiting for " + missing;
}

const model::GroupObservation* GroupObserver::group(const model::MemberKey& member) const {
  const auto it = members_.find(member);
  if (it == members_.end() || !it->second.last_get) return nullptr;
  return &*it->second.last_get;
}

const model::ContainerGroupSummary* GroupObserver::newest_summary(const Watched& w) const {
  const model::ContainerGroupSummary* from_get = nullptr;
  if (w.last_get && w.last_get->view) from_get = &w.last_get->view->summary;
  const bool get_newer = w.last_get && w.last_get->observed_at >= w.listed_at;
  if (w.listed && (!get_newer || !from_get)) {
    // A newer LIST wins; a newer 404 GET means the group is gone whatever LIST said earlier.
    if (get_newer && w.last_get->outcome == model::GroupObservation::Outcome::kNotFound &&
        w.last_get->gone_confirmed) {
      return nullptr;
    }
    return &*w.listed;
  }
  return from_get;
}

std::optional<std::string> GroupObserver::ip(const model::MemberKey& member) const {
  const auto it = members_.find(member);
  if (it == members_.end()) return std::nullopt;
  const auto* summary = newest_summary(it->second);
  return summary ? summary->ip : std::nullopt;
}

std::optional<std::string> GroupObserver::fqdn(const model::MemberKey& member) const {
  const auto it = members_.find(member);
  if (it == members_.end()) return std::nullopt;
  const auto* summary = newest_summary(it->second);
  return summary ? summary->fqdn : std::nullopt;
}

}  // namespace frankenetes::reconcile
