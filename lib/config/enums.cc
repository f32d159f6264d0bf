#include "config/enums.h"

namespace frankenetes::config {
namespace {

template <typename E, std::size_t N>
std::string_view name_of(E value, const std::array<EnumName<E>, N>& names) {
  for (const auto& entry : names) {
    if (entry.value == value) return entry.name;
  }
  return "?";
}

}  // namespace

std::string_view to_string(AuthMethod value) { return name_of(value, kAuthMethodNames); }
std::string_view to_string(MemberRole value) { return name_of(value, kMemberRoleNames); }
std::string_view to_string(DnsRecordMode value) { return name_of(value, kDnsRecordModeNames); }
std::string_view to_string(DnsProviderType value) { return name_of(value, kDnsProviderTypeNames); }
std::string_view to_string(TsigAlgorithm value) { return name_of(value, kTsigAlgorithmNames); }
std::string_view to_string(StorageAuth value) { return name_of(value, kStorageAuthNames); }
std::string_view to_string(LogLevel value) { return name_of(value, kLogLevelNames); }
std::string_view to_string(LogFormat value) { return name_of(value, kLogFormatNames); }

}  // namespace frankenetes::config
