// GET /health/{ip}: the virtual-mode probe target, driven through Simulator::health() on a
// fake clock with virtual containers.

#include "sim/health_endpoint.h"

#include <gtest/gtest.h>

#include <optional>

#include "etcd/maintenance_status.h"
#include "sim_harness.h"

namespace frankenetes::sim::testing {
namespace {

using nlohmann::json;
using std::chrono::seconds;

// One probe; `answer` is filled when (and if) the endpoint responds.
struct Probe {
  std::shared_ptr<std::optional<http::Response>> answer = std::make_shared<std::optional<http::Response>>();
  bool answered() const { return answer->has_value(); }
  int status() const { return answered() ? (*answer)->status : 0; }
  std::string body() const { return answered() ? (*answer)->body : ""; }
};

class HealthEndpointTest : public ::testing::Test {
 protected:
  Probe probe(const std::string& target, const std::string& method = "GET") {
    Probe p;
    h_.sim_.health().handle(make_request(method, target), [answer = p.answer](http::Response r) { *answer = r; });
    return p;
  }
  std::string ip_of(const std::string& name) {
    auto r = h_.control("GET", "/groups/frankenetes/" + name);
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body)["ip"].get<std::string>();
  }
  void control_ok(const std::string& method, const std::string& path, const std::string& body = "{}") {
    auto r = h_.control(method, path, body);
    ASSERT_EQ(r.status, 200) << method << " " << path << ": " << r.body;
  }

  SimHarness h_;
};

TEST_F(HealthEndpointTest, RunningGroupIsOkAndTheRestOfThePathIsIgnored) {
  const auto ip = ip_of("etcd");
  ASSERT_FALSE(ip.empty());
  auto p = probe("/health/" + ip);
  EXPECT_EQ(p.status(), 200);
  EXPECT_EQ(p.body(), "ok\n");
  EXPECT_EQ(probe("/health/" + ip + "/livez?verbose").status(), 200);
  EXPECT_EQ(probe("/health/" + ip, "HEAD").status(), 200);
}

TEST_F(HealthEndpointTest, UnknownIpOtherRoutesAndMethods) {
  EXPECT_EQ(probe("/health/127.250.0.1").status(), 404);
  EXPECT_EQ(probe("/health/").status(), 404);
  EXPECT_EQ(probe("/health/not-an-ip").status(), 404);
  EXPECT_EQ(probe("/healthz").status(), 404);
  EXPECT_EQ(probe("/health/" + ip_of("etcd"), "POST").status(), 405);
}

TEST_F(HealthEndpointTest, EtcdStatusAnswersAsEtcdWithARevisionThatGrows) {
  auto first = probe("/v3/maintenance/status", "POST");
  ASSERT_EQ(first.status(), 200) << first.body();
  auto status = etcd::parse_maintenance_status(first.body());
  ASSERT_TRUE(status.ok()) << status.error().message;
  EXPECT_EQ(status->cluster_id, 324952591200643719u);
  EXPECT_EQ(status->member_id, 3319814642761637952u);
  EXPECT_EQ(status->version, "3.4.23");
  ASSERT_TRUE(status->revision.has_value());
  const auto second =
      etcd::parse_maintenance_status(probe("/v3/maintenance/status", "POST").body());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->revision, *status->revision + 1);
  EXPECT_EQ(second->cluster_id, status->cluster_id);
  EXPECT_EQ(probe("/v3/maintenance/status").status(), 404);  // GET: not etcd's route
}

TEST_F(HealthEndpointTest, ProbesAreNotInTheRequestLog) {
  const auto before = h_.sim_.request_log().last_seq();
  for (int i = 0; i < 5; ++i) probe("/health/" + ip_of("etcd"));
  probe("/health/127.250.0.1");
  probe("/v3/maintenance/status", "POST");
  EXPECT_EQ(h_.sim_.request_log().last_seq(), before);
}

TEST_F(HealthEndpointTest, CrashLoopIs503UntilTheContainerRunsAgain) {
  const auto ip = ip_of("etcd");
  control_ok("POST", "/groups/frankenetes/etcd/containers/etcd/crash", R"({"always":true})");
  auto p = probe("/health/" + ip);
  EXPECT_EQ(p.status(), 503);
  EXPECT_NE(p.body().find("container etcd is Waiting (CrashLoopBackOff"), std::string::npos) << p.body();

  // Cleared: the next start (after the 10 s back-off) stays up.
  control_ok("DELETE", "/groups/frankenetes/etcd/containers/etcd/crash");
  h_.advance(seconds(9));
  EXPECT_EQ(probe("/health/" + ip).status(), 503);
  h_.advance(seconds(2));
  EXPECT_EQ(probe("/health/" + ip).status(), 200);
}

TEST_F(HealthEndpointTest, StoppedAndRestartingGroupsAreNotOk) {
  const auto ip = ip_of("etcd");
  ASSERT_EQ(h_.arm("POST", group_path("frankenetes", "etcd", "/restart")).status, 204);
  auto p = probe("/health/" + ip);
  EXPECT_EQ(p.status(), 503);
  EXPECT_EQ(p.body(), "group etcd is Pending\n");
  h_.advance(seconds(3));  // restart delay 2 s; the IP is kept
  EXPECT_EQ(probe("/health/" + ip).status(), 200);

  // A stopped group has no IP: its former one answers 404, as nobody holds it.
  ASSERT_EQ(h_.arm("POST", group_path("frankenetes", "etcd", "/stop")).status, 204);
  EXPECT_EQ(probe("/health/" + ip).status(), 404);
}

TEST_F(HealthEndpointTest, AProbeOfTheOldIpFailsAfterAnIpChange) {
  const auto old_ip = ip_of("etcd");
  control_ok("POST", "/groups/frankenetes/etcd/ip", R"({"ip":"127.1.9.9"})");
  EXPECT_EQ(probe("/health/" + old_ip).status(), 404);
  h_.advance(seconds(3));  // the move restarts the group in place
  EXPECT_EQ(probe("/health/127.1.9.9").status(), 200);
  EXPECT_EQ(probe("/health/" + old_ip).status(), 404);
}

TEST_F(HealthEndpointTest, HungContainerGetsNoAnswerUntilTheHangEnds) {
  ASSERT_EQ(h_.arm("PUT", group_path("frankenetes", "other"), group_body("other").dump()).status, 201);
  h_.advance(seconds(5));
  const auto ip = ip_of("etcd");
  control_ok("POST", "/groups/frankenetes/etcd/containers/etcd/hang", R"({"hung":true})");

  auto hung = probe("/health/" + ip);
  EXPECT_FALSE(hung.answered());
  EXPECT_EQ(h_.sim_.health().parked(), 1u);
  // Other groups are answered meanwhile.
  EXPECT_EQ(probe("/health/" + ip_of("other")).status(), 200);
  h_.advance(seconds(60));
  EXPECT_FALSE(hung.answered());

  control_ok("POST", "/groups/frankenetes/etcd/containers/etcd/hang", R"({"hung":false})");
  EXPECT_FALSE(hung.answered());  // answered by the next tick, not from inside the control call
  h_.advance(std::chrono::milliseconds(50));
  EXPECT_EQ(hung.status(), 200);
  EXPECT_EQ(h_.sim_.health().parked(), 0u);
}

TEST_F(HealthEndpointTest, HungProbeGets503AtTheCap) {
  const auto ip = ip_of("etcd");
  control_ok("POST", "/groups/frankenetes/etcd/containers/etcd/hang", R"({"hung":true})");
  auto first = probe("/health/" + ip);
  h_.advance(seconds(30));
  auto second = probe("/health/" + ip);
  h_.advance(HealthEndpoint::kDefaultHangCap - seconds(30) - seconds(1));
  EXPECT_FALSE(first.answered());
  h_.advance(seconds(1));
  EXPECT_EQ(first.status(), 503);
  EXPECT_EQ(first.body(), "hung: no answer within 120 s\n");
  EXPECT_FALSE(second.answered());
  h_.advance(seconds(30));
  EXPECT_EQ(second.status(), 503);
}

TEST_F(HealthEndpointTest, RestartEndsTheHang) {
  const auto ip = ip_of("etcd");
  control_ok("POST", "/groups/frankenetes/etcd/containers/etcd/hang", R"({"hung":true})");
  auto hung = probe("/health/" + ip);
  ASSERT_EQ(h_.arm("POST", group_path("frankenetes", "etcd", "/restart")).status, 204);
  h_.advance(std::chrono::milliseconds(50));
  // The process was killed: the parked probe fails (as a reset connection would).
  EXPECT_EQ(hung.status(), 503);
  EXPECT_EQ(hung.body(), "group etcd is Pending\n");
  h_.advance(seconds(3));
  EXPECT_EQ(probe("/health/" + ip).status(), 200);
}

}  // namespace
}  // namespace frankenetes::sim::testing
