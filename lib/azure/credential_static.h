#pragma once
// StaticTokenCredential: a bearer token read from a file, for the simulator and tests (auth
// method "static"). The file is read on every request, so whoever writes it can rotate the
// token. The expiry is unknown; it is reported as `kStaticTokenLifetime` from now, which
// makes a CachingCredential read the file again at least that often.

#include <chrono>
#include <string>

#include "azure/token_credential.h"
#include "core/time_source.h"

namespace frankenetes::azure {

inline constexpr std::chrono::seconds kStaticTokenLifetime{60};

class StaticTokenCredential final : public TokenCredential {
 public:
  StaticTokenCredential(std::string token_file, const core::TimeSource& time);

  // The same token for every scope.
  core::Result<AccessToken> get_token(const std::string& scope) override;
  std::string name() const override { return "static"; }

 private:
  std::string token_file_;
  const core::TimeSource& time_;
};

}  // namespace frankenetes::azure
