#include "azure/async_operation.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "shared_fixtures.h"

namespace frankenetes::azure {
namespace {

TEST(AsyncOperation, StatusBodies) {
  const auto running = parse_async_operation_status(R"({"status":"InProgress"})");
  ASSERT_TRUE(running.ok());
  EXPECT_FALSE(running->terminal());

  // The real ACI shape: id, status, startTime with 7 fractional digits, properties.events.
  const auto done = parse_async_operation_status(
      R"({"id":"/subscriptions/s/resourceGroups/r/providers/Microsoft.ContainerInstance/containerGroups/g","status":"Succeeded","startTime":"2020-11-01T10:00:00.1234567Z","properties":{"events":[]}})");
  ASSERT_TRUE(done.ok());
  EXPECT_TRUE(done->terminal());
  EXPECT_TRUE(done->succeeded());

  const auto failed = parse_async_operation_status(
      R"({"status":"Failed","error":{"code":"ContainerGroupQuotaReached","message":"quota"}})");
  ASSERT_TRUE(failed.ok());
  EXPECT_TRUE(failed->terminal());
  EXPECT_FALSE(failed->succeeded());
  ASSERT_TRUE(failed->error.has_value());
  EXPECT_EQ(failed->error->code, "ContainerGroupQuotaReached");

  const auto canceled = parse_async_operation_status(R"({"status":"canceled"})");
  ASSERT_TRUE(canceled.ok());
  EXPECT_TRUE(canceled->terminal());

  // RP-specific values mean "still running".
  const auto custom = parse_async_operation_status(R"({"status":"Repairing"})");
  ASSERT_TRUE(custom.ok());
  EXPECT_FALSE(custom->terminal());
}

TEST(AsyncOperation, MalformedStatusBodies) {
  for (const char* bad : {"", "{}", "[1]", "{\"status\": 3}", "garbage"}) {
    const auto status = parse_async_operation_status(bad);
    ASSERT_FALSE(status.ok()) << bad;
    EXPECT_EQ(status.error().kind, core::ErrorKind::kTerminal);
    EXPECT_NE(status.error().message.find("malformed"), std::string::npos);
  }
}

// The status decides "poll again / done / failed": absent, null, wrong type or empty is an
// error naming the field, never read as "still running"; a wrong-typed `error` only loses the
// detail.
TEST(AsyncOperation, StatusFieldTable) {
  struct Case {
    const char* body;
    const char* problem;
  };
  const Case cases[] = {
      {R"({"id":"x"})", R"("status" is absent)"},
      {R"({"status":null})", R"("status" is null)"},
      {R"({"status":3})", R"("status" is an integer, expected a string)"},
      {R"({"status":true})", R"("status" is a boolean, expected a string)"},
      {R"({"status":["Succeeded"]})", R"("status" is an array, expected a string)"},
      {R"({"status":""})", R"("status" is empty)"},
  };
  for (const auto& c : cases) {
    const auto status = parse_async_operation_status(c.body);
    ASSERT_FALSE(status.ok()) << c.body;
    EXPECT_NE(status.error().message.find(c.problem), std::string::npos)
        << c.body << ": " << status.error().message;
  }
  const auto odd_error = parse_async_operation_status(R"({"status":"Failed","error":"quota"})");
  ASSERT_TRUE(odd_error.ok());
  EXPECT_TRUE(odd_error->terminal());
  EXPECT_FALSE(odd_error->error.has_value());
}

TEST(AsyncOperation, LocationPrefersAzureAsyncOperation) {
  EXPECT_FALSE(lro_location({}).has_value());
  const auto location = lro_location({{"Location", "https://m/l"}});
  ASSERT_TRUE(location.has_value());
  EXPECT_EQ(location->kind, LroLocation::Kind::kLocation);
  const auto both =
      lro_location({{"location", "https://m/l"}, {"azure-asyncoperation", "https://m/a"}});
  ASSERT_TRUE(both.has_value());
  EXPECT_EQ(both->kind, LroLocation::Kind::kAzureAsyncOperation);
  EXPECT_EQ(both->url, "https://m/a");
}

// The spec examples spell the header in lower case; header lookup is case-insensitive.
TEST(AsyncOperation, FixtureHeadersOfStartAndDelete) {
  FK_REQUIRE_ACI_FIXTURES(dir);
  for (const char* file : {"ContainerGroupsStart.json", "ContainerGroupsDelete.json"}) {
    const auto fixture = nlohmann::json::parse(testing::read_file(dir / file));
    http::Headers headers;
    for (const auto& [name, value] : fixture.at("responses").at("202").at("headers").items()) {
      headers[name] = value.get<std::string>();
    }
    const auto location = lro_location(headers);
    ASSERT_TRUE(location.has_value()) << file;
    EXPECT_EQ(location->kind, LroLocation::Kind::kAzureAsyncOperation);
    EXPECT_NE(location->url.find("/operations/operationId"), std::string::npos);
    EXPECT_FALSE(lro_location({}).has_value());  // the 204 answers carry no header
  }
}

}  // namespace
}  // namespace frankenetes::azure
