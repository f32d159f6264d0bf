#include "azure/credential_static.h"

#include <utility>

#include "azure/credential_file.h"

namespace frankenetes::azure {

StaticTokenCredential::StaticTokenCredential(std::string token_file, const core::TimeSource& time)
    : token_file_(std::move(token_file)), time_(time) {}

core::Result<AccessToken> StaticTokenCredential::get_token(const std::string& /*scope*/) {
  auto token = read_secret_file(token_file_, name() + " token");
  if (!token.ok()) return token.error();
  return AccessToken{std::move(*token), time_.system_time() + kStaticTokenLifetime};
}

}  // namespace frankenetes::azure
