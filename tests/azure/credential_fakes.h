#pragma once
// Hand-written fakes for the credential tests: a transport that answers from a script and
// records what was sent, a command runner for the Azure CLI, a fake environment, a scripted
// TokenCredential, and a scratch directory for token and secret files.
// Named distinctly from the ARM client tests' FakeTransport (same test binary).

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "azure/credential_command_runner.h"
#include "azure/token_credential.h"
#include "config/env.h"
#include "config/types.h"
#include "core/result.h"
#include "core/strings.h"
#include "http/message.h"
#include "http/transport.h"

namespace frankenetes::azure::credential_testing {

using core::make_error;

inline http::Response json_reply(int status, std::string body) {
  return http::Response::json(status, std::move(body));
}

// Entra v2.0 success: expires_in as a number.
inline http::Response entra_token_reply(const std::string& token, int expires_in = 3599) {
  return json_reply(200, R"({"token_type":"Bearer","expires_in":)" + std::to_string(expires_in) +
                             R"(,"ext_expires_in":)" + std::to_string(expires_in) +
                             R"(,"access_token":")" + token + R"("})");
}

// IMDS success: every expiry field a string (reference §3.3).
inline http::Response imds_token_reply(const std::string& token, int expires_in,
                                       long long expires_on) {
  return json_reply(
      200,
      R"({"access_token":")" + token + R"(","refresh_token":"","expires_in":")" +
          std::to_string(expires_in) + R"(","expires_on":")" + std::to_string(expires_on) +
          R"(","not_before":"1767225600","resource":"https://management.azure.com","token_type":"Bearer"})");
}

// The Entra answer to a wrong client secret, as the real service (and the simulator) send it.
inline http::Response invalid_client_reply() {
  return json_reply(
      401,
      R"({"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app 'app-id'. Trace ID: 0f1e2d3c-0000-0000-0000-000000000001 Correlation ID: 0f1e2d3c-0000-0000-0000-000000000002 Timestamp: 2026-01-01 00:00:00Z","error_codes":[7000215],"timestamp":"2026-01-01 00:00:00Z","trace_id":"0f1e2d3c-0000-0000-0000-000000000001","correlation_id":"0f1e2d3c-0000-0000-0000-000000000002"})");
}

// Answers requests from a queue of replies (responses or transport errors) and records every
// request. An exhausted script is a test failure. Anything addressed to the real IMDS address
// fails the test: unit tests must never reach 169.254.169.254.
class ScriptedTransport final : public http::HttpTransport {
 public:
  void reply(http::Response response) { script_.emplace_back(std::move(response)); }
  void fail(core::ErrorKind kind, std::string message) {
    script_.emplace_back(make_error(kind, std::move(message)));
  }

  core::Result<http::Response> send(const http::ClientRequest& request) override {
    std::lock_guard lock(mutex_);
    EXPECT_EQ(request.url.find("169.254.169.254"), std::string::npos)
        << "a test sent a request to the real IMDS address: " << request.url;
    requests_.push_back(request);
    if (script_.empty()) {
      ADD_FAILURE() << "unexpected request " << request.method << " " << request.url;
      return make_error(core::ErrorKind::kTransient, "no scripted reply");
    }
    auto next = std::move(script_.front());
    script_.pop_front();
    return next;
  }

  const std::vector<http::ClientRequest>& requests() const { return requests_; }
  const http::ClientRequest& last() const { return requests_.back(); }
  std::size_t pending() const { return script_.size(); }

 private:
  std::mutex mutex_;
  std::deque<core::Result<http::Response>> script_;
  std::vector<http::ClientRequest> requests_;
};

// application/x-www-form-urlencoded → map (the tests' view of a token request body).
inline std::map<std::string, std::string> parse_form(const std::string& body) {
  std::map<std::string, std::string> out;
  for (const auto& part : core::split(body, '&')) {
    const auto eq = part.find('=');
    bool ok_key = false;
    bool ok_value = false;
    auto key = http::percent_decode_component(part.substr(0, eq), true, &ok_key);
    auto value = http::percent_decode_component(
        eq == std::string::npos ? std::string() : part.substr(eq + 1), true, &ok_value);
    EXPECT_TRUE(ok_key && ok_value) << "malformed form field " << part;
    out[key] = value;
  }
  return out;
}

// The decoded query parameters of an absolute URL.
inline std::map<std::string, std::string> query_of(const std::string& url) {
  const auto q = url.find('?');
  if (q == std::string::npos) return {};
  return parse_form(url.substr(q + 1));
}

inline std::string without_query(const std::string& url) { return url.substr(0, url.find('?')); }

class FakeCommandRunner final : public CommandRunner {
 public:
  void reply(CommandOutput output) { script_.emplace_back(std::move(output)); }
  void fail(core::ErrorKind kind, std::string message) {
    script_.emplace_back(make_error(kind, std::move(message)));
  }

  core::Result<CommandOutput> run(const std::vector<std::string>& argv,
                                  std::chrono::milliseconds timeout) override {
    calls_.push_back(argv);
    timeouts_.push_back(timeout);
    if (script_.empty()) {
      ADD_FAILURE() << "unexpected command " << argv.front();
      return make_error(core::ErrorKind::kInvalidConfig, "no scripted command output");
    }
    auto next = std::move(script_.front());
    script_.pop_front();
    return next;
  }

  const std::vector<std::vector<std::string>>& calls() const { return calls_; }
  const std::vector<std::chrono::milliseconds>& timeouts() const { return timeouts_; }

 private:
  std::deque<core::Result<CommandOutput>> script_;
  std::vector<std::vector<std::string>> calls_;
  std::vector<std::chrono::milliseconds> timeouts_;
};

// An environment from a map.
inline config::EnvLookup fake_env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    const auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

// A TokenCredential that answers from a script and counts calls (chain and cache tests).
class ScriptedCredential final : public TokenCredential {
 public:
  explicit ScriptedCredential(std::string name) : name_(std::move(name)) {}

  void reply(std::string token, core::SystemTime expires_on) {
    std::lock_guard lock(mutex_);
    script_.emplace_back(AccessToken{core::Secret(std::move(token)), expires_on});
  }
  void fail(core::ErrorKind kind, std::string message) {
    std::lock_guard lock(mutex_);
    script_.emplace_back(make_error(kind, std::move(message)));
  }

  core::Result<AccessToken> get_token(const std::string& scope) override {
    std::lock_guard lock(mutex_);
    scopes_.push_back(scope);
    ++calls_;
    if (script_.empty()) {
      ADD_FAILURE() << name_ << ": unexpected get_token(" << scope << ")";
      return make_error(core::ErrorKind::kTerminal, name_ + ": no scripted token");
    }
    auto next = std::move(script_.front());
    script_.pop_front();
    return next;
  }
  std::string name() const override { return name_; }

  int calls() const { return calls_; }
  const std::vector<std::string>& scopes() const { return scopes_; }

 private:
  std::string name_;
  mutable std::mutex mutex_;
  std::deque<core::Result<AccessToken>> script_;
  std::vector<std::string> scopes_;
  std::atomic<int> calls_{0};
};

// A scratch directory removed at the end of the test.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "fk-cred-XXXXXX").string();
    const char* made = ::mkdtemp(pattern.data());
    EXPECT_NE(made, nullptr);
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  // Writes `content` to `name` in the directory (replacing it) and returns the full path.
  std::string write(const std::string& name, const std::string& content) const {
    const auto file = path_ / name;
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << content;
    return file.string();
  }
  std::string path(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// The public cloud spelled out, so tests need not call config::well_known_cloud() (fk_config).
inline config::Cloud public_cloud() {
  return {"AzurePublicCloud", "https://management.azure.com", "https://login.microsoftonline.com",
          "https://management.azure.com/.default"};
}

// An AzureConfig for tests: IMDS on loopback, never the real link-local address.
inline config::AzureConfig test_azure_config(config::AuthMethod method) {
  config::AzureConfig azure{.cloud = public_cloud(),
                            .subscription_id = "00000000-0000-0000-0000-0000000000aa",
                            .tenant_id = std::nullopt,
                            .auth = {},
                            .ca_file = std::nullopt};
  azure.auth.method = method;
  azure.auth.imds_endpoint = "http://127.0.0.1:1/metadata/identity/oauth2/token";
  return azure;
}

inline constexpr const char* kArmScope = "https://management.azure.com/.default";
inline constexpr const char* kTenant = "72f988bf-86f1-41af-91ab-2d7cd011db47";
inline constexpr const char* kClientId = "11111111-2222-3333-4444-555555555555";

}  // namespace frankenetes::azure::credential_testing
