// HttpServer over plain TCP on loopback, driven by raw Beast clients (server_harness.h).
// No sleeps: every wait is on a completion with a deadline.

#include "http/server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>

#include "http/server_harness.h"

namespace frankenetes::http::testing {
namespace {

ServerOptions loopback_options() {
  ServerOptions options;
  options.listen = "127.0.0.1:0";
  return options;
}

// Echoes what the server parsed, so the round trip checks both directions.
Handler echo_handler() {
  return make_sync_handler([](const Request& r) {
    if (r.path == "/missing") return Response::text(404, "not found\n");
    Response response = Response::text(201, r.method + " " + r.path + " q=" +
                                                 r.query_param("q").value_or("-") + " h=" +
                                                 r.header("x-test") + " body=" + r.body);
    response.headers["X-Remote-Set"] = r.remote_address.empty() ? "no" : "yes";
    return response;
  });
}

TEST(HttpServer, RoundTripThroughHandler) {
  ServerHarness harness(loopback_options(), echo_handler());
  ASSERT_TRUE(harness.start().ok());
  ASSERT_NE(harness.port(), 0);

  RawClient client;
  ASSERT_FALSE(client.connect(harness.port()));
  const Reply reply =
      client.round_trip(http_request("POST", "/echo%20me?q=a+b", "X-Test: Value\r\n", "payload"));
  ASSERT_FALSE(reply.ec) << reply.ec.message();
  EXPECT_EQ(reply.response.result_int(), 201);
  EXPECT_EQ(reply.response.reason(), "Created");
  EXPECT_EQ(reply.response.body(), "POST /echo me q=a b h=Value body=payload");
  EXPECT_EQ(reply.response[bhttp::field::content_type], "text/plain; charset=utf-8");
  EXPECT_EQ(reply.response[bhttp::field::content_length],
            std::to_string(reply.response.body().size()));
  EXPECT_EQ(reply.response[bhttp::field::server], "frankenetes");
  EXPECT_EQ(reply.response["X-Remote-Set"], "yes");
}

TEST(HttpServer, HandlerDecidesNotFound) {
  ServerHarness harness(loopback_options(), echo_handler());
  ASSERT_TRUE(harness.start().ok());
  RawClient client;
  ASSERT_FALSE(client.connect(harness.port()));
  const Reply reply = client.round_trip(http_request("GET", "/missing"));
  ASSERT_FALSE(reply.ec);
  EXPECT_EQ(reply.response.result_int(), 404);
  EXPECT_EQ(reply.response.body(), "not found\n");
}

TEST(HttpServer, KeepAliveServesTwoRequestsOnOneConnection) {
  std::mutex mutex;
  std::vector<std::string> remotes;
  ServerHarness harness(loopback_options(), make_sync_handler([&](const Request& r) {
                          std::lock_guard lock(mutex);
                          remotes.push_back(r.remote_address);
                          return Response::text(200, r.path);
                        }));
  ASSERT_TRUE(harness.start().ok());
  RawClient client;
  ASSERT_FALSE(client.connect(harness.port()));
  for (const char* path : {"/one", "/two"}) {
    const Reply reply = client.round_trip(http_request("GET", path));
    ASSERT_FALSE(reply.ec) << reply.ec.message();
    EXPECT_EQ(reply.response.body(), path);
    EXPECT_TRUE(reply.response.keep_alive());
  }
  std::lock_guard lock(mutex);
  ASSERT_EQ(remotes.size(), 2u);
  EXPECT_EQ(remotes[0], remotes[1]);  // same connection, same client port
}

TEST(HttpServer, ConnectionCloseIsHonoured) {
  ServerHarness harness(loopback_options(), echo_handler());
  ASSERT_TRUE(harness.start().ok());
  RawClient client;
  ASSERT_FALSE(client.connect(harness.port()));
  const Reply reply = client.round_trip(http_request("GET", "/", "Connection: close\r\n"));
  ASSERT_FALSE(reply.ec);
  EXPECT_FALSE(reply.response.keep_alive());
  EXPECT_EQ(reply.response[bhttp::field::connection], "close");
  EXPECT_EQ(client.wait_for_close(), asio::error::eof);
}

}  // namespace
}  // namespace frankenetes::http::testing
