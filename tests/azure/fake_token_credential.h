#pragma once
// FakeTokenCredential: hands out a fixed token (or a scripted Error) and counts the calls.

#include <optional>
#include <string>

#include "azure/token_credential.h"
#include "support/fake_time_source.h"

namespace frankenetes::testing {

class FakeTokenCredential final : public azure::TokenCredential {
 public:
  explicit FakeTokenCredential(std::string token = "fake-token-SECRET-123")
      : token_(std::move(token)) {}

  core::Result<azure::AccessToken> get_token(const std::string& scope) override {
    ++calls_;
    last_scope_ = scope;
    if (error_) return *error_;
    return azure::AccessToken{core::Secret(token_),
                              core::SystemTime(std::chrono::seconds(1767229200))};
  }
  std::string name() const override { return "fake"; }

  void fail_with(core::Error error) { error_ = std::move(error); }
  const std::string& token() const { return token_; }
  int calls() const { return calls_; }
  const std::string& last_scope() const { return last_scope_; }

 private:
  std::string token_;
  std::optional<core::Error> error_;
  int calls_ = 0;
  std::string last_scope_;
};

}  // namespace frankenetes::testing
