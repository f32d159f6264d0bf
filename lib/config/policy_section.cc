// policy: how often to look, what counts as crash-looping, and how hard to push back.

#include "config/sections.h"
#include "core/duration.h"

namespace frankenetes::config {
namespace {

std::string in_words(Duration d) { return core::format_duration(d); }

GetIntervalConfig parse_get_interval(const Node& node) {
  MapReader map(node);
  GetIntervalConfig get_interval;
  map.read_duration("healthy", get_interval.healthy, kMinInterval);
  map.read_duration("unhealthy", get_interval.unhealthy, kMinInterval);
  map.finish();
  return get_interval;
}

CrashLoopConfig parse_crash_loop(const Node& node) {
  MapReader map(node);
  CrashLoopConfig crash_loop;
  map.read_int("restarts", crash_loop.restarts, 1, kMaxCrashLoopRestarts);
  map.read_duration("window", crash_loop.window, kMinInterval);
  map.finish();
  return crash_loop;
}

BackoffConfig parse_backoff(const Node& node) {
  MapReader map(node);
  BackoffConfig backoff;
  const auto problems_before = map.context().problem_count();
  map.read_duration("initial", backoff.initial, kMinInterval);
  map.read_duration("max", backoff.max, kMinInterval);
  if (map.context().problem_count() == problems_before && backoff.initial > backoff.max) {
    map.context().report_at(map.child_path(map.has("initial") ? "initial" : "max"),
                            "initial (" + in_words(backoff.initial) +
                                ") must not be longer than max (" + in_words(backoff.max) + ")");
  }
  map.read_duration("resetAfter", backoff.reset_after, kMinInterval);
  map.finish();
  return backoff;
}

BudgetConfig parse_budget(const Node& node) {
  MapReader map(node);
  BudgetConfig budget;
  map.read_int("maxActionsPerHour", budget.max_actions_per_hour, 1, kMaxActionsPerHourLimit);
  map.read_int("armReadsPerMinute", budget.arm_reads_per_minute, 1, kMaxArmReadsPerMinute);
  map.finish();
  return budget;
}

}  // namespace

PolicyConfig parse_policy(const Node& node) {
  MapReader map(node);
  PolicyConfig policy;
  const auto problems_before = map.context().problem_count();
  map.read_duration("pollInterval", policy.poll_interval, kMinInterval);
  // The default follows pollInterval; an explicit value must not undercut it, or every
  // observation would be stale before the next one arrives.
  policy.stale_after = kDefaultStaleAfterPollIntervals * policy.poll_interval;
  map.read_duration("staleAfter", policy.stale_after, kMinInterval);
  if (map.context().problem_count() == problems_before &&
      policy.stale_after < policy.poll_interval) {
    map.context().report_at(map.child_path("staleAfter"),
                            "must be at least pollInterval (" + in_words(policy.poll_interval) +
                                "), got " + in_words(policy.stale_after));
  }
  if (const auto get_interval = map.get("getInterval")) {
    policy.get_interval = parse_get_interval(*get_interval);
  }
  if (const auto crash_loop = map.get("crashLoop"))
    policy.crash_loop = parse_crash_loop(*crash_loop);
  if (const auto backoff = map.get("backoff")) policy.backoff = parse_backoff(*backoff);
  if (const auto budget = map.get("budget")) policy.budget = parse_budget(*budget);
  map.read_duration("actionTimeout", policy.action_timeout, kMinInterval);
  map.read_bool("dryRun", policy.dry_run);
  map.finish();
  return policy;
}

}  // namespace frankenetes::config
