#pragma once
// The parsers of the top-level sections (internal to lib/config), one file each, called by
// parse_config() in config.cc. Each reads one YAML subtree through MapReader, reports problems
// into the node's ParseContext and returns the section with defaults for whatever was absent
// or wrong. Checks that relate values across sections live in cross_checks.h.

#include <string>
#include <vector>

#include "config/types.h"
#include "config/yaml_reader.h"

namespace frankenetes::config {

// One function per section, in azure_section.cc, cluster_section.cc, dns_section.cc,
// policy_section.cc, storage_section.cc, etcd_section.cc, coordination_section.cc and
// daemon_sections.cc (server and
// log).
AzureConfig parse_azure(const Node& node);
std::vector<ClusterConfig> parse_clusters(const Node& node, const AzureConfig& azure);
DnsConfig parse_dns(const Node& node, const AzureConfig& azure);
PolicyConfig parse_policy(const Node& node);
StorageConfig parse_storage(const Node& node, const AzureConfig& azure);
// Reads the keys present over `defaults` (whose snapshots.enabled depends on the storage
// section, so the caller decides it).
EtcdConfig parse_etcd(const Node& node, EtcdConfig defaults);
CoordinationConfig parse_coordination(const Node& node);
ServerConfig parse_server(const Node& node);
LogConfig parse_log(const Node& node);

// Readers for values several sections share, with the same wording everywhere.

// A URL the daemon sends credentials or tokens to: https, or http to a loopback host only.
// `extra_http_host` allows http to one more host (IMDS's link-local address).
void read_secure_url(MapReader& map, std::string_view key, std::string& out, Presence presence,
                     std::string_view extra_http_host = {});

// A GUID such as a subscription ID; `what` names it in the message ("subscription ID").
void read_guid(MapReader& map, std::string_view key, std::string& out, Presence presence,
               std::string_view what);

// A lowercase DNS label used as a name (clusters, members, container groups); `what` names it.
void read_label(MapReader& map, std::string_view key, std::string& out, std::string_view what);

// A domain name (a record name or a zone), stored without a trailing dot.
void read_domain_name(MapReader& map, std::string_view key, std::string& out, Presence presence);

// An Azure resource group name.
void read_resource_group(MapReader& map, std::string_view key, std::string& out);

}  // namespace frankenetes::config
