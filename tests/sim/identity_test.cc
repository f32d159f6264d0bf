#include "sim/identity.h"

#include <gtest/gtest.h>

#include "sim_harness.h"

namespace frankenetes::sim::testing {
namespace {

using nlohmann::json;

http::Request token_request(const std::string& body, const std::string& tenant = kTenant) {
  auto r = make_request("POST", "/" + tenant + "/oauth2/v2.0/token", body);
  r.headers["Content-Type"] = "application/x-www-form-urlencoded";
  return r;
}

TEST(Identity, ClientSecretGivesBearerToken) {
  SimHarness h;
  auto r = h.sim_.handle_https(token_request(
      "grant_type=client_credentials&client_id=frankenetes-demo&client_secret=s3cret&scope=https%3A%2F%2Fmanagement.azure.com%2F.default"));
  ASSERT_EQ(r.response.status, 200);
  auto body = json::parse(r.response.body);
  EXPECT_EQ(body["token_type"], "Bearer");
  EXPECT_TRUE(body["expires_in"].is_number());
  EXPECT_EQ(body["expires_in"], 3599);
  const auto token = body["access_token"].get<std::string>();
  EXPECT_EQ(std::count(token.begin(), token.end(), '.'), 2) << "JWT-shaped";
}

TEST(Identity, WrongSecretIsAadsts7000215) {
  SimHarness h;
  auto r = h.sim_.handle_https(token_request(
      "grant_type=client_credentials&client_id=frankenetes-demo&client_secret=nope&scope=https%3A%2F%2Fmanagement.azure.com%2F.default"));
  EXPECT_EQ(r.response.status, 401);
  auto body = json::parse(r.response.body);
  EXPECT_EQ(body["error"], "invalid_client");
  EXPECT_EQ(body["error_codes"][0], 7000215);
  for (const char* key : {"error_description", "timestamp", "trace_id", "correlation_id"}) {
    EXPECT_TRUE(body[key].is_string()) << key;
  }
  EXPECT_EQ(body["error_description"].get<std::string>().rfind("AADSTS7000215:", 0), 0u);
}

TEST(Identity, OtherClientCredentialErrors) {
  SimHarness h;
  auto code = [&](const std::string& body, const std::string& tenant = kTenant) {
    auto r = h.sim_.handle_https(token_request(body, tenant)).response;
    EXPECT_GE(r.status, 400);
    return json::parse(r.body)["error_codes"][0].get<int>();
  };
  const std::string scope = "&scope=https%3A%2F%2Fmanagement.azure.com%2F.default";
  EXPECT_EQ(code("grant_type=client_credentials&client_id=other&client_secret=s3cret" + scope), 700016);
  EXPECT_EQ(code("grant_type=client_credentials&client_id=frankenetes-demo" + scope), 7000216);
  EXPECT_EQ(code("grant_type=client_credentials&client_id=frankenetes-demo&client_secret=s3cret&scope=https://management.azure.com/"), 1002012);
  EXPECT_EQ(code("grant_type=password&client_id=frankenetes-demo" + scope), 70003);
  EXPECT_EQ(code("grant_type=client_credentials&client_id=frankenetes-demo&client_secret=s3cret" + scope, "other-tenant"), 90002);
}

TEST(Identity, ClientAssertionAccepted) {
  SimHarness h;
  auto r = h.sim_.handle_https(token_request(
      "grant_type=client_credentials&client_id=frankenetes-demo&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"
      "&client_assertion=eyJhbGciOi.e30.sig&scope=https%3A%2F%2Fmanagement.azure.com%2F.default"));
  EXPECT_EQ(r.response.status, 200) << r.response.body;
}

TEST(Identity, ImdsNeedsMetadataHeaderAndReturnsStrings) {
  SimHarness h;
  const std::string target =
      "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fmanagement.azure.com%2F";
  auto r = h.sim_.handle_control(make_request("GET", target)).response;
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(json::parse(r.body)["error"], "invalid_request");
  auto req = make_request("GET", target);
  req.headers["Metadata"] = "true";
  r = h.sim_.handle_control(req).response;
  ASSERT_EQ(r.status, 200);
  auto body = json::parse(r.body);
  for (const char* key : {"expires_in", "expires_on", "not_before", "access_token", "resource", "token_type"}) {
    EXPECT_TRUE(body[key].is_string()) << key;
  }
  // the IMDS token works against ARM
  auto arm = h.sim_.handle_https(make_request("GET", group_path("frankenetes", "etcd"), {}, body["access_token"]));
  EXPECT_EQ(arm.response.status, 200);
}

TEST(Identity, ShortLifetimeAndRevocation) {
  SimHarness h;
  ASSERT_EQ(h.control("PUT", "/identity", R"({"tokenLifetime":"30s"})").status, 200);
  h.token();
  EXPECT_EQ(h.arm("GET", group_path("frankenetes", "etcd")).status, 200);
  h.advance(std::chrono::seconds(31));
  EXPECT_EQ(h.arm("GET", group_path("frankenetes", "etcd")).status, 401);
  h.token_.clear();
  EXPECT_EQ(h.arm("GET", group_path("frankenetes", "etcd")).status, 200);
  h.control("POST", "/identity/revoke");
  EXPECT_EQ(h.arm("GET", group_path("frankenetes", "etcd")).status, 401);
}

}  // namespace
}  // namespace frankenetes::sim::testing
