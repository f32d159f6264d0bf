// HttpServer over plain TCP on loopback, driven by raw Beast clients (server_harness.h).
// No sleeps: every wait is on a completion with a deadline.

#include "http/server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

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
    Response response =
        Response::text(201, r.method + " " + r.path + " q=" + r.query_param("q").value_or("-") +
                                " h=" + r.header("x-test") + " body=" + r.body);
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

// The server's end of every accepted connection in this process: sockets bound to `port` that
// have a peer (the listener has none).
std::vector<int> accepted_sockets(std::uint16_t port) {
  std::vector<int> out;
  std::error_code ec;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end; it.increment(ec)) {
    const int fd = std::stoi(it->path().filename().string());
    sockaddr_in local{}, peer{};
    socklen_t local_len = sizeof local, peer_len = sizeof peer;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) != 0 || local.sin_family != AF_INET) continue;
    if (ntohs(local.sin_port) != port) continue;
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) continue;
    out.push_back(fd);
  }
  return out;
}

// Nagle would hold a response's last segment until the client ACKs the one before, which a
// delayed-ACK client does up to 40 ms later: every multi-segment answer (an ARM LIST page, a
// /metrics scrape) would take 40 ms more.
TEST(HttpServer, AcceptedConnectionsSendWithoutNagleDelay) {
  ServerHarness harness(loopback_options(), make_sync_handler([](const Request&) {
                          return Response::text(200, std::string(256 * 1024, 'x'));
                        }));
  ASSERT_TRUE(harness.start().ok());
  RawClient client;
  ASSERT_FALSE(client.connect(harness.port()));
  const Reply reply = client.round_trip(http_request("GET", "/big"));
  ASSERT_FALSE(reply.ec);
  const auto fds = accepted_sockets(harness.port());
  ASSERT_EQ(fds.size(), 1u);
  int no_delay = 0;
  socklen_t len = sizeof no_delay;
  ASSERT_EQ(getsockopt(fds.front(), IPPROTO_TCP, TCP_NODELAY, &no_delay, &len), 0);
  EXPECT_NE(no_delay, 0);
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

TEST(HttpServer, HeadResponseHasHeadersButNoBody) {
  ServerHarness harness(loopback_options(), make_sync_handler([](const Request&) {
                          return Response::text(200, "twelve bytes");
                        }));
  ASSERT_TRUE(harness.start().ok());
  RawClient client;
  ASSERT_FALSE(client.connect(harness.port()));
  ASSERT_FALSE(client.send(http_request("HEAD", "/")));
  // A response parser must be told the request was HEAD, or it would wait for 12 bytes.
  bhttp::response_parser<bhttp::empty_body> parser;
  parser.skip(true);
  const error_code result = client.read(parser);
  ASSERT_FALSE(result) << result.message();
  EXPECT_EQ(parser.get()[bhttp::field::content_length], "12");
  // The connection is still usable, so nothing (no body) was left on the wire.
  const Reply next = client.round_trip(http_request("GET", "/"));
  ASSERT_FALSE(next.ec);
  EXPECT_EQ(next.response.body(), "twelve bytes");
}

TEST(HttpServer, PipelinedRequestsAreAnsweredInOrder) {
  ServerHarness harness(loopback_options(), echo_handler());
  ASSERT_TRUE(harness.start().ok());
  RawClient client;
  ASSERT_FALSE(client.connect(harness.port()));
  ASSERT_FALSE(client.send(http_request("GET", "/first") + http_request("GET", "/second")));
  const Reply first = client.read_response();
  const Reply second = client.read_response();
  ASSERT_FALSE(first.ec);
  ASSERT_FALSE(second.ec);
  EXPECT_EQ(first.response.body(), "GET /first q=- h= body=");
  EXPECT_EQ(second.response.body(), "GET /second q=- h= body=");
}

TEST(HttpServer, OversizedHeaderGets431AndServerKeepsServing) {
  ServerHarness harness(loopback_options(), echo_handler());  // max_header_bytes = 8 KiB
  ASSERT_TRUE(harness.start().ok());
  {
    RawClient client;
    ASSERT_FALSE(client.connect(harness.port()));
    const Reply reply =
        client.round_trip(http_request("GET", "/", "X-Big: " + std::string(9000, 'x') + "\r\n"));
    ASSERT_FALSE(reply.ec) << reply.ec.message();
    EXPECT_EQ(reply.response.result_int(), 431);
    EXPECT_FALSE(reply.response.keep_alive());
    EXPECT_EQ(client.wait_for_close(), asio::error::eof);
  }
  RawClient fresh;
  ASSERT_FALSE(fresh.connect(harness.port()));
  const Reply reply = fresh.round_trip(http_request("GET", "/"));
  ASSERT_FALSE(reply.ec);
  EXPECT_EQ(reply.response.result_int(), 201);
}

TEST(HttpServer, BodyOverLimitGets413) {
  ServerOptions options = loopback_options();
  options.max_body_bytes = 1024;
  ServerHarness harness(options, echo_handler());
  ASSERT_TRUE(harness.start().ok());
  RawClient client;
  ASSERT_FALSE(client.connect(harness.port()));
  // Announce 2 MiB but send only the start: the server must answer from the header alone.
  const Reply reply = client.round_trip(
      "PUT /upload HTTP/1.1\r\nHost: localhost\r\n"
      "Content-Length: 2097152\r\n\r\n" +
      std::string(2000, 'b'));
  ASSERT_FALSE(reply.ec) << reply.ec.message();
  EXPECT_EQ(reply.response.result_int(), 413);
  EXPECT_FALSE(reply.response.keep_alive());

  RawClient small;  // a body within the limit is fine
  ASSERT_FALSE(small.connect(harness.port()));
  const Reply ok = small.round_trip(http_request("PUT", "/upload", "", std::string(1024, 'b')));
  ASSERT_FALSE(ok.ec);
  EXPECT_EQ(ok.response.result_int(), 201);
}

TEST(HttpServer, MalformedRequestsGet400) {
  ServerHarness harness(loopback_options(), echo_handler());
  ASSERT_TRUE(harness.start().ok());
  for (const std::string raw : {"GARBAGE\r\n\r\n", "GET / HTTP/9.9\r\nHost: x\r\n\r\n",
                                "GET /a%zz HTTP/1.1\r\nHost: x\r\n\r\n",
                                "GET http://example.com/ HTTP/1.1\r\nHost: x\r\n\r\n"}) {
    SCOPED_TRACE(raw);
    RawClient client;
    ASSERT_FALSE(client.connect(harness.port()));
    const Reply reply = client.round_trip(raw);
    ASSERT_FALSE(reply.ec) << reply.ec.message();
    EXPECT_EQ(reply.response.result_int(), 400);
    EXPECT_EQ(client.wait_for_close(), asio::error::eof);
  }
}

TEST(HttpServer, ConnectionsOverTheLimitGet503) {
  ServerOptions options = loopback_options();
  options.max_connections = 2;
  // The handler holds its requests, so both admitted connections are busy (idle ones would be
  // closed to make room) until the test answers them.
  std::mutex mutex;
  std::vector<Responder> held;
  std::promise<void> both_held;
  ServerHarness harness(options, [&](Request, Responder respond) {
    std::lock_guard lock(mutex);
    held.push_back(std::move(respond));
    if (held.size() == 2) both_held.set_value();
  });
  // Responders hold executors of the harness's io_context: drop them before the harness goes.
  struct DropHeld {
    std::mutex& mutex;
    std::vector<Responder>& held;
    ~DropHeld() {
      std::lock_guard lock(mutex);
      held.clear();
    }
  } drop_held{mutex, held};
  ASSERT_TRUE(harness.start().ok());
  RawClient first;
  RawClient second;
  for (RawClient* client : {&first, &second}) {
    ASSERT_FALSE(client->connect(harness.port()));
    ASSERT_FALSE(client->send(http_request("GET", "/")));
  }
  ASSERT_EQ(both_held.get_future().wait_for(kStepDeadline), std::future_status::ready);
  EXPECT_EQ(harness.server().open_connections(), 2u);

  RawClient third;
  ASSERT_FALSE(third.connect(harness.port()));
  const Reply reply = third.round_trip(http_request("GET", "/"));
  ASSERT_FALSE(reply.ec) << reply.ec.message();
  EXPECT_EQ(reply.response.result_int(), 503);
  EXPECT_EQ(reply.response[bhttp::field::connection], "close");
  EXPECT_EQ(third.wait_for_close(), asio::error::eof);
  EXPECT_EQ(harness.server().open_connections(), 2u);  // the rejected one never counted

  {
    std::lock_guard lock(mutex);
    for (auto& respond : held) respond(Response::text(200, "released\n"));
  }
  EXPECT_EQ(first.read_response().response.result_int(), 200);
  EXPECT_EQ(second.read_response().response.result_int(), 200);
}

TEST(HttpServer, IdleKeepAliveConnectionIsClosedAfterIdleTimeout) {
  ServerOptions options = loopback_options();
  options.idle_timeout = std::chrono::milliseconds(200);
  ServerHarness harness(options, echo_handler());
  ASSERT_TRUE(harness.start().ok());
  RawClient client;
  ASSERT_FALSE(client.connect(harness.port()));
  ASSERT_EQ(client.round_trip(http_request("GET", "/")).response.result_int(), 201);
  const auto before = std::chrono::steady_clock::now();
  EXPECT_EQ(client.wait_for_close(std::chrono::seconds(3)), asio::error::eof);
  EXPECT_GE(std::chrono::steady_clock::now() - before, std::chrono::milliseconds(150));
}

TEST(HttpServer, ResponderMayBeCalledFromAnotherThread) {
  std::vector<std::thread> workers;
  std::mutex mutex;
  ServerHarness harness(loopback_options(), [&](Request request, Responder respond) {
    std::lock_guard lock(mutex);
    workers.emplace_back([request = std::move(request), respond = std::move(respond)] {
      respond(Response::text(200, "async " + request.path));
    });
  });
  ASSERT_TRUE(harness.start().ok());
  RawClient client;
  ASSERT_FALSE(client.connect(harness.port()));
  for (const char* path : {"/a", "/b"}) {
    const Reply reply = client.round_trip(http_request("GET", path));
    ASSERT_FALSE(reply.ec);
    EXPECT_EQ(reply.response.body(), std::string("async ") + path);
  }
  std::lock_guard lock(mutex);
  for (auto& worker : workers) worker.join();
}

TEST(HttpServer, SlowHandlerGets503AndItsLateAnswerIsDropped) {
  ServerOptions options = loopback_options();
  options.handler_timeout = std::chrono::milliseconds(100);
  std::promise<Responder> parked;
  ServerHarness harness(options, [&](Request, Responder respond) { parked.set_value(respond); });
  ASSERT_TRUE(harness.start().ok());
  Responder late;
  {
    RawClient client;
    ASSERT_FALSE(client.connect(harness.port()));
    const Reply reply = client.round_trip(http_request("GET", "/slow", "Connection: close\r\n"));
    ASSERT_FALSE(reply.ec);
    EXPECT_EQ(reply.response.result_int(), 503);
    EXPECT_EQ(reply.response.body(), "handler timed out\n");
    EXPECT_EQ(client.wait_for_close(), asio::error::eof);
    auto future = parked.get_future();
    ASSERT_EQ(future.wait_for(kStepDeadline), std::future_status::ready);
    late = future.get();
  }
  // The connection is gone (or going); answering now must be harmless, twice over.
  late(Response::text(200, "too late"));
  late(Response::text(200, "even later"));
}

TEST(HttpServer, HandlerExceptionBecomes500) {
  ServerHarness harness(loopback_options(),
                        [](Request, Responder) -> void { throw std::runtime_error("boom"); });
  ASSERT_TRUE(harness.start().ok());
  RawClient client;
  ASSERT_FALSE(client.connect(harness.port()));
  const Reply reply = client.round_trip(http_request("GET", "/"));
  ASSERT_FALSE(reply.ec);
  EXPECT_EQ(reply.response.result_int(), 500);
}

// The throw is reported to the application (method, target, what()), the 500 does
// not leak the exception text, and the same connection and the io thread keep serving.
TEST(HttpServer, HandlerExceptionIsReportedAndServingContinues) {
  std::mutex mutex;
  std::vector<std::string> reports;
  auto options = loopback_options();
  options.on_handler_exception = [&](const std::string& method, const std::string& target,
                                     const std::string& what) {
    std::lock_guard lock(mutex);
    reports.push_back(method + " " + target + " " + what);
  };
  ServerHarness harness(options, make_sync_handler([](const Request& r) {
                          if (r.path == "/throw") throw std::runtime_error("secret detail");
                          if (r.path == "/throw-other") throw 42;
                          return Response::text(200, "fine");
                        }));
  ASSERT_TRUE(harness.start().ok());
  RawClient client;
  ASSERT_FALSE(client.connect(harness.port()));
  Reply reply = client.round_trip(http_request("GET", "/throw?x=1"));
  ASSERT_FALSE(reply.ec);
  EXPECT_EQ(reply.response.result_int(), 500);
  EXPECT_EQ(reply.response.body().find("secret detail"), std::string::npos);
  reply = client.round_trip(http_request("POST", "/throw-other"));
  ASSERT_FALSE(reply.ec) << reply.ec.message();
  EXPECT_EQ(reply.response.result_int(), 500);
  reply = client.round_trip(http_request("GET", "/ok"));
  ASSERT_FALSE(reply.ec) << reply.ec.message();
  EXPECT_EQ(reply.response.result_int(), 200);
  EXPECT_EQ(reply.response.body(), "fine");
  std::lock_guard lock(mutex);
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_EQ(reports[0], "GET /throw?x=1 secret detail");
  EXPECT_EQ(reports[1], "POST /throw-other an exception not derived from std::exception");
}

TEST(HttpServer, HandlerThatAnsweredThenThrewKeepsItsAnswerAndIsReported) {
  std::atomic<int> reported{0};
  auto options = loopback_options();
  options.on_handler_exception = [&](const std::string&, const std::string&, const std::string&) {
    ++reported;
    throw std::runtime_error("a broken hook must not matter either");
  };
  ServerHarness harness(options, [](Request, Responder respond) {
    respond(Response::text(202, "accepted"));
    throw std::runtime_error("after answering");
  });
  ASSERT_TRUE(harness.start().ok());
  RawClient client;
  ASSERT_FALSE(client.connect(harness.port()));
  Reply reply = client.round_trip(http_request("GET", "/"));
  ASSERT_FALSE(reply.ec);
  EXPECT_EQ(reply.response.result_int(), 202);
  reply = client.round_trip(http_request("GET", "/again"));
  ASSERT_FALSE(reply.ec);
  EXPECT_EQ(reply.response.result_int(), 202);
  EXPECT_EQ(reported.load(), 2);
}

TEST(HttpServer, InvalidResponseHeaderBecomes500) {
  ServerHarness harness(loopback_options(), make_sync_handler([](const Request&) {
                          Response response = Response::text(200, "x");
                          response.headers["X-Injected"] = "a\r\nSet-Cookie: evil";
                          return response;
                        }));
  ASSERT_TRUE(harness.start().ok());
  RawClient client;
  ASSERT_FALSE(client.connect(harness.port()));
  const Reply reply = client.round_trip(http_request("GET", "/"));
  ASSERT_FALSE(reply.ec);
  EXPECT_EQ(reply.response.result_int(), 500);
  EXPECT_EQ(reply.response.count(bhttp::field::set_cookie), 0u);
}

TEST(HttpServer, StopClosesIdleConnectionsAndRunReturnsPromptly) {
  ServerHarness harness(loopback_options(), echo_handler());  // idle_timeout 60 s
  ASSERT_TRUE(harness.start().ok());
  const std::uint16_t port = harness.port();
  RawClient idle;
  ASSERT_FALSE(idle.connect(port));
  ASSERT_EQ(idle.round_trip(http_request("GET", "/")).response.result_int(), 201);
  EXPECT_EQ(harness.server().open_connections(), 1u);

  EXPECT_TRUE(harness.stop_and_wait(std::chrono::seconds(2)));
  EXPECT_EQ(idle.wait_for_close(), asio::error::eof);
  EXPECT_EQ(harness.server().open_connections(), 0u);
  harness.server().stop();  // a second stop is a no-op

  RawClient refused;
  EXPECT_EQ(refused.connect(port), asio::error::connection_refused);
}

TEST(HttpServer, StopLetsAnInFlightRequestFinish) {
  std::promise<Responder> parked;
  ServerHarness harness(loopback_options(),
                        [&](Request, Responder respond) { parked.set_value(respond); });
  ASSERT_TRUE(harness.start().ok());
  RawClient client;
  ASSERT_FALSE(client.connect(harness.port()));
  ASSERT_FALSE(client.send(http_request("GET", "/slow")));
  auto future = parked.get_future();
  ASSERT_EQ(future.wait_for(kStepDeadline), std::future_status::ready);
  Responder respond = future.get();

  EXPECT_FALSE(harness.stop_and_wait(std::chrono::milliseconds(100)));  // still in flight
  respond(Response::text(200, "finished"));
  const Reply reply = client.read_response();
  ASSERT_FALSE(reply.ec);
  EXPECT_EQ(reply.response.body(), "finished");
  EXPECT_FALSE(reply.response.keep_alive());  // stopping: no further requests on it
  client.close();  // else the server waits up to 1 s for our FIN (lingering close)
  EXPECT_TRUE(harness.stop_and_wait(std::chrono::seconds(2)));
}

TEST(HttpServer, StartOnAPortInUseNamesTheAddress) {
  ServerHarness first(loopback_options(), echo_handler());
  ASSERT_TRUE(first.start().ok());
  ServerOptions options = loopback_options();
  options.listen = "127.0.0.1:" + std::to_string(first.port());
  ServerHarness second(options, echo_handler());
  const auto status = second.start();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message, "listen " + options.listen + ": Address already in use");
}

TEST(HttpServer, SecondStartFailsWithoutDisturbingTheFirst) {
  ServerHarness harness(loopback_options(), echo_handler());
  ASSERT_TRUE(harness.start().ok());
  EXPECT_FALSE(harness.server().start().ok());
  RawClient client;
  ASSERT_FALSE(client.connect(harness.port()));
  EXPECT_EQ(client.round_trip(http_request("GET", "/")).response.result_int(), 201);
}

TEST(HttpServer, StartRejectsABadListenAddress) {
  ServerOptions options = loopback_options();
  options.listen = "example.com:80";
  ServerHarness harness(options, echo_handler());
  const auto status = harness.start();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, core::ErrorKind::kInvalidConfig);
}

}  // namespace
}  // namespace frankenetes::http::testing
