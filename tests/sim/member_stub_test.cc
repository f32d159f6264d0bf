#include "sim/member_stub.h"

#include <gtest/gtest.h>

namespace frankenetes::sim {
namespace {

http::Request get(const std::string& target) {
  http::Request r;
  r.method = "GET";
  r.target = target;
  auto parsed = http::parse_target(target);
  r.path = parsed->path;
  r.query = parsed->query;
  return r;
}

TEST(MemberStub, HealthFollowsDependency) {
  MemberStubConfig config;
  config.role = "apiserver";
  EXPECT_EQ(stub_response(config, {true, ""}, get("/healthz")).status, 200);
  EXPECT_EQ(stub_response(config, {true, ""}, get("/livez")).body, "ok");
  auto bad = stub_response(config, {false, "connection refused"}, get("/healthz"));
  EXPECT_EQ(bad.status, 500);
  EXPECT_NE(bad.body.find("[-]etcd failed: reason withheld"), std::string::npos);
  auto verbose = stub_response(config, {false, "connection refused"}, get("/readyz?verbose"));
  EXPECT_NE(verbose.body.find("connection refused"), std::string::npos);
}

TEST(MemberStub, Version) {
  MemberStubConfig config;
  config.version = "v1.9.2";
  auto r = stub_response(config, {}, get("/version"));
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("\"gitVersion\":\"v1.9.2\""), std::string::npos);
  EXPECT_NE(r.body.find("\"minor\":\"9\""), std::string::npos);
  EXPECT_EQ(stub_response(config, {}, get("/api/v1/pods")).status, 404);
}

}  // namespace
}  // namespace frankenetes::sim
