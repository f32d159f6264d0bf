#pragma once
// The closed sets of choices in the configuration, each with the exact spelling used in YAML.
// The name tables serve both directions: the parser reads a YAML scalar through them and
// to_string() prints the same spelling back (in logs, /status and error messages).

#include <array>
#include <string_view>

namespace frankenetes::config {

// One spelling of an enum value as written in YAML.
template <typename E>
struct EnumName {
  E value;
  std::string_view name;
};

// How the daemon obtains Azure tokens (azure.auth.method).
enum class AuthMethod {
  kDefault,           // try environment, workload identity, managed identity, Azure CLI in turn
  kClientSecret,      // service principal with a client secret
  kWorkloadIdentity,  // federated token file (AKS workload identity)
  kManagedIdentity,   // IMDS
  kAzureCli,          // `az account get-access-token`
  kStatic,            // a bearer token read from a file (tests and the simulator)
};
inline constexpr std::array<EnumName<AuthMethod>, 6> kAuthMethodNames{{
    {AuthMethod::kDefault, "default"},
    {AuthMethod::kClientSecret, "clientSecret"},
    {AuthMethod::kWorkloadIdentity, "workloadIdentity"},
    {AuthMethod::kManagedIdentity, "managedIdentity"},
    {AuthMethod::kAzureCli, "azureCli"},
    {AuthMethod::kStatic, "static"},
}};

// What a member runs; decides its probes' meaning and dependency handling.
enum class MemberRole { kEtcd, kApiserver, kControllerManager, kScheduler, kOther };
inline constexpr std::array<EnumName<MemberRole>, 5> kMemberRoleNames{{
    {MemberRole::kEtcd, "etcd"},
    {MemberRole::kApiserver, "apiserver"},
    {MemberRole::kControllerManager, "controller-manager"},
    {MemberRole::kScheduler, "scheduler"},
    {MemberRole::kOther, "other"},
}};

// The record a member's DNS name gets: an A record with the group's public IP, or a CNAME to
// the group's Azure-assigned FQDN.
enum class DnsRecordMode { kA, kCname };
inline constexpr std::array<EnumName<DnsRecordMode>, 2> kDnsRecordModeNames{{
    {DnsRecordMode::kA, "a"},
    {DnsRecordMode::kCname, "cname"},
}};

enum class DnsProviderType { kCloudflare, kAzureDns, kRfc2136 };
inline constexpr std::array<EnumName<DnsProviderType>, 3> kDnsProviderTypeNames{{
    {DnsProviderType::kCloudflare, "cloudflare"},
    {DnsProviderType::kAzureDns, "azureDns"},
    {DnsProviderType::kRfc2136, "rfc2136"},
}};

// TSIG algorithms for RFC 2136 updates (RFC 8945 §6).
enum class TsigAlgorithm { kHmacSha256, kHmacSha512 };
inline constexpr std::array<EnumName<TsigAlgorithm>, 2> kTsigAlgorithmNames{{
    {TsigAlgorithm::kHmacSha256, "hmac-sha256"},
    {TsigAlgorithm::kHmacSha512, "hmac-sha512"},
}};

// How the daemon authenticates to Azure Blob Storage (storage.auth).
enum class StorageAuth {
  kSharedKey,  // the storage account key (storage.keyFile or storage.key), Shared Key signing
  kAzure,      // Entra ID tokens from the azure section's credential
};
inline constexpr std::array<EnumName<StorageAuth>, 2> kStorageAuthNames{{
    {StorageAuth::kSharedKey, "sharedKey"},
    {StorageAuth::kAzure, "azure"},
}};

// Same levels and spellings as spdlog's, so daemon/ maps them one to one.
enum class LogLevel { kTrace, kDebug, kInfo, kWarn, kError, kCritical, kOff };
inline constexpr std::array<EnumName<LogLevel>, 7> kLogLevelNames{{
    {LogLevel::kTrace, "trace"},
    {LogLevel::kDebug, "debug"},
    {LogLevel::kInfo, "info"},
    {LogLevel::kWarn, "warn"},
    {LogLevel::kError, "error"},
    {LogLevel::kCritical, "critical"},
    {LogLevel::kOff, "off"},
}};

enum class LogFormat { kText, kJson };
inline constexpr std::array<EnumName<LogFormat>, 2> kLogFormatNames{{
    {LogFormat::kText, "text"},
    {LogFormat::kJson, "json"},
}};

std::string_view to_string(AuthMethod value);
std::string_view to_string(MemberRole value);
std::string_view to_string(DnsRecordMode value);
std::string_view to_string(DnsProviderType value);
std::string_view to_string(TsigAlgorithm value);
std::string_view to_string(StorageAuth value);
std::string_view to_string(LogLevel value);
std::string_view to_string(LogFormat value);

}  // namespace frankenetes::config
