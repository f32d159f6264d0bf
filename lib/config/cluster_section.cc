// clusters: the control planes to watch, their members, and per member the probe, DNS record
// and recreate spec. Relations between members (unique names, dependsOn) are checked in
// cross_checks.cc, once every member has been read.

#include "config/sections.h"
#include "config/value_syntax.h"
#include "core/duration.h"

namespace frankenetes::config {
namespace {

// Probe URLs are templates: {ip} and {fqdn} are filled in per run. Checking the URL with
// stand-ins for them catches typos in the rest of it at load time.
void read_probe_url(MapReader& map, std::string& out) {
  const auto node = map.get("url", Presence::kRequired);
  if (!node) return;
  const auto text = node->as_string();
  if (!text) return;
  std::string concrete = *text;
  for (const auto& [placeholder, stand_in] :
       {std::pair{"{ip}", "192.0.2.1"}, std::pair{"{fqdn}", "member.example"}}) {
    for (auto at = concrete.find(placeholder); at != std::string::npos;
         at = concrete.find(placeholder)) {
      concrete.replace(at, std::string_view(placeholder).size(), stand_in);
    }
  }
  if (const auto open = concrete.find('{'); open != std::string::npos) {
    const auto close = concrete.find('}', open);
    const auto unknown = concrete.substr(open, close == std::string::npos ? 1 : close - open + 1);
    node->report("unknown placeholder \"" + unknown + "\" in URL (allowed: {ip}, {fqdn})");
    return;
  }
  if (!parse_url(concrete)) {
    node->report("invalid URL \"" + *text +
                 "\": expected http(s)://host[:port]/path, where host "
                 "may be {ip} or {fqdn}");
    return;
  }
  out = *text;
}

ProbeConfig parse_probe(const Node& node) {
  MapReader map(node);
  ProbeConfig probe;
  read_probe_url(map, probe.url);
  const auto problems_before = map.context().problem_count();
  map.read_duration("period", probe.period, kMinInterval);
  map.read_duration("timeout", probe.timeout, kMinTimeout);
  if (map.context().problem_count() == problems_before && probe.timeout >= probe.period) {
    // Point at the key the operator wrote: a short period alone can clash with the default timeout.
    map.context().report_at(map.child_path(map.has("timeout") ? "timeout" : "period"),
                            "timeout (" + core::format_duration(probe.timeout) +
                                ") must be shorter than period (" +
                                core::format_duration(probe.period) + ")");
  }
  map.read_int("failureThreshold", probe.failure_threshold, 1, kMaxProbeFailureThreshold);
  map.read_path("caFile", probe.ca_file);
  map.read_bool("insecureSkipVerify", probe.insecure_skip_verify);
  map.finish();
  return probe;
}

MemberDnsConfig parse_member_dns(const Node& node) {
  MapReader map(node);
  MemberDnsConfig dns;
  map.read_string("provider", dns.provider, Presence::kRequired);
  read_domain_name(map, "name", dns.name, Presence::kRequired);
  map.read_int("ttl", dns.ttl, kMinDnsTtl, kMaxDnsTtl);
  map.read_enum("mode", dns.mode, kDnsRecordModeNames);
  map.read_bool("adopt", dns.adopt);
  map.read_bool("deleteWhenGone", dns.delete_when_gone);
  map.finish();
  return dns;
}

GroupSpecConfig parse_spec(const Node& node) {
  MapReader map(node);
  GroupSpecConfig spec;
  map.read_path("file", spec.file, Presence::kRequired);
  map.finish();
  return spec;
}

MemberConfig parse_member(const Node& node) {
  MapReader map(node);
  MemberConfig member;
  read_label(map, "name", member.name, "member name");
  map.read_enum("role", member.role, kMemberRoleNames, Presence::kRequired);
  // ACI container group names follow the same rule as our labels.
  read_label(map, "containerGroup", member.container_group, "container group name");
  map.read_string_list("dependsOn", member.depends_on);
  if (const auto probe = map.get("probe")) member.probe = parse_probe(*probe);
  if (const auto dns = map.get("dns")) member.dns = parse_member_dns(*dns);
  if (const auto spec = map.get("spec")) member.spec = parse_spec(*spec);
  map.read_bool("remediate", member.remediate);
  map.finish();
  return member;
}

ClusterConfig parse_cluster(const Node& node, const AzureConfig& azure) {
  MapReader map(node);
  ClusterConfig cluster;
  read_label(map, "name", cluster.name, "cluster name");
  cluster.subscription_id = azure.subscription_id;
  read_guid(map, "subscriptionId", cluster.subscription_id, Presence::kOptional, "subscription ID");
  read_resource_group(map, "resourceGroup", cluster.resource_group);
  if (const auto members = map.get("members", Presence::kRequired)) {
    const auto items = members->as_list();
    if (items.empty() && members->is_list()) {
      members->report("must list at least one member");
    }
    for (const auto& item : items) cluster.members.push_back(parse_member(item));
  }
  map.finish();
  return cluster;
}

}  // namespace

std::vector<ClusterConfig> parse_clusters(const Node& node, const AzureConfig& azure) {
  std::vector<ClusterConfig> clusters;
  const auto items = node.as_list();
  if (items.empty() && node.is_list()) node.report("must list at least one cluster");
  for (const auto& item : items) clusters.push_back(parse_cluster(item, azure));
  return clusters;
}

}  // namespace frankenetes::config
