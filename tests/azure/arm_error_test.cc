#include "azure/arm_error.h"

#include <gtest/gtest.h>

namespace frankenetes::azure {
namespace {

http::Response response(int status, std::string body, http::Headers headers = {}) {
  http::Response r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

TEST(ArmError, EnvelopeBecomesTypedError) {
  const auto error = error_from_response(
      response(
          404,
          R"({"error":{"code":"ResourceNotFound","message":"The Resource 'Microsoft.ContainerInstance/containerGroups/etcd' under resource group 'cp' was not found."}})",
          {{"x-ms-request-id", "eastus:f097e716-0000"}}),
      "aci.get");
  EXPECT_EQ(error.kind, core::ErrorKind::kNotFound);
  EXPECT_EQ(error.http_status, 404);
  EXPECT_EQ(error.azure_code, "ResourceNotFound");
  EXPECT_EQ(error.request_id, "eastus:f097e716-0000");
  EXPECT_EQ(error.message.rfind("aci.get: The Resource", 0), 0u) << error.message;
}

TEST(ArmError, KindFollowsStatus) {
  const std::string body = R"({"error":{"code":"X","message":"m"}})";
  EXPECT_EQ(error_from_response(response(429, body), "op").kind, core::ErrorKind::kTransient);
  EXPECT_EQ(error_from_response(response(503, body), "op").kind, core::ErrorKind::kTransient);
  EXPECT_EQ(error_from_response(response(409, body), "op").kind, core::ErrorKind::kConflict);
  EXPECT_EQ(error_from_response(response(412, body), "op").kind, core::ErrorKind::kConflict);
  EXPECT_EQ(error_from_response(response(400, body), "op").kind, core::ErrorKind::kTerminal);
  EXPECT_EQ(error_from_response(response(401, body), "op").kind, core::ErrorKind::kTerminal);
  EXPECT_EQ(error_from_response(response(204, ""), "op").kind, core::ErrorKind::kTerminal);
}

TEST(ArmError, DetailsAndGatewayAreMentioned) {
  const auto error = error_from_response(
      response(
          400,
          R"({"error":{"code":"InvalidTemplate","message":"Deployment failed","details":[{"code":"BadImage","message":"image not found"}]}})",
          {{"x-ms-failure-cause", "gateway"}}),
      "aci.create_or_update");
  EXPECT_EQ(error.azure_code, "InvalidTemplate");
  EXPECT_NE(error.message.find("BadImage: image not found"), std::string::npos) << error.message;
  EXPECT_NE(error.message.find("ARM gateway"), std::string::npos);
}

TEST(ArmError, NonArmBodiesAreExcerpted) {
  const auto html = error_from_response(response(502, "<html>\n" + std::string(500, 'x')), "op");
  EXPECT_EQ(html.kind, core::ErrorKind::kTransient);
  EXPECT_EQ(html.azure_code, "");
  EXPECT_NE(html.message.find("HTTP 502 <html>"), std::string::npos);
  EXPECT_LT(html.message.size(), 260u);
  EXPECT_EQ(html.message.find('\n'), std::string::npos);
  const auto binary = error_from_response(response(502, "\xff\xfe\xc3"), "op");
  EXPECT_EQ(binary.message, "op: HTTP 502 ???");
  const auto empty = error_from_response(response(500, ""), "op");
  EXPECT_EQ(empty.message, "op: HTTP 500 with no body");
}

TEST(ArmError, UnwrappedCodeMessageIsAccepted) {
  const auto body = parse_arm_error_body(R"({"code":"TooManyRequests","message":"slow down"})");
  ASSERT_TRUE(body.has_value());
  EXPECT_EQ(body->code, "TooManyRequests");
  EXPECT_FALSE(parse_arm_error_body("{}").has_value());
  EXPECT_FALSE(parse_arm_error_body("nope").has_value());
}

TEST(ArmError, MalformedSuccessBodyIsTerminal) {
  const auto error = malformed_response_error(response(200, "{", {{"x-ms-request-id", "r1"}}),
                                              "aci.get", "not valid JSON");
  EXPECT_EQ(error.kind, core::ErrorKind::kTerminal);
  EXPECT_EQ(error.request_id, "r1");
  EXPECT_EQ(error.message, "aci.get: malformed response: not valid JSON");
}

}  // namespace
}  // namespace frankenetes::azure
