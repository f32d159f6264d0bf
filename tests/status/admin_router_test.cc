#include "status/admin_router.h"

#include <gtest/gtest.h>

#include <optional>

namespace frankenetes::status {
namespace {

const char* const kToken = "s3cret-admin-token-0123456789";

http::Request request(std::string method, std::string path, std::string authorization = "") {
  http::Request r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.remote_address = "127.0.0.1:40000";
  if (!authorization.empty()) r.headers["Authorization"] = std::move(authorization);
  return r;
}

struct Router {
  std::optional<core::Secret> token{core::Secret(kToken)};
  std::vector<AdminCommand> commands;
  std::vector<AuthOutcome> refusals;
  AdminRouter router{{
      .liveness = {{"ping", [] { return CheckResult::pass(); }}},
      .readiness = {{"config", [] { return CheckResult::fail("not loaded"); }}},
      .render_metrics = [] { return std::string("# metrics\n"); },
      .metrics_content_type = "text/plain; version=0.0.4; charset=utf-8",
      .status =
          [] {
            auto s = std::make_shared<StatusSnapshot>();
            s->build.version = "9.9.9";
            return std::shared_ptr<const StatusSnapshot>(s);
          },
      .admin_token = [this] { return token; },
      .run_admin =
          [this](AdminCommand command, std::function<void(AdminCommandResult)> done) {
            commands.push_back(command);
            done({command.member == "nope" ? 404 : 200, "did " + std::string(to_string(command.kind))});
          },
      .on_auth_failure = [this](const http::Request&, AuthOutcome why) { refusals.push_back(why); },
  }};

  http::Response response(const http::Request& r) {
    auto routed = router.route(r);
    if (auto* direct = std::get_if<http::Response>(&routed)) return *direct;
    ADD_FAILURE() << "a command, not a response: " << r.path;
    return {};
  }
  std::optional<AdminCommand> command(const http::Request& r) {
    auto routed = router.route(r);
    if (auto* c = std::get_if<AdminCommand>(&routed)) return *c;
    return std::nullopt;
  }
  http::Response served(const http::Request& r) {
    std::optional<http::Response> answer;
    router.serve(r, [&](http::Response response) { answer = std::move(response); });
    EXPECT_TRUE(answer.has_value());
    return answer.value_or(http::Response{});
  }
};

TEST(AdminRouter, RoutesHealthAndMetrics) {
  Router r;
  EXPECT_EQ(r.response(request("GET", "/livez")).status, 200);
  EXPECT_EQ(r.response(request("GET", "/readyz")).status, 503);
  const auto metrics = r.response(request("GET", "/metrics"));
  EXPECT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.body, "# metrics\n");
  EXPECT_EQ(metrics.headers.at("content-type"), "text/plain; version=0.0.4; charset=utf-8");
}

TEST(AdminRouter, RoutesTheStatusJsonAndPage) {
  Router r;
  const auto json = r.response(request("GET", "/status"));
  EXPECT_EQ(json.status, 200);
  EXPECT_EQ(json.headers.at("Content-Type"), "application/json");
  EXPECT_NE(json.body.find("\"version\": 1"), std::string::npos);
  EXPECT_EQ(r.response(request("GET", "/status.json")).body, json.body);
  const auto page = r.response(request("GET", "/"));
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.headers.at("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(page.headers.at("Cache-Control"), "no-store");
  EXPECT_NE(page.body.find("version 9.9.9"), std::string::npos);
  EXPECT_TRUE(r.response(request("HEAD", "/")).body.empty());
  EXPECT_EQ(r.response(request("POST", "/status")).status, 405);
}

TEST(AdminRouter, UnknownPathIs404) {
  Router r;
  EXPECT_EQ(r.response(request("GET", "/nope")).status, 404);
  EXPECT_EQ(r.response(request("GET", "/livezz")).status, 404);
  EXPECT_EQ(r.response(request("GET", "/status/x")).status, 404);
}

TEST(AdminRouter, WrongMethodIs405WithAllow) {
  Router r;
  const auto response = r.response(request("POST", "/metrics"));
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(response.headers.at("Allow"), "GET, HEAD");
}

TEST(AdminRouter, HeadHasNoBody) {
  Router r;
  const auto response = r.response(request("HEAD", "/livez"));
  EXPECT_EQ(response.status, 200);
  EXPECT_TRUE(response.body.empty());
}

TEST(AdminRouter, AdminApiIsOffWithoutAToken) {
  Router r;
  r.token.reset();
  const auto response = r.response(request("POST", "/admin/reconcile", std::string("Bearer ") + kToken));
  EXPECT_EQ(response.status, 404);
  EXPECT_NE(response.body.find("adminTokenFile"), std::string::npos);
  EXPECT_TRUE(r.commands.empty());
}

TEST(AdminRouter, WithoutOrWithAWrongTokenIs401WithAChallenge) {
  Router r;
  for (const std::string path : {"/admin/reconcile", "/admin/members/prod/etcd/pause",
                                 "/admin/nothing-here"}) {
    const auto none = r.response(request("POST", path));
    EXPECT_EQ(none.status, 401) << path;
    EXPECT_EQ(none.headers.at("WWW-Authenticate"), R"(Bearer realm="frankenetesd")");
    const auto wrong = r.response(request("POST", path, "Bearer not-the-token"));
    EXPECT_EQ(wrong.status, 401) << path;
    EXPECT_EQ(wrong.headers.at("WWW-Authenticate"),
              R"(Bearer realm="frankenetesd", error="invalid_token")");
    EXPECT_EQ(wrong.body.find(kToken), std::string::npos);
  }
  // GET without a token: still 401 first, the method is not even looked at.
  EXPECT_EQ(r.response(request("GET", "/admin/reconcile")).status, 401);
  EXPECT_EQ(r.refusals.size(), 7u);
  EXPECT_EQ(r.refusals[0], AuthOutcome::kMissing);
  EXPECT_EQ(r.refusals[1], AuthOutcome::kInvalid);
  EXPECT_TRUE(r.commands.empty());
}

TEST(AdminRouter, AuthorizedRequestsBecomeCommands) {
  Router r;
  const std::string bearer = std::string("Bearer ") + kToken;
  const auto reconcile = r.command(request("POST", "/admin/reconcile", bearer));
  ASSERT_TRUE(reconcile);
  EXPECT_EQ(reconcile->kind, AdminCommand::Kind::kReconcile);
  EXPECT_EQ(reconcile->remote, "127.0.0.1:40000");
  EXPECT_EQ(r.command(request("POST", "/admin/members/prod/etcd/pause", bearer)),
            (AdminCommand{AdminCommand::Kind::kPause, "prod", "etcd", "127.0.0.1:40000"}));
  EXPECT_EQ(r.command(request("POST", "/admin/members/prod/etcd/resume", bearer)),
            (AdminCommand{AdminCommand::Kind::kResume, "prod", "etcd", "127.0.0.1:40000"}));
}

TEST(AdminRouter, AuthorizedButMalformedIs404Or405) {
  Router r;
  const std::string bearer = std::string("Bearer ") + kToken;
  for (const std::string path :
       {"/admin", "/admin/", "/admin/members/prod/etcd", "/admin/members/prod/etcd/stop",
        "/admin/members//etcd/pause", "/admin/members/prod/etcd/pause/x", "/admin/reconcile/now"}) {
    EXPECT_EQ(r.response(request("POST", path, bearer)).status, 404) << path;
  }
  const auto get = r.response(request("GET", "/admin/members/prod/etcd/pause", bearer));
  EXPECT_EQ(get.status, 405);
  EXPECT_EQ(get.headers.at("Allow"), "POST");
}

TEST(AdminRouter, ServeAnswersACommandWithItsResult) {
  Router r;
  const std::string bearer = std::string("Bearer ") + kToken;
  const auto ok = r.served(request("POST", "/admin/members/prod/etcd/pause", bearer));
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "{\"message\":\"did pause\",\"ok\":true}\n");
  const auto unknown = r.served(request("POST", "/admin/members/prod/nope/resume", bearer));
  EXPECT_EQ(unknown.status, 404);
  EXPECT_NE(unknown.body.find("\"ok\":false"), std::string::npos);
  EXPECT_EQ(r.served(request("GET", "/livez")).status, 200);
  EXPECT_EQ(r.commands.size(), 2u);
}

}  // namespace
}  // namespace frankenetes::status
