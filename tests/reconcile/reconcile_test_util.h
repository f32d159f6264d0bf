#pragma once
// Config builders for reconcile tests: one cluster "prod" in subscription "sub", resource
// group "rg", members whose container group has the member's name.

#include <chrono>
#include <string>
#include <vector>

#include "config/types.h"

namespace frankenetes::reconcile::test_util {

using namespace std::chrono_literals;

inline config::MemberConfig member(std::string name, std::vector<std::string> depends_on = {}) {
  config::MemberConfig m;
  m.name = name;
  m.container_group = name;
  m.depends_on = std::move(depends_on);
  return m;
}

// `m` with an HTTP probe of `url` ("http://{ip}:6443/livez"), failing after `threshold` misses.
inline config::MemberConfig probed(config::MemberConfig m, std::string url,
                                   std::chrono::milliseconds period = 5s,
                                   std::chrono::milliseconds timeout = 2s, int threshold = 3) {
  config::ProbeConfig probe;
  probe.url = std::move(url);
  probe.period = period;
  probe.timeout = timeout;
  probe.failure_threshold = threshold;
  m.probe = probe;
  return m;
}

inline config::Config config_with(std::vector<config::MemberConfig> members, bool dry_run = false) {
  config::Config c;
  c.azure.subscription_id = "sub";
  config::ClusterConfig cluster;
  cluster.name = "prod";
  cluster.resource_group = "rg";
  cluster.members = std::move(members);
  c.clusters.push_back(std::move(cluster));
  c.policy.poll_interval = 10s;
  c.policy.get_interval.healthy = 30s;
  c.policy.get_interval.unhealthy = 5s;
  c.policy.stale_after = 20s;
  c.policy.dry_run = dry_run;
  return c;
}

}  // namespace frankenetes::reconcile::test_util
