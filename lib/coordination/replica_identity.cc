#include "coordination/replica_identity.h"

#include <unistd.h>

#include <array>
#include <climits>
#include <cstdio>

#include "config/defaults.h"

namespace frankenetes::coordination {
namespace {

bool is_alphanumeric(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

}  // namespace

std::uint64_t stable_hash(std::string_view text, std::uint64_t seed) {
  std::uint64_t hash = seed;
  for (const unsigned char c : text) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::string lease_blob_name(std::string_view cluster) {
  return std::string(kLeasePrefix) + std::string(cluster);
}

std::string heartbeat_blob_name(std::string_view replica) {
  return std::string(kHeartbeatPrefix) + std::string(replica);
}

std::string make_replica_id(std::string_view hostname, std::int64_t pid) {
  const auto suffix = "-" + std::to_string(pid);
  std::string host;
  for (const char c : hostname) {
    host += is_alphanumeric(c) || c == '.' || c == '_' || c == '-' ? c : '-';
  }
  if (host.empty()) host = "replica";
  if (!is_alphanumeric(host.front())) host.insert(host.begin(), 'r');
  const auto room = config::kMaxReplicaIdLength - suffix.size();
  if (host.size() > room) host.resize(room);
  return host + suffix;
}

std::string default_replica_id() {
  std::array<char, HOST_NAME_MAX + 1> name{};
  if (gethostname(name.data(), name.size() - 1) != 0) name[0] = '\0';
  return make_replica_id(name.data(), static_cast<std::int64_t>(getpid()));
}

std::string proposed_lease_id(std::string_view replica, std::uint64_t incarnation,
                              std::string_view cluster) {
  const auto key =
      std::string(replica) + '\0' + std::to_string(incarnation) + '\0' + std::string(cluster);
  std::uint64_t high = stable_hash(key);
  std::uint64_t low = stable_hash(key, high ^ 0x9e3779b97f4a7c15ULL);
  // RFC 9562 layout: version 8 (custom) in the high nibble of the 7th byte, variant 10.
  high = (high & ~0xF000ULL) | 0x8000ULL;
  low = (low & ~(0xC0ULL << 56)) | (0x80ULL << 56);
  std::array<char, 37> text{};
  std::snprintf(text.data(), text.size(), "%08x-%04x-%04x-%04x-%012llx",
                static_cast<unsigned>(high >> 32), static_cast<unsigned>((high >> 16) & 0xFFFF),
                static_cast<unsigned>(high & 0xFFFF), static_cast<unsigned>(low >> 48),
                static_cast<unsigned long long>(low & 0xFFFFFFFFFFFFULL));
  return text.data();
}

}  // namespace frankenetes::coordination
