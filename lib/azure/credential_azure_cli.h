#pragma once
// AzureCliCredential: the token of whoever is logged in to the Azure CLI on this machine
// (`az account get-access-token --resource <resource> --output json`), for operators running
// the daemon from a workstation. Runs `az` through the injected CommandRunner with a timeout;
// never logs its output (it contains the token). No caching: wrap it in CachingCredential.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "azure/credential_command_runner.h"
#include "azure/token_credential.h"

namespace frankenetes::azure {

// The CLI starts Python and may refresh its own tokens: slow, but bounded.
inline constexpr std::chrono::milliseconds kDefaultAzureCliTimeout{std::chrono::seconds(10)};

struct AzureCliSettings {
  std::optional<std::string> tenant_id;  // passed as --tenant when set
  std::chrono::milliseconds timeout = kDefaultAzureCliTimeout;
  std::string program = "az";
};

class AzureCliCredential final : public TokenCredential {
 public:
  AzureCliCredential(AzureCliSettings settings, CommandRunner& runner);

  core::Result<AccessToken> get_token(const std::string& scope) override;
  std::string name() const override { return "azure_cli"; }

  // The argument vector for one scope (exposed for tests and error messages).
  std::vector<std::string> command(const std::string& scope) const;

 private:
  AzureCliSettings settings_;
  CommandRunner& runner_;
};

// Parses `az account get-access-token --output json`: accessToken plus expires_on (epoch
// seconds, number or string, CLI ≥ 2.54) or else expiresOn ("2026-01-01 10:00:00.000000",
// the machine's local time).
core::Result<AccessToken> parse_azure_cli_token(const std::string& json_text);

}  // namespace frankenetes::azure
