#pragma once
// GroupObserver: what the daemon reads from ARM about the configured container groups, and
// when (a LIST carries no instanceView: restart counts need a GET per group).
//   - LIST, once per poll interval per (subscription, resource group): discovery and public
//     IPs. LIST carries no instanceView, so it never says anything about health.
//   - GET per member group for instanceView, at an adaptive cadence:
//       attention (the last plan found it unhealthy or unknown, or its probe fails, or it was
//       never read, or LIST saw it change or vanish): get_interval.unhealthy;
//       healthy: get_interval.healthy, but never longer than staleAfter minus one tick —
//       the planner treats older data as unknown and a healthy member must not flap;
//       healthy while ThrottleTracker reports few remaining reads for the subscription:
//       deferred until its data is stale (the member is then unknown: no action, and its
//       read is essential again).
//   - after an action: a GET at the next tick (request_get).
// Each read is timestamped when it was sent and when its answer arrived. A 404 GET whose body
// is ARM's error envelope with ResourceNotFound / ResourceGroupNotFound is kNotFound; any other
// error (a 404 from a proxy included) is kError: state unknown. A kNotFound is only proof that
// the group is gone (gone_confirmed) once a LIST sent after the first 404 did not contain it
// and a second such 404 came at least one poll interval after the first; a GET or LIST that
// shows the group starts the proof over. A failed LIST changes nothing: the data ages into
// "stale" and the planner stops acting.
//
// Split in three so cadence is testable without threads or HTTP: due_reads() decides (on the
// scheduler thread), perform() does the blocking I/O (on a worker), apply() folds the answers
// in (on the scheduler thread). Not thread-safe by itself: the reconciler owns it.

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "config/types.h"
#include "core/error.h"
#include "core/time_source.h"
#include "model/observation.h"
#include "reconcile/container_group_api.h"

namespace frankenetes::reconcile {

// True while non-essential reads for the subscription should wait (ThrottleTracker).
using DeferReads = std::function<bool(const std::string& subscription_id)>;

struct ListRequest {
  std::string subscription_id;
  std::string resource_group;
  auto operator<=>(const ListRequest&) const = default;
};

struct GetRequest {
  model::MemberKey member;
  ContainerGroupRef group;
};

struct ReadPlan {
  std::vector<ListRequest> lists;
  std::vector<GetRequest> gets;
  bool full = false;  // every LIST of the configuration is in it
  bool empty() const { return lists.empty() && gets.empty(); }
};

struct ListRead {
  ListRequest request;
  std::vector<model::ContainerGroupSummary> groups;
  std::optional<core::Error> error;
  core::MonotonicTime sent_at{};
  core::MonotonicTime at{};
};

struct GetRead {
  model::MemberKey member;
  model::GroupObservation observation;
};

struct PassResult {
  bool full = false;
  std::vector<ListRead> lists;
  std::vector<GetRead> gets;
  // Every read answered (404 included); with `full`, this is a successful full observation.
  bool ok() const;
  // The first error, for logs and the readiness message.
  std::optional<core::Error> first_error() const;
};

class GroupObserver {
 public:
  explicit GroupObserver(DeferReads defer = {}) : defer_(std::move(defer)) {}

  // The members to watch (start and reload); members no longer configured are forgotten,
  // the others keep what was read about them.
  void configure(const config::Config& config);

  // The period of the observation tick: the finest cadence the policy asks for.
  static core::Duration tick_period(const config::PolicyConfig& policy);

  void set_attention(const model::MemberKey& member, bool attention);
  void request_get(const model::MemberKey& member);
  // The member's action finished: read it at the next tick, and forget any evidence of
  // absence gathered before (a recreate's group must be proven gone afresh).
  void action_finished(const model::MemberKey& member);

  // The reads due at `now`, marked as attempted. `force_full`: every LIST and every GET.
  ReadPlan due_reads(core::MonotonicTime now, bool force_full = false);

  // Blocking; runs on a worker. `stop` is polled between reads.
  static PassResult perform(const ReadPlan& plan, ContainerGroupApi& api,
                            const core::TimeSource& time, const std::function<bool()>& stop = {});

  void apply(const PassResult& result);

  // The latest GET of the member, if any.
  const model::GroupObservation* group(const model::MemberKey& member) const;
  // The member's newest known public IP / FQDN (from GET or LIST, whichever is newer).
  std::optional<std::string> ip(const model::MemberKey& member) const;
  std::optional<std::string> fqdn(const model::MemberKey& member) const;

  std::size_t deferred_reads() const { return deferred_reads_; }

 private:
  // The evidence gathered since the group's first 404 with ARM's envelope; reset by any read
  // that shows the group.
  struct Absence {
    std::optional<core::MonotonicTime> first_404_sent;
    std::optional<core::MonotonicTime> last_404_sent;
    bool list_absent = false;  // a LIST sent after the first 404 did not contain the group
  };
  struct Watched {
    ContainerGroupRef group;
    Absence absence;
    std::optional<model::GroupObservation> last_get;
    std::optional<core::MonotonicTime> last_get_attempt;
    std::optional<model::ContainerGroupSummary> listed;
    core::MonotonicTime listed_at{};
    bool attention = true;
    bool get_requested = false;
  };
  const model::ContainerGroupSummary* newest_summary(const Watched& w) const;
  void update_proof(Watched& w) const;

  DeferReads defer_;
  config::PolicyConfig policy_;
  std::map<model::MemberKey, Watched> members_;
  std::set<ListRequest> list_targets_;
  std::optional<core::MonotonicTime> last_list_attempt_;
  std::size_t deferred_reads_ = 0;
};

}  // namespace frankenetes::reconcile
