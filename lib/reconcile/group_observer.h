#pragma once
// GroupObserver: what the daemon reads from ARM about the configured container groups, and
// when. ARM's read budget (a token bucket per subscription and principal, refilled at 25/s and
// shared with every other tool) is the scarce resource; the plan spends it like this:
//   - LIST, once per poll interval per subscription, paged: presence, public IPs and
//     provisioningState of every group (no instanceView: LIST never says anything about
//     health). Resource groups are filtered here. A subscription falls back to one LIST per
//     configured resource group when the subscription-wide LIST is refused (403: the principal
//     reads only its resource groups), when it holds a single configured resource group, or
//     when the subscription-wide LIST took more pages than there are resource groups (a
//     subscription full of other groups).
//   - GET per member group for instanceView, driven by suspicion: never read; its probe
//     fails or the last plan found it unhealthy or unknown (attention: every
//     get_interval.unhealthy); LIST saw it appear, vanish or change IP or provisioningState,
//     or an action on it finished (request_get: at the next pass, which the reconciler starts
//     at once, or beside the pass in flight: due_requested).
//   - a rolling resync of the other (healthy) members, spread evenly over
//     get_interval.healthy, stalest first. In between, every LIST that shows a member as its
//     GET did vouches for that GET (GroupObservation::vouched_at, plan/health.h).
//   - all inside policy.budget.armReadsPerMinute per subscription (a token bucket holding one
//     poll interval's worth, of which the resync leaves a tenth to suspects, kSuspectReserve):
//     LISTs always run; GETs over the budget wait for the next tick,
//     ordered requested first, then suspects (those with a sign of trouble before those never
//     read: at a thousand clusters the first readings take minutes, and a failing probe must
//     not wait behind them), then the resync; etcd first within each; then stalest first. Resync
//     GETs also wait while ThrottleTracker reports few remaining reads (DeferReads), until the data
//     would no longer be vouched for.
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

#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
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
  std::string resource_group;  // "": every group in the subscription
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
  std::size_t pages = 0;  // ARM reads the LIST took
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
  // The share of the read budget's bucket the rolling resync never spends (less when the
  // bucket is too small to hold it beside the LIST): kept for requested and suspect GETs.
  static constexpr double kSuspectReserve = 0.1;

  explicit GroupObserver(DeferReads defer = {}) : defer_(std::move(defer)) {}
  // Not copied: its index points into its own map.
  GroupObserver(const GroupObserver&) = delete;
  GroupObserver& operator=(const GroupObserver&) = delete;

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

  // Only the GETs asked for (request_get, a LIST change, an action finished), within the
  // budget, marked as attempted: the reconciler sends them beside a pass still in flight.
  ReadPlan due_requested(core::MonotonicTime now);
  // How long until the budget's bucket holds a read for a GET asked for that found it empty
  // (the shortest such wait over the subscriptions); nullopt when no requested GET waits for
  // the budget. The reconciler starts a pass then rather than at the next tick.
  std::optional<core::Duration> requested_gets_budget_wait(core::MonotonicTime now);

  // Blocking; runs on a worker. `stop` is polled between reads. Passes may overlap (see
  // due_requested): apply() keeps the newest reading of each group, whatever the order the
  // answers come in.
  static PassResult perform(const ReadPlan& plan, ContainerGroupApi& api,
                            const core::TimeSource& time, const std::function<bool()>& stop = {});

  void apply(const PassResult& result);

  // The latest GET of the member, if any.
  const model::GroupObservation* group(const model::MemberKey& member) const;
  // The member's newest known public IP / FQDN (from GET or LIST, whichever is newer).
  std::optional<std::string> ip(const model::MemberKey& member) const;
  std::optional<std::string> fqdn(const model::MemberKey& member) const;
  // Both, with one look-up (every probe asks).
  std::pair<std::optional<std::string>, std::optional<std::string>> address(
      const model::MemberKey& member) const;

  // GETs that waited because ThrottleTracker reported few remaining reads, or for the budget.
  std::size_t deferred_reads() const { return deferred_reads_; }
  std::size_t budget_deferred_reads() const { return budget_deferred_reads_; }
  // Whether a GET waits for the next pass only because none has started (request_get, a LIST
  // change, an action finished): the reconciler starts one at once.
  bool gets_requested() const;
  // ARM reads (LIST pages and GETs) answered in the minute before `now`, over the budget's
  // reads per minute; the largest over the subscriptions.
  double read_budget_used_ratio(core::MonotonicTime now);
  // What changed in the plan for people to know (a subscription's LIST scope, a resync that
  // falls behind or catches up again); taken once.
  struct Note {
    bool warning = false;  // the plan no longer keeps a promise of the policy
    std::string detail;
  };
  std::vector<Note> take_notes() { return std::exchange(notes_, {}); }

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
    bool etcd = false;
    Absence absence;
    std::optional<model::GroupObservation> last_get;
    std::optional<core::MonotonicTime> last_get_attempt;
    std::optional<model::ContainerGroupSummary> listed;
    core::MonotonicTime listed_at{};
    bool attention = true;
    bool get_requested = false;
  };
  // One subscription's LIST scope and read budget.
  struct Subscription {
    std::set<std::string> resource_groups;  // lower case
    bool per_resource_group = false;        // LIST each resource group, not the subscription
    // Pages the last successful LIST of each scope took ("" the subscription, else a resource
    // group): what the next one is planned to cost.
    std::map<std::string, std::size_t> list_pages;
    double tokens = 0;                      // the budget's bucket
    std::optional<core::MonotonicTime> refilled_at;
    std::deque<std::pair<core::MonotonicTime, std::size_t>> answered;  // reads, last minute
    bool resync_behind = false;  // warned that a resync round outlasts getInterval.healthy
  };
  struct Candidate {
    int rank;  // 0 requested, 1 suspect, 2 resync overdue, 3 resync early
    bool never_read;  // a suspect for want of a reading, not for a sign of trouble
    bool etcd;
    std::optional<core::MonotonicTime> last_attempt;
    Watched* watched;
    const model::MemberKey* key;
  };

  // The order GETs are granted in; see the comment at the top.
  static bool before(const Candidate& a, const Candidate& b);
  // The member's GET goes into `plan`, marked as attempted `now`; its subscription pays.
  static void grant_get(Watched& w, const model::MemberKey& key, Subscription& sub,
                        core::MonotonicTime now, ReadPlan& plan);
  const model::ContainerGroupSummary* newest_summary(const Watched& w) const;
  void update_proof(Watched& w) const;
  double bucket_capacity() const;
  double resync_reserve(const Subscription& sub) const;
  static std::size_t planned_pages(const Subscription& sub, const std::string& resource_group);
  static std::size_t planned_list_reads(const Subscription& sub);
  void refill(Subscription& sub, core::MonotonicTime now) const;
  void apply_lists(const std::vector<ListRead>& lists);
  void check_resync_pace();
  void fold_listed(Watched& w, const ListRead& list,
                   std::optional<model::ContainerGroupSummary> now_listed);
  void count_reads(const std::string& subscription, core::MonotonicTime at, std::size_t reads);
  double reads_per_second() const;

  DeferReads defer_;
  config::PolicyConfig policy_;
  std::map<model::MemberKey, Watched> members_;
  // members_ by key, hashed (std::map nodes stay put): each probe looks its member's address
  // up, a thousand times a second at a thousand clusters. Rebuilt by configure().
  std::unordered_map<model::MemberKey, Watched*, model::MemberKeyHash> index_;
  Watched* find(const model::MemberKey& member);
  const Watched* find(const model::MemberKey& member) const;
  std::map<std::string, Subscription> subscriptions_;
  std::optional<core::MonotonicTime> last_list_attempt_;
  std::optional<core::MonotonicTime> last_plan_;
  double resync_credit_ = 0;
  std::size_t deferred_reads_ = 0;
  std::size_t budget_deferred_reads_ = 0;
  std::vector<Note> notes_;
};

}  // namespace frankenetes::reconcile
