#include "azure/credential_azure_cli.h"

#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>
#include <utility>

#include "azure/credential_token_response.h"
#include "core/json_fields.h"

namespace frankenetes::azure {
namespace {

namespace jf = core::json_fields;

// "2026-01-01 10:00:00.000000" in local time (how older CLIs print expiresOn).
std::optional<core::SystemTime> parse_local_time(const std::string& text) {
  std::tm tm{};
  char tail = 0;
  const int n = std::sscanf(text.c_str(), "%4d-%2d-%2d %2d:%2d:%2d%c", &tm.tm_year, &tm.tm_mon,
                            &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &tail);
  if (n < 6 || (n == 7 && tail != '.')) return std::nullopt;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  tm.tm_isdst = -1;
  const std::time_t t = std::mktime(&tm);
  if (t == static_cast<std::time_t>(-1)) return std::nullopt;
  // from_time_t() would overflow for years past 2262 ("9999-12-31 …").
  return time_from_epoch_seconds(static_cast<std::int64_t>(t));
}

// The first non-empty line of the CLI's stderr, bounded: "ERROR: Please run 'az login' …".
std::string first_line(const std::string& text) {
  std::size_t begin = 0;
  while (begin < text.size()) {
    auto end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    auto line = text.substr(begin, end - begin);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty()) return line.size() > 300 ? line.substr(0, 300) + "…" : line;
    begin = end + 1;
  }
  return "no error output";
}

}  // namespace

AzureCliCredential::AzureCliCredential(AzureCliSettings settings, CommandRunner& runner)
    : settings_(std::move(settings)), runner_(runner) {}

std::vector<std::string> AzureCliCredential::command(const std::string& scope) const {
  std::vector<std::string> argv{
      settings_.program, "account", "get-access-token", "--resource", resource_for_scope(scope),
      "--output",        "json"};
  if (settings_.tenant_id) {
    argv.emplace_back("--tenant");
    argv.push_back(*settings_.tenant_id);
  }
  return argv;
}

core::Result<AccessToken> AzureCliCredential::get_token(const std::string& scope) {
  auto output = runner_.run(command(scope), settings_.timeout);
  if (!output.ok()) {
    auto error = output.error();
    error.message = name() + ": " + error.message;
    return error;
  }
  if (output->exit_code != 0) {
    // Not logged in, expired login, no subscription: the operator must act.
    return core::make_error(core::ErrorKind::kInvalidConfig,
                            name() + ": `az account get-access-token` exited with code " +
                                std::to_string(output->exit_code) + ": " +
                                first_line(output->stderr_text));
  }
  auto token = parse_azure_cli_token(output->stdout_text);
  if (!token.ok()) {
    auto error = token.error();
    error.message = name() + ": " + error.message;
    return error;
  }
  return token;
}

core::Result<AccessToken> parse_azure_cli_token(const std::string& json_text) {
  const auto body = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) {
    return core::make_error(core::ErrorKind::kTerminal, "Azure CLI output is not a JSON object");
  }
  // Only a field's type ever enters a message, never its value.
  const auto token = jf::string(body, "accessToken");
  if (!token || token->empty()) {
    return core::make_error(
        core::ErrorKind::kTerminal,
        "Azure CLI output " + (token ? std::string(R"(has an empty "accessToken")")
                                     : "has " + token.describe("accessToken")));
  }
  AccessToken out{core::Secret(*token), {}};
  // Epoch seconds (CLI >= 2.54) win; a far-future value saturates here and is capped by
  // CachingCredential against the clock.
  const auto epoch = jf::integer_or_decimal_string(body, "expires_on", 1);
  if (epoch.ok()) {
    out.expires_on = time_from_epoch_seconds(*epoch);
    return out;
  }
  if (!epoch.absent()) {
    return core::make_error(core::ErrorKind::kTerminal,
                            "Azure CLI output has " + epoch.describe("expires_on"));
  }
  const auto local = jf::string(body, "expiresOn");
  if (local.ok()) {
    if (const auto when = parse_local_time(*local)) {
      out.expires_on = *when;
      return out;
    }
  }
  return core::make_error(core::ErrorKind::kTerminal,
                          R"(Azure CLI output has neither a valid "expires_on" nor "expiresOn")");
}

}  // namespace frankenetes::azure
