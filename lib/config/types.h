#pragma once
// The typed configuration: what parse_config() (config/config.h) produces from YAML and what
// the rest of the daemon reads. Plain value structs, already validated and with every default
// applied (config/defaults.h), so users never look at YAML or re-check ranges. Paths are
// resolved against the config file's directory; secrets are core::Secret and never print.
// A Config compares equal to another when every field does, which lets a reload tell
// "unchanged" from "changed".

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "config/defaults.h"
#include "config/enums.h"
#include "core/secret.h"
#include "core/time_source.h"
#include "model/container_group.h"

namespace frankenetes::config {

using core::Duration;

// A network endpoint written as "host:port"; IPv6 hosts are written in brackets in YAML and
// stored without them.
struct HostPort {
  std::string host;
  std::uint16_t port = 0;

  std::string to_string() const;  // "127.0.0.1:9720", "[::1]:53"
  bool operator==(const HostPort&) const = default;
};

// Where a credential comes from: its value, taken from an environment variable when the config
// was loaded, or a file the consumer reads when it needs the credential (so rotation works
// without a reload). Exactly one of the two is set.
struct SecretSource {
  std::optional<core::Secret> value;
  std::optional<std::string> file;

  bool operator==(const SecretSource&) const = default;
};

// The Azure endpoints the daemon talks to: a well-known cloud or a custom one (the simulator).
struct Cloud {
  std::string name;              // "AzurePublicCloud", …, or "custom"
  std::string resource_manager;  // ARM base URL, no trailing slash
  std::string authority;         // Entra ID (login) base URL, no trailing slash
  std::string scope;             // token scope, resource_manager + "/.default" by default

  bool operator==(const Cloud&) const = default;
};

// The well-known clouds (public, China, US Government), and one of them by its YAML name.
const std::vector<Cloud>& well_known_clouds();
std::optional<Cloud> well_known_cloud(std::string_view name);

struct AzureAuthConfig {
  AuthMethod method = kDefaultAuthMethod;
  std::optional<std::string> client_id;
  std::optional<SecretSource> client_secret;        // clientSecret / clientSecretFile
  std::optional<std::string> federated_token_file;  // workloadIdentity
  std::optional<std::string> managed_identity_client_id;
  std::string imds_endpoint{kDefaultImdsEndpoint};  // managedIdentity
  std::optional<std::string> token_file;            // static

  bool operator==(const AzureAuthConfig&) const = default;
};

struct AzureConfig {
  Cloud cloud = *well_known_cloud(kDefaultCloudName);
  std::string subscription_id;
  std::optional<std::string> tenant_id;  // GUID or domain
  AzureAuthConfig auth;
  std::optional<std::string> ca_file;  // extra trust anchor, added to the system store
  std::string api_version{kDefaultAzureApiVersion};
  Duration request_timeout = kDefaultRequestTimeout;

  bool operator==(const AzureConfig&) const = default;
};

// An HTTP(S) health check of one member. The URL may contain the placeholders {ip} (the
// group's current public IP) and {fqdn}; the probe substitutes them on each run.
struct ProbeConfig {
  std::string url;
  Duration period = kDefaultProbePeriod;
  Duration timeout = kDefaultProbeTimeout;  // always shorter than period
  int failure_threshold = kDefaultProbeFailureThreshold;
  std::optional<std::string> ca_file;
  bool insecure_skip_verify = kDefaultProbeInsecureSkipVerify;

  bool operator==(const ProbeConfig&) const = default;
};

// The DNS record that follows a member's public IP. `provider` names a key of
// DnsConfig::providers (checked), and `name` lies inside that provider's zone when it has one.
struct MemberDnsConfig {
  std::string provider;
  std::string name;  // fully qualified, without the trailing dot
  int ttl = kDefaultDnsTtl;
  DnsRecordMode mode = kDefaultDnsMode;
  bool adopt = kDefaultDnsAdopt;  // take over an existing record not owned by us
  bool delete_when_gone = kDefaultDnsDeleteWhenGone;  // delete the record when the group is gone

  bool operator==(const MemberDnsConfig&) const = default;
};

// The ARM container group definition used to recreate a deleted group. parse_config() only
// records the path; azure::load_group_specs() (called by the daemon at start, on SIGHUP and by
// --check-config) reads and validates the file and fills in `text` and `view`, so a bad spec
// is a configuration error before anything is deleted, and recreate sends what was validated.
struct GroupSpecConfig {
  std::string file;
  std::string text;  // the validated JSON body of the PUT
  std::shared_ptr<const model::ContainerGroupView> view;  // its containers and volumes

  bool operator==(const GroupSpecConfig& other) const {
    return file == other.file && text == other.text;
  }
};

// One control-plane component, backed by one ACI container group.
struct MemberConfig {
  std::string name;
  MemberRole role = MemberRole::kOther;
  std::string container_group;
  std::vector<std::string> depends_on;  // names of members of the same cluster; acyclic
  std::optional<ProbeConfig> probe;
  std::optional<MemberDnsConfig> dns;
  std::optional<GroupSpecConfig> spec;  // set: the ladder may delete and recreate the group
  bool remediate = kDefaultRemediate;   // false: observe and keep DNS right, never act on Azure

  bool operator==(const MemberConfig&) const = default;
};

struct ClusterConfig {
  std::string name;
  std::string subscription_id;  // the cluster's override, else azure.subscriptionId
  std::string resource_group;
  std::vector<MemberConfig> members;  // in file order, names unique

  bool operator==(const ClusterConfig&) const = default;
};

struct CloudflareProviderConfig {
  std::optional<std::string> zone_id;  // at least one of zone_id and zone_name is set
  std::optional<std::string> zone_name;
  SecretSource api_token;
  std::string base_url{kDefaultCloudflareBaseUrl};

  bool operator==(const CloudflareProviderConfig&) const = default;
};

struct AzureDnsProviderConfig {
  std::string subscription_id;  // the provider's own, else azure.subscriptionId
  std::string resource_group;
  std::string zone;

  bool operator==(const AzureDnsProviderConfig&) const = default;
};

// RFC 8945 transaction signature for RFC 2136 updates.
struct TsigConfig {
  std::string name;
  TsigAlgorithm algorithm = kDefaultTsigAlgorithm;
  SecretSource secret;  // base64 key material, as in BIND's `key` statement

  bool operator==(const TsigConfig&) const = default;
};

struct Rfc2136ProviderConfig {
  HostPort server;
  std::string zone;
  Duration timeout = kDefaultRfc2136Timeout;
  std::optional<TsigConfig> tsig;

  bool operator==(const Rfc2136ProviderConfig&) const = default;
};

// One entry of dns.providers; the variant alternative is the provider's `type`.
struct DnsProviderConfig {
  std::string name;  // the key under dns.providers
  std::variant<CloudflareProviderConfig, AzureDnsProviderConfig, Rfc2136ProviderConfig> settings;

  DnsProviderType type() const;
  // The zone records must lie in, when the provider names one (Cloudflare may give only an ID).
  std::optional<std::string> zone() const;
  bool operator==(const DnsProviderConfig&) const = default;
};

// How the daemon checks that an update is visible before it calls it done.
struct DnsVerifyConfig {
  std::vector<HostPort> nameservers;  // empty: ask the provider's authoritative servers
  Duration timeout = kDefaultDnsVerifyTimeout;
  Duration interval = kDefaultDnsVerifyInterval;

  bool operator==(const DnsVerifyConfig&) const = default;
};

struct DnsConfig {
  std::string owner_id;  // written into ownership TXT records; records without it are not ours
  DnsVerifyConfig verify;
  std::map<std::string, DnsProviderConfig> providers;
  // Provider reads (plan/dns_read_plan.h): a member whose inputs did not change is read again
  // once per resync_interval (at least policy.pollInterval), spread evenly; at most
  // max_member_reads_per_second members' records are read (one member: its name and its
  // ownership TXT name).
  Duration resync_interval = kDefaultDnsResyncInterval;
  int max_member_reads_per_second = kDefaultDnsMaxMemberReadsPerSecond;

  bool operator==(const DnsConfig&) const = default;
};

// The adaptive GET cadence for a container group's instanceView.
struct GetIntervalConfig {
  Duration healthy = kDefaultGetIntervalHealthy;
  Duration unhealthy = kDefaultGetIntervalUnhealthy;

  bool operator==(const GetIntervalConfig&) const = default;
};

// "Crash-looping" means `restarts` new restarts within `window`.
struct CrashLoopConfig {
  int restarts = kDefaultCrashLoopRestarts;
  Duration window = kDefaultCrashLoopWindow;

  bool operator==(const CrashLoopConfig&) const = default;
};

// Per-member back-off between remediation actions.
struct BackoffConfig {
  Duration initial = kDefaultBackoffInitial;  // <= max
  Duration max = kDefaultBackoffMax;
  Duration reset_after = kDefaultBackoffResetAfter;  // healthy this long: back to initial

  bool operator==(const BackoffConfig&) const = default;
};

struct BudgetConfig {
  int max_actions_per_hour = kDefaultMaxActionsPerHour;  // across all clusters
  // ARM reads (LIST pages and GETs) the daemon allows itself per subscription.
  int arm_reads_per_minute = kDefaultArmReadsPerMinute;

  bool operator==(const BudgetConfig&) const = default;
};

struct PolicyConfig {
  Duration poll_interval = kDefaultPollInterval;
  GetIntervalConfig get_interval;
  // At least poll_interval; by default kDefaultStaleAfterPollIntervals x poll_interval.
  Duration stale_after = kDefaultStaleAfterPollIntervals * kDefaultPollInterval;
  CrashLoopConfig crash_loop;
  BackoffConfig backoff;
  BudgetConfig budget;
  Duration action_timeout = kDefaultActionTimeout;
  bool dry_run = kDefaultDryRun;

  bool operator==(const PolicyConfig&) const = default;
};

// Azure Blob Storage (lib/storage): where etcd snapshots go. Authenticated either with the
// account key (Shared Key) or with Entra ID tokens from the azure section's credential; `key` is
// set exactly when `auth` is kSharedKey.
struct StorageConfig {
  std::string account;    // 3..24 lowercase letters and digits
  std::string container;  // Azure's container naming rules
  // Without a trailing slash; https, or http to loopback only. Default:
  // https://<account>.blob.<the cloud's storage suffix> (core.windows.net, ...).
  std::string endpoint;
  // The Azure Files endpoint of the same account (an etcd restore writes the data directory
  // into the member's share), without a trailing slash. Default:
  // https://<account>.file.<the cloud's storage suffix>; "" for a custom cloud that names none.
  std::string file_endpoint;
  StorageAuth auth = kDefaultStorageAuth;
  // The base64 account key: keyFile (re-read when it changes) or ${NAME}.
  std::optional<SecretSource> key;

  bool operator==(const StorageConfig&) const = default;
};

// Periodic etcd snapshots of every member with role etcd, streamed from the member and
// uploaded to the storage section's container under snapshots/<cluster>/<member>/ (names and
// retention: etcd/snapshot_catalog.h). `enabled` is true only together with a storage section
// (checked). `max_age_for_disruption` is meant for the planner: disruptive rungs for etcd
// (stop/start, recreate) only with a verified snapshot younger than it (not read there yet).
struct EtcdSnapshotConfig {
  // Default: whether the file has a storage section (parse_config() decides).
  bool enabled = false;
  Duration interval = kDefaultSnapshotInterval;
  int retain = kDefaultSnapshotRetain;  // the newest this many are kept
  // Plus the newest snapshot of each UTC day for this long: a whole number of days, 0: none.
  Duration keep_daily_for = kDefaultSnapshotKeepDailyFor;
  Duration max_age_for_disruption = kDefaultSnapshotMaxAgeForDisruption;
  Duration timeout = kDefaultSnapshotTimeout;  // one snapshot: stream, verify and upload

  // keep_daily_for in days.
  int keep_daily_days() const { return static_cast<int>(keep_daily_for / kSnapshotDay); }
  bool operator==(const EtcdSnapshotConfig&) const = default;
};

struct EtcdConfig {
  EtcdSnapshotConfig snapshots;
  // Restore from the snapshot holding the most of the lost data when data loss is detected
  // (reconcile/etcd_guard.h). Needs storage with Shared Key and snapshots (cross_checks.cc).
  bool auto_restore = kDefaultEtcdAutoRestore;

  bool operator==(const EtcdConfig&) const = default;
};

// Per-cluster Blob leases in the storage section's container (lib/coordination): replicas
// share the clusters, each cluster has one holder, and only the holder mutates. Present only
// when the file has a `coordination` section (absent: one replica acts on every cluster). Needs
// the storage section (checked), as etcd snapshots do.
struct CoordinationConfig {
  Duration lease_duration = kDefaultCoordinationLeaseDuration;  // whole seconds, 15s..60s
  // Less than lease_duration / 2 (checked); default lease_duration / 3.
  Duration renew_every = kDefaultCoordinationLeaseDuration / kDefaultRenewsPerLeaseDuration;
  // "" means the default, <hostname>-<pid>, which the composition root fills in
  // (coordination/replica_id.h: the config library reads no host state). Otherwise
  // is_replica_id() (value_syntax.h).
  std::string replica_id;
  // Less than lease_duration - renew_every (checked), so a holder whose renewals all succeed
  // never has to pause.
  Duration fencing_margin = kDefaultFencingMargin;

  bool operator==(const CoordinationConfig&) const = default;
};

// The status/metrics HTTP server.
// HTTPS for the daemon's listener: PEM files, read when the daemon starts.
struct ServerTlsConfig {
  std::string cert_file;  // certificate chain, leaf first
  std::string key_file;   // its private key

  bool operator==(const ServerTlsConfig&) const = default;
};

struct ServerConfig {
  HostPort listen{std::string(kDefaultListenHost), kDefaultListenPort};  // port 0: any free port
  // The admin API's bearer token; the API is off without it. On a listen address that is not
  // loopback it needs `tls` (refused at load otherwise).
  std::optional<SecretSource> admin_token;
  std::optional<ServerTlsConfig> tls;  // HTTPS on `listen` when set
  int max_connections = kDefaultMaxConnections;

  bool operator==(const ServerConfig&) const = default;
};

struct LogConfig {
  LogLevel level = kDefaultLogLevel;
  LogFormat format = kDefaultLogFormat;

  bool operator==(const LogConfig&) const = default;
};

struct Config {
  AzureConfig azure;
  std::vector<ClusterConfig> clusters;  // non-empty, names unique
  std::optional<DnsConfig> dns;         // set whenever any member has dns
  std::optional<StorageConfig> storage;  // set when the file has a storage section
  EtcdConfig etcd;                       // always set; snapshots need storage
  std::optional<CoordinationConfig> coordination;  // set when the file has the section
  PolicyConfig policy;
  ServerConfig server;
  LogConfig log;
  // History and pending operations (state/state_store.h); absolute, resolved at load from
  // `stateDirectory`, $STATE_DIRECTORY or kDefaultStateDirectory.
  std::string state_directory{kDefaultStateDirectory};

  bool operator==(const Config&) const = default;
};

}  // namespace frankenetes::config
