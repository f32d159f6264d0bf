#include "azure/credential_token_response.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "azure/credential_fakes.h"

namespace frankenetes::azure {
namespace {

using namespace credential_testing;
using std::chrono::seconds;

const core::SystemTime kNow{seconds(1767225600)};

TokenErrorContext context(std::vector<const core::Secret*> secrets = {}) {
  return {"client_secret", "tenant contoso.onmicrosoft.com", std::move(secrets)};
}

TEST(CredentialTokenResponseTest, ExpiresInAsNumber) {
  const auto token = parse_token_response(entra_token_reply("tok", 3599), kNow, context());
  ASSERT_TRUE(token.ok()) << token.error().describe();
  EXPECT_EQ(token->token.reveal(), "tok");
  EXPECT_EQ(token->expires_on, kNow + seconds(3599));
}

TEST(CredentialTokenResponseTest, ExpiresInAndOnAsStrings) {
  // expires_in wins: it is relative to our clock, expires_on to the server's.
  const auto token =
      parse_token_response(imds_token_reply("tok", 600, 1767225600 + 9999), kNow, context());
  ASSERT_TRUE(token.ok()) << token.error().describe();
  EXPECT_EQ(token->expires_on, kNow + seconds(600));
}

TEST(CredentialTokenResponseTest, ExpiresOnAloneAsNumberOrString) {
  for (const std::string expires_on : {"1767229200", "\"1767229200\""}) {
    const auto reply = json_reply(200, R"({"access_token":"t","expires_on":)" + expires_on + "}");
    const auto token = parse_token_response(reply, kNow, context());
    ASSERT_TRUE(token.ok()) << expires_on << ": " << token.error().describe();
    EXPECT_EQ(token->expires_on, core::SystemTime(seconds(1767229200))) << expires_on;
  }
}

TEST(CredentialTokenResponseTest, RejectsMalformedSuccessBodies) {
  const std::vector<std::string> bodies{
      "not json",
      "[]",
      R"({"expires_in":3599})",
      R"({"access_token":"","expires_in":3599})",
      R"({"access_token":"t"})",
      R"({"access_token":"t","expires_in":"soon"})",
      R"({"access_token":"t","expires_in":"-5"})",
  };
  for (const auto& body : bodies) {
    const auto token = parse_token_response(json_reply(200, body), kNow, context());
    ASSERT_FALSE(token.ok()) << body;
    EXPECT_EQ(token.error().kind, core::ErrorKind::kTerminal) << body;
    EXPECT_NE(token.error().message.find("client_secret"), std::string::npos) << body;
  }
}

TEST(CredentialTokenResponseTest, WrongSecretMapsToInvalidClientWithAadstsCode) {
  const auto token = parse_token_response(invalid_client_reply(), kNow, context());
  ASSERT_FALSE(token.ok());
  const auto& error = token.error();
  EXPECT_EQ(error.kind, core::ErrorKind::kTerminal);
  EXPECT_EQ(error.http_status, 401);
  EXPECT_EQ(error.azure_code, "invalid_client");
  EXPECT_EQ(error.request_id, "0f1e2d3c-0000-0000-0000-000000000001");
  EXPECT_NE(error.message.find("AADSTS7000215"), std::string::npos) << error.message;
  EXPECT_NE(error.message.find("client_secret"), std::string::npos) << error.message;
  EXPECT_NE(error.message.find("tenant contoso.onmicrosoft.com"), std::string::npos);
  // The trace and correlation ids are noise in a log line; request_id keeps the trace id.
  EXPECT_EQ(error.message.find("Correlation ID"), std::string::npos) << error.message;
}

TEST(CredentialTokenResponseTest, AddsAadstsCodeWhenDescriptionLacksIt) {
  const auto reply = json_reply(
      400,
      R"({"error":"invalid_client","error_description":"No matching federated identity record found.","error_codes":[70021]})");
  const auto token = parse_token_response(reply, kNow, context());
  ASSERT_FALSE(token.ok());
  EXPECT_NE(token.error().message.find("invalid_client: AADSTS70021: No matching federated"),
            std::string::npos)
      << token.error().message;
}

TEST(CredentialTokenResponseTest, ErrorKindFollowsStatus) {
  struct Case {
    int status;
    core::ErrorKind kind;
  };
  for (const auto& c :
       {Case{400, core::ErrorKind::kTerminal}, Case{401, core::ErrorKind::kTerminal},
        Case{404, core::ErrorKind::kTerminal}, Case{429, core::ErrorKind::kTransient},
        Case{500, core::ErrorKind::kTransient}, Case{503, core::ErrorKind::kTransient}}) {
    const auto token =
        parse_token_response(json_reply(c.status, "<html>busy</html>"), kNow, context());
    ASSERT_FALSE(token.ok());
    EXPECT_EQ(token.error().kind, c.kind) << c.status;
    EXPECT_EQ(token.error().http_status, c.status);
    EXPECT_NE(token.error().message.find("HTTP " + std::to_string(c.status)), std::string::npos);
  }
}

TEST(CredentialTokenResponseTest, SecretsEchoedByTheServerAreRedacted) {
  const core::Secret secret("s3cr3t-value");
  const auto reply = json_reply(
      400,
      R"({"error":"invalid_request","error_description":"AADSTS900144: bad value s3cr3t-value here","error_codes":[900144]})");
  const auto token = parse_token_response(reply, kNow, context({&secret}));
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.error().message.find("s3cr3t-value"), std::string::npos) << token.error().message;
  EXPECT_NE(token.error().message.find("<redacted>"), std::string::npos);
}

TEST(CredentialTokenResponseTest, ResourceForScope) {
  EXPECT_EQ(resource_for_scope("https://management.azure.com/.default"),
            "https://management.azure.com");
  EXPECT_EQ(resource_for_scope("https://management.chinacloudapi.cn/.default"),
            "https://management.chinacloudapi.cn");
  EXPECT_EQ(resource_for_scope("https://vault.azure.net"), "https://vault.azure.net");
}

TEST(CredentialTokenResponseTest, FormEncodeEscapesReservedCharacters) {
  EXPECT_EQ(form_encode({{"scope", "https://management.azure.com/.default"}, {"a b", "x&y=z+"}}),
            "scope=https%3A%2F%2Fmanagement.azure.com%2F.default&a%20b=x%26y%3Dz%2B");
}

// Every shape of expiry field, as Entra (numbers) and IMDS (strings) send it or
// botch it. A field that is present but unusable is an error naming it (never a default);
// absent/null falls through to the other field; lifetimes beyond a day are capped.
TEST(CredentialTokenResponseTest, ExpiryFieldTable) {
  constexpr long long kDay = 86400;
  constexpr long long kNowS = 1767225600;
  struct Case {
    std::string fields;                 // JSON members after access_token
    std::optional<long long> lifetime;  // expected expires_on - now, nullopt: an error
    std::string problem;                // part of the error message
  };
  const std::vector<Case> cases{
      // expires_in, both encodings.
      {R"("expires_in":3599)", 3599, ""},
      {R"("expires_in":"3599")", 3599, ""},
      {R"("expires_in":3599.0)", 3599, ""},
      {R"("expires_in":86400)", kDay, ""},
      {R"("expires_in":86401)", kDay, ""},                // capped
      {R"("expires_in":"999999999999999")", kDay, ""},    // capped, no overflow
      {R"("expires_in":9223372036854775807)", kDay, ""},  // int64 max: capped
      {R"("expires_in":0)", std::nullopt, "already expired"},
      {R"("expires_in":-5)", std::nullopt, "already expired"},
      {R"("expires_in":"-5")", std::nullopt, "already expired"},
      {R"("expires_in":18446744073709551615)", std::nullopt, R"("expires_in" is too large)"},
      {R"("expires_in":"99999999999999999999")", std::nullopt, R"("expires_in" is too large)"},
      {R"("expires_in":1e300)", std::nullopt, R"("expires_in" is too large)"},
      {R"("expires_in":35.5)", std::nullopt, R"("expires_in" is a number with a fraction)"},
      {R"("expires_in":"soon")", std::nullopt, R"("expires_in" is a string, expected)"},
      {R"("expires_in":"")", std::nullopt, R"("expires_in" is a string, expected)"},
      {R"("expires_in":true)", std::nullopt, R"("expires_in" is a boolean)"},
      {R"("expires_in":{"s":1})", std::nullopt, R"("expires_in" is an object)"},
      // A broken expires_in is not papered over by a good expires_on.
      {R"("expires_in":"soon","expires_on":1767229200)", std::nullopt, R"("expires_in")"},
      // Absent or null expires_in: expires_on decides.
      {R"("expires_in":null,"expires_on":1767229200)", 3600, ""},
      {R"("expires_on":"1767229200")", 3600, ""},
      {R"("expires_on":253402300799)", kDay, ""},  // 9999-12-31: capped, no overflow
      {R"("expires_on":"253402300799")", kDay, ""},
      {R"("expires_on":1767225600)", std::nullopt, "already expired"},  // == now
      {R"("expires_on":0)", std::nullopt, "already expired"},
      {R"("expires_on":-1)", std::nullopt, "already expired"},
      {R"("expires_on":"tomorrow")", std::nullopt, R"("expires_on" is a string, expected)"},
      {R"("expires_on":[1])", std::nullopt, R"("expires_on" is an array)"},
      {R"("expires_on":null)", std::nullopt, R"(neither "expires_in" nor "expires_on")"},
      {R"("token_type":"Bearer")", std::nullopt, R"(neither "expires_in" nor "expires_on")"},
  };
  for (const auto& c : cases) {
    const std::string body = R"({"access_token":"SECRET-tok",)" + c.fields + "}";
    const auto token = parse_token_response(json_reply(200, body), kNow, context());
    if (c.lifetime) {
      ASSERT_TRUE(token.ok()) << body << ": " << token.error().describe();
      EXPECT_EQ(token->expires_on, core::SystemTime(seconds(kNowS + *c.lifetime))) << body;
      continue;
    }
    ASSERT_FALSE(token.ok()) << body;
    EXPECT_EQ(token.error().kind, core::ErrorKind::kTerminal) << body;
    EXPECT_NE(token.error().message.find(c.problem), std::string::npos)
        << body << ": " << token.error().message;
    EXPECT_NE(token.error().message.find("client_secret: token response from tenant"),
              std::string::npos)
        << token.error().message;
    EXPECT_EQ(token.error().message.find("SECRET-tok"), std::string::npos) << body;
  }
}

TEST(CredentialTokenResponseTest, AccessTokenFieldTable) {
  for (const std::string token : {R"(null)", R"(5)", R"(["t"])", R"({"v":"t"})", R"("")"}) {
    const auto body = R"({"access_token":)" + token + R"(,"expires_in":3599})";
    const auto parsed = parse_token_response(json_reply(200, body), kNow, context());
    ASSERT_FALSE(parsed.ok()) << body;
    EXPECT_NE(parsed.error().message.find("access_token"), std::string::npos)
        << parsed.error().message;
  }
}

// The error side is read tolerantly: odd types only lose detail, never throw.
TEST(CredentialTokenResponseTest, WrongTypedErrorFieldsStillGiveAnError) {
  for (const std::string body :
       {R"({"error":5,"error_description":["x"],"error_codes":"70011","trace_id":{}})",
        R"({"error":null,"error_codes":[-1, "x"]})", R"({"error_codes":[1e300]})", R"([])"}) {
    const auto token = parse_token_response(json_reply(400, body), kNow, context());
    ASSERT_FALSE(token.ok()) << body;
    EXPECT_EQ(token.error().http_status, 400);
    EXPECT_NE(token.error().message.find("HTTP 400"), std::string::npos) << token.error().message;
  }
}

TEST(CredentialTokenResponseTest, CapTokenExpiryAndEpochConversion) {
  bool clamped = true;
  EXPECT_EQ(cap_token_expiry(kNow, kNow + std::chrono::hours(1), clamped),
            kNow + std::chrono::hours(1));
  EXPECT_FALSE(clamped);
  EXPECT_EQ(cap_token_expiry(kNow, kNow + std::chrono::hours(25), clamped),
            kNow + kMaxTokenLifetime);
  EXPECT_TRUE(clamped);
  EXPECT_EQ(cap_token_expiry(kNow, kNow - std::chrono::hours(1), clamped),
            kNow - std::chrono::hours(1));
  EXPECT_FALSE(clamped);
  EXPECT_EQ(time_from_epoch_seconds(1767229200), core::SystemTime(seconds(1767229200)));
  EXPECT_EQ(time_from_epoch_seconds(-5), core::SystemTime(seconds(0)));
  // Year 9999 and int64 max saturate inside SystemTime's range instead of overflowing.
  const auto far = time_from_epoch_seconds(253402300799);
  EXPECT_GT(far, core::SystemTime(seconds(253402300799 / 100)));
  EXPECT_EQ(time_from_epoch_seconds(std::numeric_limits<std::int64_t>::max()), far);
}

}  // namespace
}  // namespace frankenetes::azure
