#include "plan/dns_read_plan.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <set>
#include <tuple>

namespace frankenetes::plan {
namespace {

template <typename Rep, typename Period>
double seconds(std::chrono::duration<Rep, Period> d) {
  return std::chrono::duration<double>(d).count();
}

}  // namespace

DnsReadSignature dns_read_signature(std::string_view text) {
  // FNV-1a: stable across builds and libraries (std::hash is not promised to be), so a
  // digest means the same in a test as in the daemon.
  std::uint64_t hash = 14695981039346656037ull;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  return hash;
}

std::string_view to_string(DnsReadReason reason) {
  switch (reason) {
    case DnsReadReason::kInputsChanged:
      return "inputs_changed";
    case DnsReadReason::kRetry:
      return "retry";
    case DnsReadReason::kNeverRead:
      return "never_read";
    case DnsReadReason::kResync:
      return "resync";
  }
  return "unknown";
}

std::span<const DnsReadReason> all_dns_read_reasons() {
  static constexpr std::array kAll{DnsReadReason::kInputsChanged, DnsReadReason::kRetry,
                                   DnsReadReason::kNeverRead, DnsReadReason::kResync};
  return kAll;
}

DnsReadDecision DnsReadPlanner::plan(const std::vector<DnsReadCandidate>& candidates,
                                     core::MonotonicTime now, const DnsReadSettings& settings,
                                     bool force) {
  const double rate = std::max(1, settings.max_reads_per_second);
  const double capacity = std::max(1.0, rate * seconds(settings.burst_window));
  const double period = std::max(seconds(settings.resync_interval), 0.001);
  const double elapsed = last_plan_ ? std::max(0.0, seconds(now - *last_plan_)) : 0.0;
  tokens_ = last_plan_ ? std::min(capacity, tokens_ + rate * elapsed) : capacity;
  last_plan_ = now;
  const double members = static_cast<double>(
      std::count_if(candidates.begin(), candidates.end(),
                    [](const DnsReadCandidate& c) { return !c.resynced_by_zone_list; }));
  // Every member is owed one resync read per period; what a pass cannot spend (the cap, or
  // members busy with other reasons) is not saved beyond one burst window, so a backlog never
  // turns into a burst of resyncs afterwards.
  resync_credit_ = std::min(resync_credit_ + members * elapsed / period,
                            members * seconds(settings.burst_window) / period + 1.0);

  struct Entry {
    const DnsReadCandidate* candidate;
    MemberState* state;
    DnsReadReason reason;
    std::size_t index;
  };
  DnsReadDecision out;
  std::vector<Entry> urgent;
  std::vector<Entry> resync;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const auto& candidate = candidates[i];
    auto& state = members_[candidate.member];
    // A member still waiting for its first read whose inputs change meanwhile (a new IP
    // while the cap works through the reads after a start) is as urgent as any change.
    if (!state.read_at && state.seen && *state.seen != candidate.signature) {
      state.changed_unread = true;
    }
    state.seen = candidate.signature;
    DnsReadReason reason = DnsReadReason::kResync;
    if (state.retry) {
      reason = DnsReadReason::kRetry;
    } else if (!state.read_at && !state.settled && !state.changed_unread) {
      reason = DnsReadReason::kNeverRead;
    } else if (state.settled != candidate.signature) {
      reason = DnsReadReason::kInputsChanged;
    }
    if (reason != DnsReadReason::kResync && !state.wanted_since) state.wanted_since = now;
    if (!candidate.readable) {
      if (reason != DnsReadReason::kResync) {
        out.unreadable.push_back({candidate.member, reason, state.wanted_since});
      }
      continue;
    }
    if (reason == DnsReadReason::kResync && candidate.resynced_by_zone_list && state.read_at &&
        now - *state.read_at < settings.resync_interval) {
      continue;  // read again by the listing that comes once one of its provider's is overdue
    }
    (reason == DnsReadReason::kResync ? resync : urgent).push_back({&candidate, &state, reason, i});
  }

  auto take = [&](const Entry& e, std::optional<core::MonotonicTime> since) {
    out.reads.push_back({e.candidate->member, e.reason, since});
    tokens_ -= 1;
  };
  std::sort(urgent.begin(), urgent.end(), [](const Entry& l, const Entry& r) {
    return std::tie(l.reason, l.state->wanted_since, l.index) <
           std::tie(r.reason, r.state->wanted_since, r.index);
  });
  for (const auto& e : urgent) {
    if (force || tokens_ >= 1) {
      take(e, e.state->wanted_since);
    } else {
      out.deferred.push_back({e.candidate->member, e.reason, e.state->wanted_since});
    }
  }

  // Read longest ago first; a member past its resync interval goes before its turn.
  std::sort(resync.begin(), resync.end(), [](const Entry& l, const Entry& r) {
    return std::tie(l.state->read_at, l.index) < std::tie(r.state->read_at, r.index);
  });
  const auto overdue =
      static_cast<std::size_t>(std::count_if(resync.begin(), resync.end(), [&](const Entry& e) {
        return !e.state->read_at || now - *e.state->read_at >= settings.resync_interval;
      }));
  // Credit rounded down, with room for the float error of its sum: a member is never read
  // early because of it; the overdue rule reads the last ones of a round exactly on time.
  const auto earned = static_cast<std::size_t>(std::max(0.0, std::floor(resync_credit_ - 1e-6)));
  const std::size_t due =
      force ? resync.size() : std::min(resync.size(), std::max(overdue, earned));
  std::size_t resynced = 0;
  for (std::size_t i = 0; i < resync.size(); ++i) {
    const auto& e = resync[i];
    if (i < due && (force || tokens_ >= 1)) {
      take(e, e.state->read_at);
      ++resynced;
    } else if (i < overdue) {
      out.deferred.push_back({e.candidate->member, e.reason, e.state->read_at});
    } else {
      break;
    }
  }
  // Credit is owed to the members still waiting for their resync, no more.
  resync_credit_ = std::clamp(resync_credit_ - static_cast<double>(resynced), 0.0,
                              static_cast<double>(resync.size() - resynced));
  tokens_ = std::max(0.0, tokens_);
  return out;
}

void DnsReadPlanner::read(const model::MemberKey& member, core::MonotonicTime now) {
  auto& state = members_[member];
  state.read_at = now;
  state.wanted_since.reset();
  state.changed_unread = false;
}

void DnsReadPlanner::settled(const model::MemberKey& member, DnsReadSignature signature) {
  auto& state = members_[member];
  state.settled = signature;
  state.retry = false;
}

void DnsReadPlanner::unsettled(const model::MemberKey& member) { members_[member].retry = true; }

void DnsReadPlanner::not_needed(const model::MemberKey& member) {
  const auto it = members_.find(member);
  if (it == members_.end()) return;
  it->second.settled.reset();
  it->second.retry = false;
  it->second.wanted_since.reset();
}

void DnsReadPlanner::forget_except(const std::set<model::MemberKey>& configured) {
  std::erase_if(members_, [&](const auto& entry) { return !configured.contains(entry.first); });
}

std::optional<core::MonotonicTime> DnsReadPlanner::read_at(const model::MemberKey& member) const {
  const auto it = members_.find(member);
  return it == members_.end() ? std::nullopt : it->second.read_at;
}

}  // namespace frankenetes::plan
