#include "status/admin_router.h"

#include <gtest/gtest.h>

namespace frankenetes::status {
namespace {

http::Request request(std::string method, std::string path) {
  http::Request r;
  r.method = std::move(method);
  r.path = std::move(path);
  return r;
}

AdminRouter router() {
  return AdminRouter({
      .liveness = {{"ping", [] { return CheckResult::pass(); }}},
      .readiness = {{"config", [] { return CheckResult::fail("not loaded"); }}},
      .render_metrics = [] { return std::string("# metrics\n"); },
      .metrics_content_type = "text/plain; version=0.0.4; charset=utf-8",
  });
}

TEST(AdminRouter, RoutesHealthAndMetrics) {
  const auto r = router();
  EXPECT_EQ(r.handle(request("GET", "/livez")).status, 200);
  EXPECT_EQ(r.handle(request("GET", "/readyz")).status, 503);
  const auto metrics = r.handle(request("GET", "/metrics"));
  EXPECT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.body, "# metrics\n");
  EXPECT_EQ(metrics.headers.at("content-type"), "text/plain; version=0.0.4; charset=utf-8");
}

TEST(AdminRouter, UnknownPathIs404) {
  EXPECT_EQ(router().handle(request("GET", "/nope")).status, 404);
  EXPECT_EQ(router().handle(request("GET", "/livezz")).status, 404);
}

TEST(AdminRouter, WrongMethodIs405WithAllow) {
  const auto r = router().handle(request("POST", "/metrics"));
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.headers.at("Allow"), "GET, HEAD");
}

TEST(AdminRouter, HeadHasNoBody) {
  const auto r = router().handle(request("HEAD", "/livez"));
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.body.empty());
}

}  // namespace
}  // namespace frankenetes::status
