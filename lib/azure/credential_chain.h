#pragma once
// ChainedCredential: DefaultAzureCredential's behaviour (reference §3.4). Tries each link in
// order; the first that yields a token is remembered and from then on is the only one asked
// (so a transient failure of the chosen identity never silently switches to another one).
// When every link fails, one error lists why each did, in order.
//
// UnavailableCredential stands for a link that is not configured (no AZURE_CLIENT_SECRET, no
// federated token file, …) so that the aggregated error says so.

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "azure/token_credential.h"

namespace frankenetes::azure {

class ChainedCredential final : public TokenCredential {
 public:
  explicit ChainedCredential(std::vector<std::unique_ptr<TokenCredential>> links,
                             std::string name = "default");

  core::Result<AccessToken> get_token(const std::string& scope) override;
  std::string name() const override { return name_; }

  // The name of the link that produced the first token, once one has.
  std::optional<std::string> selected() const;

 private:
  std::vector<std::unique_ptr<TokenCredential>> links_;
  std::string name_;
  mutable std::mutex mutex_;
  TokenCredential* selected_ = nullptr;  // guarded by mutex_; points into links_
};

class UnavailableCredential final : public TokenCredential {
 public:
  UnavailableCredential(std::string name, std::string reason);

  // Always kInvalidConfig: "<name>: <reason>".
  core::Result<AccessToken> get_token(const std::string& scope) override;
  std::string name() const override { return name_; }

 private:
  std::string name_;
  std::string reason_;
};

}  // namespace frankenetes::azure
