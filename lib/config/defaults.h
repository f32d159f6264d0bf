#pragma once
// Every default and every limit of the configuration, in one table. The typed
// structs in config/types.h initialise their members from these constants, so a key left out
// of the YAML keeps the value written here. config/example.yaml documents the same values;
// tests/config/valid_config_test.cc checks that a minimal file gets them.
//
//   key                               default
//   azure.cloud                       AzurePublicCloud
//   azure.auth.method                 default
//   azure.auth.imdsEndpoint           http://169.254.169.254/metadata/identity/oauth2/token
//   azure.apiVersion                  2023-05-01
//   azure.requestTimeout              30s
//   clusters[].subscriptionId         azure.subscriptionId
//   members[].probe.period            5s
//   members[].probe.timeout           2s
//   members[].probe.failureThreshold  3
//   members[].probe.insecureSkipVerify false
//   members[].dns.ttl                 60
//   members[].dns.mode                a
//   members[].dns.adopt               false
//   members[].dns.deleteWhenGone      false
//   members[].remediate               true
//   dns.verify.nameservers            [] (ask the provider's authoritative servers)
//   dns.verify.timeout                30s
//   dns.verify.interval               1s
//   dns.resyncInterval                5m
//   dns.maxMemberReadsPerSecond       20
//   dns.providers.*(cloudflare).baseUrl          https://api.cloudflare.com/client/v4
//   dns.providers.*(azureDns).subscriptionId     azure.subscriptionId
//   dns.providers.*(rfc2136).timeout             5s
//   dns.providers.*(rfc2136).server port         53
//   dns.providers.*(rfc2136).tsig.algorithm      hmac-sha256
//   policy.pollInterval               10s
//   policy.getInterval.healthy        5m
//   policy.getInterval.unhealthy      5s
//   policy.staleAfter                 2 x policy.pollInterval
//   policy.crashLoop.restarts         3
//   policy.crashLoop.window           10m
//   policy.backoff.initial            10s
//   policy.backoff.max                5m
//   policy.backoff.resetAfter         10m
//   policy.budget.maxActionsPerHour   12
//   policy.budget.armReadsPerMinute   750
//   policy.actionTimeout              5m
//   policy.dryRun                     false
//   storage.endpoint                  https://<account>.blob.core.windows.net (by azure.cloud)
//   storage.auth                      sharedKey
//   etcd.snapshots.enabled            true when the storage section is present, else false
//   etcd.snapshots.interval           30m
//   etcd.snapshots.retain             24
//   etcd.snapshots.keepDailyFor       168h (7 days)
//   etcd.snapshots.maxAgeForDisruption 10m
//   etcd.snapshots.timeout            10m
//   etcd.autoRestore                  false (true needs storage with Shared Key)
//   coordination.leaseDuration        15s
//   coordination.renewEvery           coordination.leaseDuration / 3
//   coordination.replicaId            <hostname>-<pid> (coordination/replica_id.h)
//   coordination.fencingMargin        2s
//   server.listen                     127.0.0.1:9720
//   server.maxConnections             64
//   log.level                         info
//   log.format                        text

#include <chrono>
#include <cstdint>
#include <string_view>

#include "config/enums.h"
#include "core/time_source.h"

namespace frankenetes::config {

using core::Duration;

// Limits on the input itself (every parser has a size limit). 1000 clusters of four members
// with probes and DNS (bench/scale) take about 1.1 MiB; 8 MiB leaves room for a few thousand.
inline constexpr std::size_t kMaxConfigBytes = 8 * 1024 * 1024;

// azure
inline constexpr std::string_view kDefaultCloudName = "AzurePublicCloud";
inline constexpr AuthMethod kDefaultAuthMethod = AuthMethod::kDefault;
inline constexpr std::string_view kDefaultImdsEndpoint =
    "http://169.254.169.254/metadata/identity/oauth2/token";
inline constexpr std::string_view kDefaultAzureApiVersion = "2023-05-01";
inline constexpr Duration kDefaultRequestTimeout = std::chrono::seconds(30);

// members[].probe
inline constexpr Duration kDefaultProbePeriod = std::chrono::seconds(5);
inline constexpr Duration kDefaultProbeTimeout = std::chrono::seconds(2);
inline constexpr int kDefaultProbeFailureThreshold = 3;
inline constexpr int kMaxProbeFailureThreshold = 100;
inline constexpr bool kDefaultProbeInsecureSkipVerify = false;

// members[]
inline constexpr bool kDefaultRemediate = true;

// members[].dns
inline constexpr int kDefaultDnsTtl = 60;
inline constexpr int kMinDnsTtl = 1;
inline constexpr int kMaxDnsTtl = 86400;
inline constexpr DnsRecordMode kDefaultDnsMode = DnsRecordMode::kA;
inline constexpr bool kDefaultDnsAdopt = false;
inline constexpr bool kDefaultDnsDeleteWhenGone = false;

// dns
inline constexpr Duration kDefaultDnsVerifyTimeout = std::chrono::seconds(30);
inline constexpr Duration kDefaultDnsVerifyInterval = std::chrono::seconds(1);
inline constexpr Duration kDefaultDnsResyncInterval = std::chrono::minutes(5);
inline constexpr Duration kMaxDnsResyncInterval = std::chrono::hours(24);
inline constexpr int kDefaultDnsMaxMemberReadsPerSecond = 20;
inline constexpr int kMaxDnsMemberReadsPerSecond = 10000;
inline constexpr std::string_view kDefaultCloudflareBaseUrl =
    "https://api.cloudflare.com/client/v4";
inline constexpr Duration kDefaultRfc2136Timeout = std::chrono::seconds(5);
inline constexpr std::uint16_t kDefaultDnsPort = 53;
inline constexpr TsigAlgorithm kDefaultTsigAlgorithm = TsigAlgorithm::kHmacSha256;

// policy
inline constexpr Duration kDefaultPollInterval = std::chrono::seconds(10);
// A rolling resync: every LIST that shows a healthy group unchanged vouches for its last GET
// in between (reconcile/group_observer.h).
inline constexpr Duration kDefaultGetIntervalHealthy = std::chrono::minutes(5);
inline constexpr Duration kDefaultGetIntervalUnhealthy = std::chrono::seconds(5);
inline constexpr int kDefaultStaleAfterPollIntervals = 2;
inline constexpr int kDefaultCrashLoopRestarts = 3;
inline constexpr int kMaxCrashLoopRestarts = 1000;
inline constexpr Duration kDefaultCrashLoopWindow = std::chrono::minutes(10);
inline constexpr Duration kDefaultBackoffInitial = std::chrono::seconds(10);
inline constexpr Duration kDefaultBackoffMax = std::chrono::minutes(5);
inline constexpr Duration kDefaultBackoffResetAfter = std::chrono::minutes(10);
inline constexpr int kDefaultMaxActionsPerHour = 12;
inline constexpr int kMaxActionsPerHourLimit = 3600;
// Half of ARM's read refill (25/s per subscription, principal and region), which every other
// tool in the subscription shares.
inline constexpr int kDefaultArmReadsPerMinute = 750;
inline constexpr int kMaxArmReadsPerMinute = 90000;
inline constexpr Duration kDefaultActionTimeout = std::chrono::minutes(5);

inline constexpr bool kDefaultDryRun = false;

// The shortest interval any timer may have. Production values are seconds; tests run the loop
// at 100ms so that they finish quickly.
inline constexpr Duration kMinInterval = std::chrono::milliseconds(100);
// The shortest timeout of a network step (probe, DNS query, HTTP request).
inline constexpr Duration kMinTimeout = std::chrono::milliseconds(10);

// storage
inline constexpr StorageAuth kDefaultStorageAuth = StorageAuth::kSharedKey;

// etcd.snapshots (etcd/snapshot_catalog.h names and prunes them). Durations have no day unit:
// keepDailyFor is written in hours and must be a whole number of days.
inline constexpr Duration kDefaultSnapshotInterval = std::chrono::minutes(30);
inline constexpr Duration kMinSnapshotInterval = std::chrono::minutes(1);
inline constexpr Duration kMaxSnapshotInterval = std::chrono::hours(24);
inline constexpr int kDefaultSnapshotRetain = 24;
inline constexpr int kMaxSnapshotRetain = 1000;
inline constexpr Duration kSnapshotDay = std::chrono::hours(24);
inline constexpr Duration kDefaultSnapshotKeepDailyFor = 7 * kSnapshotDay;
inline constexpr Duration kMaxSnapshotKeepDailyFor = 365 * kSnapshotDay;
inline constexpr Duration kDefaultSnapshotMaxAgeForDisruption = std::chrono::minutes(10);
inline constexpr Duration kMinSnapshotMaxAgeForDisruption = std::chrono::minutes(1);
inline constexpr Duration kMaxSnapshotMaxAgeForDisruption = std::chrono::hours(24);
inline constexpr Duration kDefaultSnapshotTimeout = std::chrono::minutes(10);
inline constexpr Duration kMinSnapshotTimeout = std::chrono::seconds(10);
inline constexpr Duration kMaxSnapshotTimeout = std::chrono::hours(6);
inline constexpr bool kDefaultEtcdAutoRestore = false;

// coordination (per-cluster Blob leases, lib/coordination). A Blob lease lasts 15..60 whole
// seconds (Lease Blob, x-ms-lease-duration).
inline constexpr Duration kDefaultCoordinationLeaseDuration = std::chrono::seconds(15);
inline constexpr Duration kMinCoordinationLeaseDuration = std::chrono::seconds(15);
inline constexpr Duration kMaxCoordinationLeaseDuration = std::chrono::seconds(60);
// renewEvery defaults to leaseDuration / 3: two renewals may fail before the lease is at risk.
inline constexpr int kDefaultRenewsPerLeaseDuration = 3;
inline constexpr Duration kMinCoordinationRenewEvery = std::chrono::seconds(1);
// How long before the lease could have expired (by our clock, counted from the renew's send
// time) the holder stops mutating: clock rate drift between us and the storage service, and the
// time from the fencing check to the mutating request leaving the process.
inline constexpr Duration kDefaultFencingMargin = std::chrono::seconds(2);
inline constexpr Duration kMinFencingMargin = std::chrono::milliseconds(500);
// replicaId: part of blob names (replicas/<id>) and of the User-Agent.
inline constexpr std::size_t kMaxReplicaIdLength = 63;

// server
// stateDirectory: $STATE_DIRECTORY (systemd's StateDirectory=; its first entry), else this.
inline constexpr std::string_view kDefaultStateDirectory = "/var/lib/frankenetes";
inline constexpr std::string_view kStateDirectoryEnv = "STATE_DIRECTORY";
inline constexpr std::string_view kDefaultListenHost = "127.0.0.1";
inline constexpr std::uint16_t kDefaultListenPort = 9720;
inline constexpr int kDefaultMaxConnections = 64;
inline constexpr int kMaxMaxConnections = 10000;

// log
inline constexpr LogLevel kDefaultLogLevel = LogLevel::kInfo;
inline constexpr LogFormat kDefaultLogFormat = LogFormat::kText;

}  // namespace frankenetes::config
