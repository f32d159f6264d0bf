#include "config/cross_checks.h"

#include <algorithm>
#include <map>
#include <set>

#include "config/value_syntax.h"
#include "core/duration.h"
#include "core/strings.h"

namespace frankenetes::config {
namespace {

std::string in_quotes(std::string_view text) { return "\"" + std::string(text) + "\""; }

std::string cluster_path(std::size_t c) { return "clusters[" + std::to_string(c) + "]"; }
std::string member_path(std::size_t c, std::size_t m) {
  return cluster_path(c) + ".members[" + std::to_string(m) + "]";
}

// Reports names seen before, pointing at the line of the first use. Empty names were
// reported as missing already.
class DuplicateFinder {
 public:
  DuplicateFinder(ParseContext& ctx, std::string what) : ctx_(ctx), what_(std::move(what)) {}

  void add(const std::string& name, const std::string& path) {
    if (name.empty()) return;
    const auto [it, inserted] = first_path_.emplace(name, path);
    if (!inserted) {
      ctx_.report_at(path, "duplicate " + what_ + " " + in_quotes(name) + " (first used at line " +
                               std::to_string(ctx_.line_of(it->second)) + ")");
    }
  }

 private:
  ParseContext& ctx_;
  std::string what_;
  std::map<std::string, std::string> first_path_;
};

// dependsOn entries must name other members of the same cluster, once each, and the
// dependency graph must be acyclic: the planner walks it to find root causes.
class DependencyChecker {
 public:
  DependencyChecker(const ClusterConfig& cluster, std::size_t cluster_index, ParseContext& ctx)
      : cluster_(cluster), cluster_index_(cluster_index), ctx_(ctx) {
    for (std::size_t m = 0; m < cluster.members.size(); ++m) {
      index_.emplace(cluster.members[m].name, m);  // the first of duplicate names wins
      names_.push_back(cluster.members[m].name);
    }
  }

  void check() {
    edges_.assign(cluster_.members.size(), {});
    for (std::size_t m = 0; m < cluster_.members.size(); ++m) check_references(m);
    state_.assign(cluster_.members.size(), State::kUnvisited);
    for (std::size_t m = 0; m < cluster_.members.size(); ++m) {
      if (state_[m] == State::kUnvisited) visit(m);
    }
  }

 private:
  enum class State { kUnvisited, kOnPath, kDone };
  struct Edge {
    std::size_t to;
    std::size_t entry;  // index in dependsOn, for the position of a cycle report
  };

  std::string entry_path(std::size_t m, std::size_t k) const {
    return member_path(cluster_index_, m) + ".dependsOn[" + std::to_string(k) + "]";
  }

  void check_references(std::size_t m) {
    const auto& member = cluster_.members[m];
    std::set<std::string> seen;
    for (std::size_t k = 0; k < member.depends_on.size(); ++k) {
      const auto& name = member.depends_on[k];
      const auto path = entry_path(m, k);
      const auto target = index_.find(name);
      if (target == index_.end()) {
        const auto suggestion = core::closest_match(name, names_);
        ctx_.report_at(path,
                       "unknown member " + in_quotes(name) +
                           (suggestion.empty() ? " in cluster " + in_quotes(cluster_.name)
                                               : " (did you mean " + in_quotes(suggestion) + "?)"));
      } else if (name == member.name) {
        ctx_.report_at(path, "a member cannot depend on itself");
      } else if (!seen.insert(name).second) {
        ctx_.report_at(path, in_quotes(name) + " is listed twice");
      } else {
        edges_[m].push_back(Edge{target->second, k});
      }
    }
  }

  // Depth-first search; an edge back to a member on the current path closes a cycle, reported
  // at the dependsOn entry that closes it as "a -> b -> a".
  void visit(std::size_t m) {
    state_[m] = State::kOnPath;
    path_.push_back(m);
    for (const auto& edge : edges_[m]) {
      if (state_[edge.to] == State::kOnPath) {
        report_cycle(m, edge);
      } else if (state_[edge.to] == State::kUnvisited) {
        visit(edge.to);
      }
    }
    path_.pop_back();
    state_[m] = State::kDone;
  }

  void report_cycle(std::size_t from, const Edge& edge) {
    const auto start = std::find(path_.begin(), path_.end(), edge.to);
    std::string cycle;
    for (auto it = start; it != path_.end(); ++it) cycle += cluster_.members[*it].name + " -> ";
    cycle += cluster_.members[edge.to].name;
    ctx_.report_at(entry_path(from, edge.entry), "dependency cycle: " + cycle);
  }

  const ClusterConfig& cluster_;
  std::size_t cluster_index_;
  ParseContext& ctx_;
  std::map<std::string, std::size_t> index_;
  std::vector<std::string> names_;
  std::vector<std::vector<Edge>> edges_;
  std::vector<State> state_;
  std::vector<std::size_t> path_;
};

void check_names(const Config& config, ParseContext& ctx) {
  DuplicateFinder clusters(ctx, "cluster name");
  // Two members watching one container group would fight over it.
  std::map<std::string, std::string> group_users;
  for (std::size_t c = 0; c < config.clusters.size(); ++c) {
    const auto& cluster = config.clusters[c];
    clusters.add(cluster.name, cluster_path(c) + ".name");
    DuplicateFinder members(ctx, "member name");
    for (std::size_t m = 0; m < cluster.members.size(); ++m) {
      const auto& member = cluster.members[m];
      members.add(member.name, member_path(c, m) + ".name");
      if (member.container_group.empty()) continue;
      const auto key =
          cluster.subscription_id + "/" + cluster.resource_group + "/" + member.container_group;
      const auto user = cluster.name + "/" + member.name;
      const auto [it, inserted] = group_users.emplace(key, user);
      if (!inserted) {
        ctx.report_at(member_path(c, m) + ".containerGroup",
                      "container group " + in_quotes(member.container_group) +
                          " is already watched by member " + in_quotes(it->second));
      }
    }
  }
}

std::string list_providers(const DnsConfig& dns) {
  std::string names;
  for (const auto& [name, provider] : dns.providers) names += (names.empty() ? "" : ", ") + name;
  return names.empty() ? "none" : names;
}

void check_dns_references(const Config& config, ParseContext& ctx) {
  std::map<std::string, std::string> record_users;  // provider/name -> cluster/member
  for (std::size_t c = 0; c < config.clusters.size(); ++c) {
    const auto& cluster = config.clusters[c];
    for (std::size_t m = 0; m < cluster.members.size(); ++m) {
      const auto& member = cluster.members[m];
      if (!member.dns) continue;
      const auto path = member_path(c, m) + ".dns";
      if (!config.dns) {
        ctx.report_at(path, "a DNS record needs the top-level \"dns\" section, which is missing");
        continue;
      }
      const auto provider = config.dns->providers.find(member.dns->provider);
      if (provider == config.dns->providers.end()) {
        if (!member.dns->provider.empty()) {
          ctx.report_at(path + ".provider",
                        "unknown DNS provider " + in_quotes(member.dns->provider) +
                            " (defined providers: " + list_providers(*config.dns) + ")");
        }
        continue;
      }
      const auto zone = provider->second.zone();
      if (zone && !member.dns->name.empty() && !is_in_zone(member.dns->name, *zone)) {
        ctx.report_at(path + ".name", "name " + in_quotes(member.dns->name) +
                                          " is not inside zone " + in_quotes(*zone) +
                                          " of provider " + in_quotes(provider->first));
        continue;
      }
      const auto [it, inserted] = record_users.emplace(provider->first + "/" + member.dns->name,
                                                       cluster.name + "/" + member.name);
      if (!inserted) {
        ctx.report_at(path + ".name", "DNS name " + in_quotes(member.dns->name) +
                                          " is already managed by member " + in_quotes(it->second));
      }
    }
  }
}

// A resync shorter than a pass would only mean "read every member every pass"; the key exists
// to read less often than that.
void check_dns_resync(const Config& config, ParseContext& ctx) {
  if (!config.dns || config.dns->resync_interval >= config.policy.poll_interval) return;
  ctx.report_at("dns.resyncInterval", "must be at least policy.pollInterval (" +
                                          core::format_duration(config.policy.poll_interval) +
                                          "), got " +
                                          core::format_duration(config.dns->resync_interval));
}

// Snapshots are enabled without storage only when the file says so: the default follows the
// storage section.
void check_snapshot_storage(const Config& config, ParseContext& ctx) {
  if (!config.etcd.snapshots.enabled || config.storage) return;
  ctx.report_at("etcd.snapshots.enabled",
                "etcd snapshots need the top-level \"storage\" section, which is missing: add "
                "\"storage\", or set \"etcd.snapshots.enabled: false\"");
}

// An automatic restore reads snapshots and writes the etcd share with the storage account's
// key: the Azure Files REST API takes Shared Key only.
void check_auto_restore(const Config& config, ParseContext& ctx) {
  if (!config.etcd.auto_restore) return;
  std::string missing;
  if (!config.storage) {
    missing = "the top-level \"storage\" section, which is missing";
  } else if (!config.etcd.snapshots.enabled) {
    missing = "etcd snapshots, which are disabled (etcd.snapshots.enabled: false)";
  } else if (!config.storage->key) {
    missing = "storage.keyFile (or storage.key): the Azure Files REST API that writes etcd's "
              "share takes Shared Key, not storage.auth: azure";
  } else if (config.storage->file_endpoint.empty()) {
    missing = "storage.fileEndpoint, which has no default with a custom storage.endpoint";
  }
  if (missing.empty()) return;
  ctx.report_at("etcd.autoRestore", "automatic restore needs " + missing +
                                        "; or set \"etcd.autoRestore: false\" and restore by hand");
}

// Leases live in the storage section's container, as snapshots do.
void check_coordination_storage(const Config& config, ParseContext& ctx) {
  if (!config.coordination || config.storage) return;
  ctx.report_at("coordination",
                "coordination keeps its leases in Blob Storage and needs the top-level "
                "\"storage\" section, which is missing: add \"storage\", or remove "
                "\"coordination\" to run a single replica");
}

// A bearer token sent in plain HTTP over a network can be read by anyone on the path: the
// admin API is served on a non-loopback address only over TLS.
void check_admin_listener(const Config& config, ParseContext& ctx) {
  const auto& server = config.server;
  if (!server.admin_token || server.tls || is_loopback_host(server.listen.host)) return;
  ctx.report_at(server.admin_token->file ? "server.adminTokenFile" : "server.adminToken",
                "the admin API on " + server.listen.to_string() +
                    ", which is not a loopback address, needs server.tls (certFile, keyFile): "
                    "its bearer token must not cross the network in plain HTTP; set server.tls, "
                    "or listen on 127.0.0.1");
}

}  // namespace

void check_cross_references(const Config& config, ParseContext& ctx) {
  check_names(config, ctx);
  for (std::size_t c = 0; c < config.clusters.size(); ++c) {
    DependencyChecker(config.clusters[c], c, ctx).check();
  }
  check_dns_references(config, ctx);
  check_dns_resync(config, ctx);
  check_snapshot_storage(config, ctx);
  check_auto_restore(config, ctx);
  check_coordination_storage(config, ctx);
  check_admin_listener(config, ctx);
}

}  // namespace frankenetes::config
