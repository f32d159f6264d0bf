#include "status/health.h"

#include <gtest/gtest.h>

namespace frankenetes::status {
namespace {

http::Request get(std::string path, std::vector<std::pair<std::string, std::string>> query = {}) {
  http::Request r;
  r.method = "GET";
  r.path = std::move(path);
  r.query = std::move(query);
  return r;
}

std::vector<HealthCheck> checks(bool observation_ok) {
  return {
      {"config", [] { return CheckResult::pass(); }},
      {"observation",
       [observation_ok] {
         return observation_ok ? CheckResult::pass()
                               : CheckResult::fail("no successful observation for 35s");
       }},
  };
}

TEST(Health, AllPassingIsTerseOk) {
  const auto r = render_health("readyz", checks(true), get("/readyz"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok\n");
}

TEST(Health, VerboseListsEveryCheck) {
  const auto r = render_health("readyz", checks(true), get("/readyz", {{"verbose", ""}}));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "[+]config ok\n[+]observation ok\nreadyz check passed\n");
}

TEST(Health, FailureIs503AndNamesTheFailingCheck) {
  const auto r = render_health("readyz", checks(false), get("/readyz"));
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.body,
            "[+]config ok\n[-]observation failed: no successful observation for 35s\n"
            "readyz check failed\n");
}

TEST(Health, ExcludedChecksDoNotFail) {
  const auto r = render_health("readyz", checks(false), get("/readyz", {{"exclude", "observation"}}));
  EXPECT_EQ(r.status, 200);
}

TEST(Health, PerCheckSubPath) {
  EXPECT_EQ(render_health("readyz", checks(false), get("/readyz/config")).status, 200);
  const auto failed = render_health("readyz", checks(false), get("/readyz/observation"));
  EXPECT_EQ(failed.status, 503);
  EXPECT_EQ(failed.body, "[-]observation failed: no successful observation for 35s\n");
  const auto unknown = render_health("readyz", checks(false), get("/readyz/nope"));
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.body, "no such readyz check: nope\n");
}

}  // namespace
}  // namespace frankenetes::status
