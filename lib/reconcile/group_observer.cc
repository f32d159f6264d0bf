#include "reconcile/group_observer.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <limits>
#include <map>
#include <unordered_map>

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
      if (!get.observation.error) return std::nullopt;
      return *get.observation.error;
    }
  }
  return std::nullopt;
}

void GroupObserver::configure(const config::Config& config) {
  policy_ = config.policy;
  std::map<model::MemberKey, Watched> next;
  std::map<std::string, Subscription> subscriptions;
  for (const auto& cluster : config.clusters) {
    const auto subscription = subscription_of(config, cluster);
    subscriptions[subscription].resource_groups.insert(core::to_lower(cluster.resource_group));
    for (const auto& member : cluster.members) {
      const model::MemberKey key{cluster.name, member.name};
      const ContainerGroupRef ref{subscription, cluster.resource_group, member.container_group};
      auto old = members_.find(key);
      Watched w;
      if (old != members_.end() && old->second.group == ref) w = std::move(old->second);
      w.group = ref;
      w.etcd = member.role == config::MemberRole::kEtcd;
      next.emplace(key, std::move(w));
    }
  }
  for (auto& [id, sub] : subscriptions) {
    const auto old = subscriptions_.find(id);
    if (old != subscriptions_.end() && old->second.resource_groups == sub.resource_groups) {
      sub = std::move(old->second);  // same scope: keep what was learnt, and the budget
      continue;
    }
    // One resource group: its LIST is never larger than the subscription's.
    sub.per_resource_group = sub.resource_groups.size() == 1;
    if (old != subscriptions_.end()) {
      sub.tokens = old->second.tokens;
      sub.refilled_at = old->second.refilled_at;
      sub.answered = std::move(old->second.answered);
    }
  }
  subscriptions_ = std::move(subscriptions);
  members_ = std::move(next);
  index_.clear();
  index_.reserve(members_.size());
  for (auto& [key, w] : members_) index_.emplace(key, &w);
}

GroupObserver::Watched* GroupObserver::find(const model::MemberKey& member) {
  const auto it = index_.find(member);
  return it == index_.end() ? nullptr : it->second;
}

const GroupObserver::Watched* GroupObserver::find(const model::MemberKey& member) const {
  const auto it = index_.find(member);
  return it == index_.end() ? nullptr : it->second;
}

core::Duration GroupObserver::tick_period(const config::PolicyConfig& policy) {
  return std::max<core::Duration>(
      std::min({policy.poll_interval, policy.get_interval.unhealthy, policy.get_interval.healthy}),
      std::chrono::milliseconds(100));
}

void GroupObserver::set_attention(const model::MemberKey& member, bool attention) {
  if (auto* w = find(member)) w->attention = attention;
}

void GroupObserver::request_get(const model::MemberKey& member) {
  if (auto* w = find(member)) w->get_requested = true;
}

void GroupObserver::action_finished(const model::MemberKey& member) {
  if (auto* w = find(member)) {
    w->absence = {};
    w->get_requested = true;
  }
}

bool GroupObserver::gets_requested() const {
  return std::any_of(members_.begin(), members_.end(),
                     [](const auto& entry) { return entry.second.get_requested; });
}

double GroupObserver::reads_per_second() const {
  return policy_.budget.arm_reads_per_minute / 60.0;
}

double GroupObserver::bucket_capacity() const {
  // One poll interval's worth: a pass may spend it at once, no more.
  return std::max(
      1.0, reads_per_second() * std::chrono::duration<double>(policy_.poll_interval).count());
}

double GroupObserver::resync_reserve(const Subscription& sub) const {
  // The resync leaves a share of the bucket to suspects: when it keeps the budget spent (a
  // thousand clusters), a GET that a failing probe or a finished action asks for still finds a
  // token at once instead of waiting for the refill, and the restart that waits for that GET
  // is not late. Never more than a full bucket holds beside the LIST and one read: with a
  // budget of a read or two per poll interval the resync must still be able to read.
  const double capacity = bucket_capacity();
  const double list = static_cast<double>(planned_list_reads(sub));
  return std::clamp(std::min(capacity * kSuspectReserve, capacity - list - 1.0), 0.0, capacity);
}

std::size_t GroupObserver::planned_pages(const Subscription& sub,
                                         const std::string& resource_group) {
  const auto it = sub.list_pages.find(resource_group);
  return it == sub.list_pages.end() ? 1 : std::max<std::size_t>(it->second, 1);
}

std::size_t GroupObserver::planned_list_reads(const Subscription& sub) {
  if (!sub.per_resource_group) return planned_pages(sub, "");
  std::size_t reads = 0;
  for (const auto& rg : sub.resource_groups) reads += planned_pages(sub, rg);
  return reads;
}

void GroupObserver::refill(Subscription& sub, core::MonotonicTime now) const {
  const double capacity = bucket_capacity();
  if (!sub.refilled_at) {
    sub.tokens = capacity;
  } else if (now > *sub.refilled_at) {
    sub.tokens = std::min(capacity, sub.tokens + reads_per_second() *
                                                     std::chrono::duration<double>(
                                                         now - *sub.refilled_at).count());
  }
  sub.refilled_at = now;
}

ReadPlan GroupObserver::due_reads(core::MonotonicTime now, bool force_full) {
  ReadPlan plan;
  const auto tick = tick_period(policy_);
  for (auto& [id, sub] : subscriptions_) refill(sub, now);
  if (force_full || due(now, last_list_attempt_, policy_.poll_interval, tick)) {
    for (auto& [id, sub] : subscriptions_) {
      if (sub.per_resource_group) {
        for (const auto& rg : sub.resource_groups) plan.lists.push_back({id, rg});
      } else {
        plan.lists.push_back({id, ""});
      }
      // LISTs always run (they are what keeps every reading vouched for); they use the
      // budget first.
      sub.tokens -= static_cast<double>(planned_list_reads(sub));
    }
    plan.full = true;
    last_list_attempt_ = now;
  }

  // The rolling resync: healthy members at an even rate of (healthy members) per
  // getInterval.healthy, never one read within the last half of it.
  const auto healthy_interval = std::max(tick, policy_.get_interval.healthy);
  const double elapsed =
      last_plan_ ? std::chrono::duration<double>(now - *last_plan_).count() : 0.0;
  last_plan_ = now;
  std::vector<Candidate> candidates;
  std::size_t healthy = 0;
  std::size_t resync_eligible = 0;
  for (auto& [key, w] : members_) {
    const bool never_read = !w.last_get.has_value();
    const bool suspect = never_read || w.attention;
    if (force_full || w.get_requested) {
      candidates.push_back({0, false, w.etcd, w.last_get_attempt, &w, &key});
    } else if (suspect) {
      if (due(now, w.last_get_attempt, policy_.get_interval.unhealthy, tick)) {
        candidates.push_back({1, never_read, w.etcd, w.last_get_attempt, &w, &key});
      }
    } else {
      ++healthy;
      if (due(now, w.last_get_attempt, healthy_interval / 2, tick)) {
        ++resync_eligible;
        const bool overdue = due(now, w.last_get_attempt, healthy_interval, tick);
        candidates.push_back({overdue ? 2 : 3, false, w.etcd, w.last_get_attempt, &w, &key});
      }
    }
  }
  // Early resync reads (rank 3) spend credit earned at (healthy members) per
  // getInterval.healthy; overdue ones (rank 2) always run and spend it too, so bunched reads
  // drift apart over a few rounds.
  const auto members = static_cast<double>(healthy);
  resync_credit_ += members * elapsed / std::chrono::duration<double>(healthy_interval).count();
  resync_credit_ = std::clamp(resync_credit_, -members, static_cast<double>(resync_eligible));
  std::sort(candidates.begin(), candidates.end(), before);
  for (const auto& c : candidates) {
    Watched& w = *c.watched;
    if (c.rank >= 2) {
      if (c.rank == 3 && resync_credit_ < 1.0) break;  // the last rank: nothing else follows
      // While ARM reports few remaining reads, a healthy member waits as long as its reading
      // is still vouched for.
      const bool vouched = w.last_get->vouched_at &&
                           now - *w.last_get->vouched_at < policy_.stale_after;
      if (defer_ && defer_(w.group.subscription_id) && vouched) {
        ++deferred_reads_;
        continue;
      }
    }
    auto& sub = subscriptions_[w.group.subscription_id];
    if (!force_full && sub.tokens < 1.0 + (c.rank >= 2 ? resync_reserve(sub) : 0.0)) {
      if (c.rank <= 2) ++budget_deferred_reads_;  // an early resync read is no loss
      continue;  // waits for the next tick; get_requested stays set
    }
    if (c.rank >= 2) resync_credit_ -= 1.0;
    grant_get(w, *c.key, sub, now, plan);
  }
  return plan;
}

bool GroupObserver::before(const Candidate& a, const Candidate& b) {
  if (a.rank != b.rank) return a.rank < b.rank;
  if (a.never_read != b.never_read) return b.never_read;  // signs of trouble first
  if (a.etcd != b.etcd) return a.etcd;
  if (a.last_attempt != b.last_attempt) return a.last_attempt < b.last_attempt;  // never first
  return *a.key < *b.key;
}

void GroupObserver::grant_get(Watched& w, const model::MemberKey& key, Subscription& sub,
                              core::MonotonicTime now, ReadPlan& plan) {
  sub.tokens -= 1.0;
  w.last_get_attempt = now;
  w.get_requested = false;
  plan.gets.push_back({key, w.group});
}

ReadPlan GroupObserver::due_requested(core::MonotonicTime now) {
  ReadPlan plan;
  for (auto& [id, sub] : subscriptions_) refill(sub, now);
  std::vector<Candidate> candidates;
  for (auto& [key, w] : members_) {
    if (w.get_requested) candidates.push_back({0, false, w.etcd, w.last_get_attempt, &w, &key});
  }
  std::sort(candidates.begin(), candidates.end(), before);
  for (const auto& c : candidates) {
    Watched& w = *c.watched;
    auto& sub = subscriptions_[w.group.subscription_id];
    if (sub.tokens < 1.0) continue;  // the next pass asks again (and counts the wait)
    grant_get(w, *c.key, sub, now, plan);
  }
  return plan;
}

std::optional<core::Duration> GroupObserver::requested_gets_budget_wait(core::MonotonicTime now) {
  std::optional<core::Duration> wait;
  for (auto& [key, w] : members_) {
    if (!w.get_requested) continue;
    const auto it = subscriptions_.find(w.group.subscription_id);
    if (it == subscriptions_.end()) continue;
    auto& sub = it->second;
    refill(sub, now);
    if (sub.tokens >= 1.0) continue;  // it waits for something else (the pass in flight)
    // Rounded up, so that the bucket holds the whole read when the wait is over.
    const auto seconds = std::chrono::duration<double>((1.0 - sub.tokens) / reads_per_second());
    const auto until = std::chrono::ceil<core::Duration>(seconds);
    if (!wait || until < *wait) wait = until;
  }
  return wait;
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
    read.pages = 1;
    if (listed.ok()) {
      read.groups = std::move(listed.value().groups);
      read.pages = listed.value().pages;
    } else if (!request.resource_group.empty() && listed.error().http_status == 404 &&
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
      read.observation.view = std::make_shared<const model::ContainerGroupView>(std::move(got.value()));
    } else if (arm_says_absent(got.error())) {
      read.observation.outcome = model::GroupObservation::Outcome::kNotFound;
      read.observation.error = std::make_shared<const core::Error>(got.error());
    } else if (got.error().http_status == 404) {
      read.observation.outcome = model::GroupObservation::Outcome::kError;
      auto error = got.error();
      error.message +=
          " (a 404 without ARM's ResourceNotFound envelope proves nothing: state unknown)";
      read.observation.error = std::make_shared<const core::Error>(std::move(error));
    } else {
      read.observation.outcome = model::GroupObservation::Outcome::kError;
      read.observation.error = std::make_shared<const core::Error>(got.error());
    }
    result.gets.push_back(std::move(read));
  }
  return result;
}

void GroupObserver::apply(const PassResult& result) {
  // GETs first: a LIST of the same pass is then compared with what the GET just saw, and
  // only a real difference asks for another GET.
  for (const auto& get : result.gets) {
    auto* found = find(get.member);
    if (!found) continue;  // reconfigured away while the read was in flight
    Watched& w = *found;
    // A GET sent later already answered (it went beside this pass): it is the reading.
    if (w.last_get && get.observation.sent() < w.last_get->sent()) continue;
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
  for (const auto& get : result.gets) {
    if (const auto* w = find(get.member)) {
      count_reads(w->group.subscription_id, get.observation.observed_at, 1);
    }
  }
  apply_lists(result.lists);
  for (auto& [key, w] : members_) update_proof(w);
  if (result.full) check_resync_pace();
}

void GroupObserver::check_resync_pace() {
  // What the budget leaves beside the LISTs, against the members it must resync every
  // getInterval.healthy once all are healthy (counted from the start, so the warning comes
  // with the first LIST, not minutes later). Suspects spend from the same budget, so a round
  // can take longer still; this is the pace at best.
  std::map<std::string, std::size_t> watched;
  for (const auto& [key, w] : members_) ++watched[w.group.subscription_id];
  const double poll = std::chrono::duration<double>(policy_.poll_interval).count();
  const double interval = std::chrono::duration<double>(policy_.get_interval.healthy).count();
  for (auto& [id, sub] : subscriptions_) {
    const auto members = watched[id];
    const auto list = planned_list_reads(sub);
    const double gets_per_second = reads_per_second() - static_cast<double>(list) / poll;
    const double round = gets_per_second > 0 ? static_cast<double>(members) / gets_per_second
                                             : std::numeric_limits<double>::infinity();
    // A tenth of hysteresis: the warning neither flaps nor repeats while the count wobbles.
    const bool behind = sub.resync_behind ? round > 0.9 * interval : round > interval;
    if (behind == sub.resync_behind) continue;
    sub.resync_behind = behind;
    std::string pace = "of " + std::to_string(policy_.budget.arm_reads_per_minute) +
                       " reads per minute (policy.budget.armReadsPerMinute), LISTs take " +
                       std::to_string(list) + " every poll interval (" +
                       core::format_duration(policy_.poll_interval) + ")";
    if (gets_per_second <= 0) {
      pace += ", which leaves no GETs";
    } else {
      char rate[32];
      std::snprintf(rate, sizeof rate, "%.1f", gets_per_second);
      pace += ", which leaves " + std::string(rate) + " GETs/s: a round of its " +
              std::to_string(members) + " members takes about " +
              core::format_duration(std::chrono::seconds(static_cast<long long>(round)));
    }
    const std::string prefix = "subscription " + id + ": ";
    if (behind) {
      notes_.push_back(
          {true, prefix + "the resync falls behind policy.getInterval.healthy (" +
                     core::format_duration(policy_.get_interval.healthy) + "): " + pace +
                     ". LIST vouches for a reading until it is " +
                     core::format_duration(2 * policy_.get_interval.healthy + policy_.stale_after) +
                     " old, then its member turns unknown (stale) until read again: raise "
                     "policy.budget.armReadsPerMinute if ARM has room, or "
                     "policy.getInterval.healthy"});
    } else {
      notes_.push_back({false, prefix + "the resync keeps up with policy.getInterval.healthy (" +
                                   core::format_duration(policy_.get_interval.healthy) +
                                   ") again: " + pace});
    }
  }
}

void GroupObserver::apply_lists(const std::vector<ListRead>& lists) {
  // The groups each successful LIST saw, by subscription and resource group ("" for the
  // whole subscription), then by "<resource group>/<name>", both lower case.
  using Seen = std::unordered_map<std::string, const model::ContainerGroupSummary*>;
  std::map<std::pair<std::string, std::string>, std::pair<const ListRead*, Seen>> covered;
  for (const auto& list : lists) {
    const auto sub_it = subscriptions_.find(list.request.subscription_id);
    if (sub_it == subscriptions_.end()) continue;  // reconfigured away meanwhile
    Subscription& sub = sub_it->second;
    count_reads(list.request.subscription_id, list.at, list.pages);
    const bool whole = list.request.resource_group.empty();
    // due_reads() took what this LIST took last time; the difference is settled here.
    const std::size_t planned = planned_pages(sub, list.request.resource_group);
    sub.tokens -= static_cast<double>(list.pages) - static_cast<double>(planned);
    if (!list.error) sub.list_pages[list.request.resource_group] = list.pages;
    if (whole) {
      const bool refused = list.error && list.error->http_status == 403;
      if (!sub.per_resource_group && (refused || list.pages > sub.resource_groups.size())) {
        sub.per_resource_group = true;
        notes_.push_back({false, "subscription " + list.request.subscription_id +
                                     ": LIST per resource group (" +
                                     std::to_string(sub.resource_groups.size()) +
                                     ") from now on, because the " + "subscription-wide LIST " +
                                     (refused ? "was refused: " + list.error->describe()
                                              : "took " + std::to_string(list.pages) + " pages")});
      }
    }
    if (list.error) continue;  // no new data: what we had ages into stale
    auto& [read, seen] = covered[{list.request.subscription_id,
                                  core::to_lower(list.request.resource_group)}];
    read = &list;
    for (const auto& g : list.groups) {
      const auto& rg = g.resource_group.empty() ? list.request.resource_group : g.resource_group;
      seen.emplace(core::to_lower(rg) + "/" + core::to_lower(g.name), &g);
    }
  }
  if (covered.empty()) return;
  for (auto& [key, w] : members_) {
    const auto rg = core::to_lower(w.group.resource_group);
    auto it = covered.find({w.group.subscription_id, rg});
    if (it == covered.end()) it = covered.find({w.group.subscription_id, ""});
    if (it == covered.end()) continue;
    const auto& [read, seen] = it->second;
    std::optional<model::ContainerGroupSummary> now_listed;
    if (const auto g = seen.find(rg + "/" + core::to_lower(w.group.name)); g != seen.end()) {
      now_listed = *g->second;
    }
    fold_listed(w, *read, std::move(now_listed));
  }
}

void GroupObserver::fold_listed(Watched& w, const ListRead& list,
                                std::optional<model::ContainerGroupSummary> now_listed) {
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
  const bool changed = (known != nullptr) != now_listed.has_value() ||
                       (known && now_listed &&
                        (known->ip != now_listed->ip ||
                         !iequals(known->provisioning_state, now_listed->provisioning_state)));
  if (w.last_get && changed) w.get_requested = true;
  // Unchanged since the GET, and asked after it: LIST vouches for that reading.
  if (!changed && now_listed && w.last_get &&
      w.last_get->outcome == model::GroupObservation::Outcome::kFound &&
      list.sent_at > w.last_get->observed_at) {
    w.last_get->vouched_at = list.at;
  }
  w.listed = std::move(now_listed);
  // When it was sent: a GET answered after that is the newer reading, even when the LIST's
  // last page came later (a GET asked for beside a long LIST, see due_requested).
  w.listed_at = list.sent_at;
}

void GroupObserver::count_reads(const std::string& subscription, core::MonotonicTime at,
                                std::size_t reads) {
  auto it = subscriptions_.find(subscription);
  if (it == subscriptions_.end() || reads == 0) return;
  it->second.answered.emplace_back(at, reads);
}

double GroupObserver::read_budget_used_ratio(core::MonotonicTime now) {
  double ratio = 0;
  for (auto& [id, sub] : subscriptions_) {
    while (!sub.answered.empty() && now - sub.answered.front().first >= std::chrono::minutes(1)) {
      sub.answered.pop_front();
    }
    std::size_t reads = 0;
    for (const auto& [at, n] : sub.answered) reads += n;
    ratio = std::max(ratio, static_cast<double>(reads) / policy_.budget.arm_reads_per_minute);
  }
  return ratio;
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
  const auto* w = find(member);
  if (!w || !w->last_get) return nullptr;
  return &*w->last_get;
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
  return address(member).first;
}

std::optional<std::string> GroupObserver::fqdn(const model::MemberKey& member) const {
  return address(member).second;
}

std::pair<std::optional<std::string>, std::optional<std::string>> GroupObserver::address(
    const model::MemberKey& member) const {
  const auto* w = find(member);
  if (!w) return {};
  const auto* summary = newest_summary(*w);
  if (!summary) return {};
  return {summary->ip, summary->fqdn};
}

}  // namespace frankenetes::reconcile
