#include "azure/credential_chain.h"

#include <utility>

#include "azure/credential_token_response.h"

namespace frankenetes::azure {
namespace {

// "name: message", without doubling a prefix the link already wrote.
std::string attributed(const std::string& name, const std::string& message) {
  if (message.starts_with(name + ": ")) return message;
  return name + ": " + message;
}

}  // namespace

ChainedCredential::ChainedCredential(std::vector<std::unique_ptr<TokenCredential>> links,
                                     std::string name)
    : links_(std::move(links)), name_(std::move(name)) {}

std::optional<std::string> ChainedCredential::selected() const {
  std::lock_guard lock(mutex_);
  if (selected_ == nullptr) return std::nullopt;
  return selected_->name();
}

core::Result<AccessToken> ChainedCredential::get_token(const std::string& scope) {
  TokenCredential* chosen = nullptr;
  {
    std::lock_guard lock(mutex_);
    chosen = selected_;
  }
  if (chosen != nullptr) return chosen->get_token(scope);

  // Not holding the lock while links do I/O: two first callers may both walk the chain,
  // which costs a duplicate request but never blocks one behind the other's timeouts.
  std::vector<core::Error> failures;
  for (const auto& link : links_) {
    auto token = link->get_token(scope);
    if (token.ok()) {
      std::lock_guard lock(mutex_);
      if (selected_ == nullptr) selected_ = link.get();
      return token;
    }
    failures.push_back(token.error());
    failures.back().message = attributed(link->name(), failures.back().message);
  }

  core::Error error;
  error.message = name_ + " credential chain found no usable credential";
  if (failures.empty()) {
    error.kind = core::ErrorKind::kInvalidConfig;
    error.message += " (the chain is empty)";
    return error;
  }
  bool any_transient = false;
  bool all_unconfigured = true;
  for (const auto& failure : failures) {
    any_transient = any_transient || failure.kind == core::ErrorKind::kTransient;
    all_unconfigured = all_unconfigured && failure.kind == core::ErrorKind::kInvalidConfig;
    error.message += (&failure == &failures.front() ? ": " : "; ") + failure.message;
    if (error.http_status == 0 && failure.http_status != 0) {
      error.http_status = failure.http_status;
      error.azure_code = failure.azure_code;
      error.request_id = failure.request_id;
    }
  }
  // Transient wins: asking again later may work (IMDS was slow, Entra answered 503).
  error.kind = any_transient      ? core::ErrorKind::kTransient
               : all_unconfigured ? core::ErrorKind::kInvalidConfig
                                  : core::ErrorKind::kTerminal;
  return error;
}

UnavailableCredential::UnavailableCredential(std::string name, std::string reason)
    : name_(std::move(name)), reason_(std::move(reason)) {}

core::Result<AccessToken> UnavailableCredential::get_token(const std::string& /*scope*/) {
  return core::make_error(core::ErrorKind::kInvalidConfig, name_ + ": " + reason_);
}

}  // namespace frankenetes::azure
