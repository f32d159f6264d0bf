// HttpClient against real servers on loopback: HttpServer (plain and TLS with generated
// certificates) for well-behaved peers, and ScriptedServer, a raw socket server whose every
// connection follows a test-written script, for peers that misbehave on purpose (close idle
// connections, hang, send chunked or oversized responses). Nothing here sleeps to let something
// happen: tests wait on events the server side signals, each bounded by a deadline.

#include "http/client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "http/certificates.h"
#include "http/client_peers.h"
#include "http/detail/connection_pool.h"
#include "http/scripted_server.h"
#include "http/server_harness.h"

namespace frankenetes::http::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
// Upper bounds on how long a timed-out call took prove that the deadline fired rather than
// the peer's silence ending the call; the slack is room for a loaded CI machine (ASan build,
// 2 cores, other tests running), not a speed target.
constexpr auto kSlack = 1500ms;

// ---------------------------------------------------------------------------------------------
// Helpers for HttpServer-backed tests.

const GeneratedTls& tls_for(const std::vector<std::string>& names,
                            const std::vector<std::string>& ips) {
  static std::mutex mutex;
  static std::map<std::pair<std::vector<std::string>, std::vector<std::string>>, GeneratedTls>
      cache;
  std::lock_guard lock(mutex);
  auto [it, inserted] = cache.try_emplace({names, ips});
  if (inserted) {
    auto generated = generate_ca_and_server_certificate(names, ips, std::chrono::hours(1));
    if (!generated) throw std::runtime_error(generated.error().message);
    it->second = *generated;
  }
  return it->second;
}

const GeneratedTls& localhost_and_loopback_tls() {
  return tls_for({"localhost"}, {"127.0.0.1", "::1"});
}

// Writes `pem` to a file under the test temp directory and returns its path.
std::string write_temp_file(const std::string& name, const std::string& content) {
  std::string path =
      ::testing::TempDir() + "/client_test_" + std::to_string(::getpid()) + "_" + name;
  std::ofstream(path) << content;
  return path;
}

std::unique_ptr<HttpClient> make_client(HttpClientOptions options = {}) {
  auto client = HttpClient::create(std::move(options));
  if (!client) throw std::runtime_error(client.error().message);
  return std::move(*client);
}

std::unique_ptr<HttpClient> make_tls_client(const GeneratedTls& tls) {
  HttpClientOptions options;
  options.ca_file = write_temp_file("ca.pem", tls.ca_pem);
  return make_client(options);
}

// Remote addresses seen by a handler: one per client connection.
struct ConnectionLog {
  std::mutex mutex;
  std::set<std::string> remotes;
  void note(const Request& request) {
    std::lock_guard lock(mutex);
    remotes.insert(request.remote_address);
  }
  std::size_t count() {
    std::lock_guard lock(mutex);
    return remotes.size();
  }
};

// ---------------------------------------------------------------------------------------------
// ConnectionPool rules, with a fake connection and a hand-advanced clock.

struct FakeConnection {
  std::string key_;
  int id = 0;
  bool usable = true;
  std::chrono::steady_clock::time_point idle_since_{};
  const std::string& key() const { return key_; }
  std::chrono::steady_clock::time_point idle_since() const { return idle_since_; }
  void set_idle_since(std::chrono::steady_clock::time_point t) { idle_since_ = t; }
  bool looks_usable() const { return usable; }
};

std::unique_ptr<FakeConnection> fake(const std::string& key, int id, bool usable = true) {
  return std::make_unique<FakeConnection>(FakeConnection{key, id, usable, {}});
}

TEST(HttpClientPool, MostRecentlyUsedFirstPerKey) {
  detail::ConnectionPool<FakeConnection> pool(4, 30s);
  const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
  pool.release(fake("http://a:80", 1), t0);
  pool.release(fake("http://a:80", 2), t0 + 1s);
  pool.release(fake("http://b:80", 3), t0 + 1s);
  EXPECT_EQ(pool.idle_count(), 3u);
  EXPECT_EQ(pool.acquire("http://a:80", t0 + 2s)->id, 2);
  EXPECT_EQ(pool.acquire("http://a:80", t0 + 2s)->id, 1);
  EXPECT_EQ(pool.acquire("http://a:80", t0 + 2s), nullptr);
  EXPECT_EQ(pool.acquire("http://c:80", t0 + 2s), nullptr);
  EXPECT_EQ(pool.acquire("http://b:80", t0 + 2s)->id, 3);
  EXPECT_EQ(pool.idle_count(), 0u);
}

TEST(HttpClientPool, DiscardsExpiredAndUnusableConnections) {
  detail::ConnectionPool<FakeConnection> pool(4, 30s);
  const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
  pool.release(fake("k", 1), t0);
  pool.release(fake("k", 2, /*usable=*/false), t0 + 10s);
  // 2 is unusable (server closed it), 1 is still within its 30 s.
  EXPECT_EQ(pool.acquire("k", t0 + 20s)->id, 1);
  pool.release(fake("k", 3), t0 + 20s);
  EXPECT_EQ(pool.acquire("k", t0 + 50s), nullptr);  // idle exactly 30 s: expired
  // Returning a connection sweeps expired ones of every key (at most every idle_timeout / 4;
  // these returns are further apart).
  pool.release(fake("old", 4), t0 + 60s);
  pool.release(fake("new", 5), t0 + 100s);
  EXPECT_EQ(pool.idle_count(), 1u);
}

// A sweep of every key's expired connections walks them all; with a key per probed member
// (thousands) one on every return cost more than the exchange. At most one per quarter of the
// idle timeout, then; a full key still makes room by dropping its own expired ones.
TEST(HttpClientPool, SweepsOtherKeysAtMostOncePerQuarterOfTheIdleTimeout) {
  detail::ConnectionPool<FakeConnection> pool(4, 40s);  // a sweep at most every 10 s
  const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
  pool.release(fake("a", 1), t0);        // sweeps (the first return)
  pool.release(fake("b", 2), t0 + 5s);   // 5 s after it: no sweep
  pool.release(fake("c", 3), t0 + 41s);  // sweeps: a (idle 41 s) goes
  EXPECT_EQ(pool.idle_count(), 2u);
  pool.release(fake("d", 4), t0 + 47s);  // b expired at +45, but the last sweep was 6 s ago
  EXPECT_EQ(pool.idle_count(), 3u) << "b waits for the next sweep";
  pool.release(fake("e", 5), t0 + 52s);  // 11 s after it: sweeps, b goes
  EXPECT_EQ(pool.idle_count(), 3u);
  EXPECT_EQ(pool.acquire("b", t0 + 52s), nullptr);
  const auto c = pool.acquire("c", t0 + 52s);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->id, 3);

  detail::ConnectionPool<FakeConnection> one(1, 40s);
  one.release(fake("k", 1), t0);
  one.release(fake("x", 2), t0 + 35s);  // sweeps; k's 1 is 35 s idle and stays
  one.release(fake("k", 3), t0 + 41s);  // no sweep, but k is full with an expired one
  const auto k = one.acquire("k", t0 + 41s);
  ASSERT_NE(k, nullptr) << "the new one was closed for want of room";
  EXPECT_EQ(k->id, 3) << "the expired one made room, not the new one";
}

TEST(HttpClientPool, KeepsAtMostMaxIdlePerHost) {
  detail::ConnectionPool<FakeConnection> pool(2, 30s);
  const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
  for (int id = 1; id <= 3; ++id) pool.release(fake("k", id), t0);
  pool.release(fake("other", 4), t0);
  EXPECT_EQ(pool.idle_count(), 3u);
  EXPECT_EQ(pool.acquire("k", t0)->id, 2);  // 3 was closed: the pool was full

  detail::ConnectionPool<FakeConnection> disabled(0, 30s);
  disabled.release(fake("k", 1), t0);
  EXPECT_EQ(disabled.idle_count(), 0u);
}

// ---------------------------------------------------------------------------------------------
// Plain HTTP against HttpServer.

TEST(HttpClient, GetAndPutRoundTripWithHeadersAndBody) {
  ServerHarness harness(plain_server(), make_sync_handler([](const Request& r) {
                          Response response = Response::text(
                              r.method == "PUT" ? 201 : 200,
                              r.method + " " + r.target + " body=" + r.body +
                                  " host=" + r.header("Host") + " ua=" + r.header("User-Agent") +
                                  " cl=" + r.header("Content-Length") +
                                  " x=" + r.header("X-Ms-Client-Request-Id"));
                          response.headers["X-Ms-Request-Id"] = "req-1";
                          return response;
                        }));
  ASSERT_TRUE(harness.start().ok());
  HttpClientOptions options;
  options.user_agent = "frankenetesd/0.1.0";
  auto client = make_client(options);

  ClientRequest request = get(plain_url(harness, "/subscriptions/s?api-version=1"));
  request.headers["x-ms-client-request-id"] = "c-1";
  auto got = client->send(request);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->status, 200);
  const std::string authority = "127.0.0.1:" + std::to_string(harness.port());
  EXPECT_EQ(got->body, "GET /subscriptions/s?api-version=1 body= host=" + authority +
                           " ua=frankenetesd/0.1.0 cl= x=c-1");
  EXPECT_EQ(got->headers["x-ms-request-id"], "req-1");  // case-insensitive lookup
  EXPECT_EQ(got->headers["Content-Type"], "text/plain; charset=utf-8");

  request.method = "PUT";
  request.body = R"({"location":"westeurope"})";
  request.headers["Content-Type"] = "application/json";
  auto put = client->send(request);
  ASSERT_TRUE(put) << put.error().message;
  EXPECT_EQ(put->status, 201);
  EXPECT_EQ(put->body,
            "PUT /subscriptions/s?api-version=1 body={\"location\":\"westeurope\"} host=" +
                authority + " ua=frankenetesd/0.1.0 cl=25 x=c-1");
}

TEST(HttpClient, CallerHeadersWinExceptFraming) {
  ServerHarness harness(plain_server(), make_sync_handler([](const Request& r) {
                          return Response::text(200, r.header("User-Agent") + "|" +
                                                         r.header("Host") + "|" +
                                                         r.header("Content-Length") + "|" + r.body);
                        }));
  ASSERT_TRUE(harness.start().ok());
  auto client = make_client();
  ClientRequest request = get(plain_url(harness));
  request.method = "POST";
  request.headers["User-Agent"] = "custom/1";
  request.headers["Host"] = "management.azure.com";
  request.headers["Content-Length"] = "999";  // would desynchronise the connection: ignored
  request.body = "abc";
  auto got = client->send(request);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->body, "custom/1|management.azure.com|3|abc");
}

TEST(HttpClient, ErrorStatusIsAResponseNotAnError) {
  ServerHarness harness(plain_server(), make_sync_handler([](const Request&) {
                          return Response::json(429, R"({"error":{"code":"TooManyRequests"}})");
                        }));
  ASSERT_TRUE(harness.start().ok());
  auto got = make_client()->send(get(plain_url(harness)));
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->status, 429);
  EXPECT_EQ(got->body, R"({"error":{"code":"TooManyRequests"}})");
}

TEST(HttpClient, ReusesKeepAliveConnection) {
  ConnectionLog log;
  ServerHarness harness(plain_server(), make_sync_handler([&](const Request& r) {
                          log.note(r);
                          return Response::text(200, "ok");
                        }));
  ASSERT_TRUE(harness.start().ok());
  auto client = make_client();
  for (int i = 0; i < 3; ++i) {
    auto got = client->send(get(plain_url(harness)));
    ASSERT_TRUE(got) << got.error().message;
  }
  EXPECT_EQ(client->connections_opened(), 1u);
  EXPECT_EQ(log.count(), 1u);
  EXPECT_EQ(client->idle_connections(), 1u);
}

TEST(HttpClient, NoReuseWhenPoolDisabled) {
  ConnectionLog log;
  ServerHarness harness(plain_server(), make_sync_handler([&](const Request& r) {
                          log.note(r);
                          return Response::text(200, "ok");
                        }));
  ASSERT_TRUE(harness.start().ok());
  HttpClientOptions options;
  options.max_idle_per_host = 0;
  auto client = make_client(options);
  ASSERT_TRUE(client->send(get(plain_url(harness))));
  ASSERT_TRUE(client->send(get(plain_url(harness))));
  EXPECT_EQ(client->connections_opened(), 2u);
  EXPECT_EQ(log.count(), 2u);
  EXPECT_EQ(client->idle_connections(), 0u);
}

TEST(HttpClient, IdleConnectionsExpire) {
  ServerHarness harness(
      plain_server(), make_sync_handler([](const Request&) { return Response::text(200, "ok"); }));
  ASSERT_TRUE(harness.start().ok());
  HttpClientOptions options;
  options.idle_timeout = 0ms;  // every pooled connection is already expired when looked up
  auto client = make_client(options);
  ASSERT_TRUE(client->send(get(plain_url(harness))));
  ASSERT_TRUE(client->send(get(plain_url(harness))));
  EXPECT_EQ(client->connections_opened(), 2u);
}

TEST(HttpClient, HeadAnd204And304CarryNoBodyAndDoNotHang) {
  ServerHarness harness(plain_server(), make_sync_handler([](const Request& r) {
                          if (r.path == "/204") return Response{204, {}, ""};
                          if (r.path == "/304") return Response{304, {}, ""};
                          return Response::text(200, "twelve bytes");
                        }));
  ASSERT_TRUE(harness.start().ok());
  auto client = make_client();
  ClientRequest head = get(plain_url(harness, "/"), 2s);
  head.method = "HEAD";
  const auto started = Clock::now();
  auto got = client->send(head);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->status, 200);
  EXPECT_EQ(got->headers["Content-Length"], "12");
  EXPECT_EQ(got->body, "");
  for (const char* path : {"/204", "/304"}) {
    auto empty = client->send(get(plain_url(harness, path), 2s));
    ASSERT_TRUE(empty) << empty.error().message;
    EXPECT_EQ(empty->body, "");
  }
  // Framing stayed in step: a GET on the same connection gets its own body.
  auto after = client->send(get(plain_url(harness, "/"), 2s));
  ASSERT_TRUE(after) << after.error().message;
  EXPECT_EQ(after->body, "twelve bytes");
  EXPECT_LT(Clock::now() - started, 2s);
  EXPECT_EQ(client->connections_opened(), 1u);
}

TEST(HttpClient, TimesOutWaitingForResponseWithinRequestTimeout) {
  ServerOptions options = plain_server();
  options.handler_timeout = 1s;  // lets the harness stop promptly after the test
  ServerHarness harness(options, [](const Request&, const Responder&) { /* never responds */ });
  ASSERT_TRUE(harness.start().ok());
  auto client = make_client();
  ClientRequest request = get(plain_url(harness), 300ms);
  request.operation = "aci.get";
  const auto started = Clock::now();
  auto got = client->send(request);
  const auto elapsed = Clock::now() - started;
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().kind, core::ErrorKind::kTransient);
  EXPECT_EQ(got.error().message, "timeout after 300ms waiting for response from 127.0.0.1:" +
                                     std::to_string(harness.port()) + " (operation aci.get)");
  EXPECT_TRUE(got.error().timed_out);
  EXPECT_GE(elapsed, 300ms);
  EXPECT_LT(elapsed, 300ms + kSlack);
  EXPECT_EQ(client->idle_connections(), 0u);  // a timed-out connection is never reused
}

TEST(HttpClient, SlowResponseBeyondTimeoutIsATimeoutEvenWhenBytesArrive) {
  // The server sends the head at once and the body never: the deadline covers the whole read.
  ScriptedServer server([](ScriptedConnection& c, int) {
    c.read_request();
    c.write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
    c.wait_for_client_close();
  });
  auto client = make_client();
  const auto started = Clock::now();
  auto got = client->send(get(server.url(), 300ms));
  const auto elapsed = Clock::now() - started;
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().kind, core::ErrorKind::kTransient);
  EXPECT_NE(got.error().message.find("timeout after 300ms waiting for response from"),
            std::string::npos)
      << got.error().message;
  EXPECT_LT(elapsed, 300ms + kSlack);
}

TEST(HttpClient, ConnectionRefusedIsTransient) {
  std::uint16_t port = 0;
  {  // a port that was just free: nothing listens there now
    ScriptedServer server([](ScriptedConnection&, int) {});
    port = server.port();
  }
  auto got = make_client()->send(get("http://127.0.0.1:" + std::to_string(port) + "/"));
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().kind, core::ErrorKind::kTransient);
  EXPECT_EQ(got.error().message,
            "connect to 127.0.0.1:" + std::to_string(port) + ": Connection refused");
}

TEST(HttpClient, MalformedUrlAndRequestAreTerminal) {
  auto client = make_client();
  auto bad_url = client->send(get("ftp://127.0.0.1/"));
  ASSERT_FALSE(bad_url);
  EXPECT_EQ(bad_url.error().kind, core::ErrorKind::kTerminal);

  ClientRequest injected = get("http://127.0.0.1:1/");
  injected.headers["X-Test"] = "a\r\nX-Injected: 1";
  auto bad_header = client->send(injected);
  ASSERT_FALSE(bad_header);
  EXPECT_EQ(bad_header.error().kind, core::ErrorKind::kTerminal);
  EXPECT_NE(bad_header.error().message.find("X-Test"), std::string::npos);

  ClientRequest bad_method = get("http://127.0.0.1:1/");
  bad_method.method = "GET /x HTTP/1.1";
  EXPECT_FALSE(client->send(bad_method));
  EXPECT_EQ(client->connections_opened(), 0u);
}

TEST(HttpClient, BodyOverLimitIsTerminal) {
  ServerHarness harness(plain_server(), make_sync_handler([](const Request&) {
                          return Response::text(200, std::string(2048, 'x'));
                        }));
  ASSERT_TRUE(harness.start().ok());
  HttpClientOptions options;
  options.max_response_body_bytes = 1024;
  auto got = make_client(options)->send(get(plain_url(harness)));
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().kind, core::ErrorKind::kTerminal);
  EXPECT_EQ(got.error().message, "response body from 127.0.0.1:" + std::to_string(harness.port()) +
                                     " exceeds 1024 bytes");
}

TEST(HttpClient, ConcurrentSendsFromFourThreads) {
  std::atomic<int> served{0};
  ServerHarness harness(plain_server(), make_sync_handler([&](const Request& r) {
                          ++served;
                          return Response::text(200, r.target);
                        }));
  ASSERT_TRUE(harness.start().ok());
  auto client = make_client();
  constexpr int kThreads = 4;
  constexpr int kPerThread = 25;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string target = "/t" + std::to_string(t) + "/" + std::to_string(i);
        auto got = client->send(get(plain_url(harness, target)));
        if (got && got->status == 200 && got->body == target) ++ok;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), kThreads * kPerThread);
  EXPECT_EQ(served.load(), kThreads * kPerThread);
  // Each thread holds at most one connection at a time.
  EXPECT_LE(client->connections_opened(), static_cast<std::uint64_t>(kThreads));
  EXPECT_GE(client->connections_opened(), 1u);
}

// ---------------------------------------------------------------------------------------------
// Misbehaving peers (ScriptedServer).

TEST(HttpClient, ResolvesNamesAndReportsUnknownOnes) {
  ServerHarness harness(
      plain_server(), make_sync_handler([](const Request&) { return Response::text(200, "ok"); }));
  ASSERT_TRUE(harness.start().ok());
  auto client = make_client();
  // "localhost" may resolve to ::1 first, where nothing listens: the next address is tried.
  auto got = client->send(get("http://localhost:" + std::to_string(harness.port()) + "/", 2s));
  ASSERT_TRUE(got) << got.error().message;

  auto unknown = client->send(get("http://nonexistent.invalid/", 2s));  // RFC 6761 §6.4
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().kind, core::ErrorKind::kTransient);
  EXPECT_TRUE(unknown.error().message.rfind("resolve nonexistent.invalid: ", 0) == 0 ||
              unknown.error().message.find("resolving nonexistent.invalid:80") != std::string::npos)
      << unknown.error().message;
}

TEST(HttpClient, ConnectTimeoutWhenTheListenBacklogIsFull) {
  // A listener that never accepts, with its accept queue (backlog 0: one entry) filled: Linux
  // drops further SYNs, so our connect neither succeeds nor fails until the deadline.
  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(listener, 0), 0);
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length), 0);
  std::vector<int> fillers;
  for (int i = 0; i < 2; ++i) {
    const int filler =
        ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | (i > 0 ? SOCK_NONBLOCK : 0), 0);
    (void)::connect(filler, reinterpret_cast<sockaddr*>(&address), sizeof address);
    fillers.push_back(filler);
  }
  HttpClientOptions options;
  options.connect_timeout = 300ms;
  auto client = make_client(options);
  const std::string authority = "127.0.0.1:" + std::to_string(ntohs(address.sin_port));
  const auto started = Clock::now();
  auto got = client->send(get("http://" + authority + "/", 5s));
  const auto elapsed = Clock::now() - started;
  for (int fd : fillers) ::close(fd);
  ::close(listener);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().kind, core::ErrorKind::kTransient);
  EXPECT_EQ(got.error().message, "timeout after 300ms connecting to " + authority +
                                     " (connect timeout, operation test.get)");
  EXPECT_TRUE(got.error().timed_out);
  EXPECT_GE(elapsed, 300ms);
  EXPECT_LT(elapsed, 300ms + kSlack);
}

TEST(HttpClient, WriteTimeoutWhenTheServerDoesNotRead) {
  std::promise<void> client_done;
  ScriptedServer server([done = client_done.get_future().share()](ScriptedConnection&, int) {
    // Holds the connection open without reading. (The client's FIN would queue behind the
    // data we never read, so waiting for its close would take the full step deadline.)
    done.wait_for(kStepDeadline);
  });
  auto client = make_client();
  ClientRequest put = get(server.url(), 500ms);
  put.method = "PUT";
  put.body.assign(std::size_t{64} * 1024 * 1024, 'x');  // far more than both socket buffers hold
  const auto started = Clock::now();
  auto got = client->send(put);
  const auto elapsed = Clock::now() - started;
  client_done.set_value();
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().kind, core::ErrorKind::kTransient);
  EXPECT_EQ(got.error().message, "timeout after 500ms sending request to 127.0.0.1:" +
                                     std::to_string(server.port()) + " (operation test.get)");
  EXPECT_LT(elapsed, 500ms + kSlack);
}

TEST(HttpClient, ReadsBodyDelimitedByClose) {
  ScriptedServer server([](ScriptedConnection& c, int) {
    c.read_request();
    c.write("HTTP/1.1 200 OK\r\n\r\nuntil the end");
    c.close();
  });
  auto client = make_client();
  auto got = client->send(get(server.url()));
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->body, "until the end");
  EXPECT_EQ(client->idle_connections(), 0u);
}

TEST(HttpClient, ReconnectsAfterHttpServerIdleTimeout) {
  ServerOptions options = plain_server();
  options.idle_timeout = 100ms;
  ConnectionLog log;
  ServerHarness harness(options, make_sync_handler([&](const Request& r) {
                          log.note(r);
                          return Response::text(200, "ok");
                        }));
  ASSERT_TRUE(harness.start().ok());
  auto client = make_client();
  ASSERT_TRUE(client->send(get(plain_url(harness))));
  // Wait (bounded) for the event itself: the server has closed the idle connection.
  const auto give_up = Clock::now() + kStepDeadline;
  while (harness.server().open_connections() > 0 && Clock::now() < give_up) {
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_EQ(harness.server().open_connections(), 0u);
  EXPECT_EQ(client->idle_connections(), 1u);  // the client does not know yet
  auto again = client->send(get(plain_url(harness)));
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(client->connections_opened(), 2u);
  EXPECT_EQ(log.count(), 2u);
}

TEST(HttpClient, ReconnectsWhenServerClosedIdleConnection) {
  std::promise<void> closed;
  ScriptedServer server([&](ScriptedConnection& c, int index) {
    c.read_request();
    c.write(ok_response("first-" + std::to_string(index)));
    if (index == 0) {
      c.close();  // the server's idle timeout, as it were
      closed.set_value();
    } else {
      c.read_request();
    }
  });
  auto client = make_client();
  auto first = client->send(get(server.url()));
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_EQ(closed.get_future().wait_for(kStepDeadline), std::future_status::ready);
  auto second = client->send(get(server.url()));
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->body, "first-1");
  EXPECT_EQ(client->connections_opened(), 2u);
}

TEST(HttpClient, ReplaysIdempotentRequestOnceOnStaleReusedConnection) {
  std::atomic<int> requests{0};
  ScriptedServer server(closes_second_request_unanswered(requests));
  auto client = make_client();
  ASSERT_TRUE(client->send(get(server.url())));
  auto second = client->send(get(server.url()));
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->body, "from-1");
  EXPECT_EQ(requests.load(), 3);  // the replay reached the server on a new connection
  EXPECT_EQ(client->connections_opened(), 2u);
}

TEST(HttpClient, DoesNotReplayPostTheServerMayHaveSeen) {
  std::atomic<int> requests{0};
  ScriptedServer server(closes_second_request_unanswered(requests));
  auto client = make_client();
  ASSERT_TRUE(client->send(get(server.url())));
  ClientRequest post = get(server.url());
  post.method = "POST";
  post.body = "{}";
  auto second = client->send(post);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().kind, core::ErrorKind::kTransient);
  EXPECT_NE(second.error().message.find("closed before a response arrived"), std::string::npos)
      << second.error().message;
  EXPECT_EQ(requests.load(), 2);
  EXPECT_EQ(server.accepted(), 1);
}

TEST(HttpClient, FreshConnectionClosedWithoutResponseIsNotReplayed) {
  std::atomic<int> requests{0};
  ScriptedServer server([&](ScriptedConnection& c, int) {
    c.read_request();
    ++requests;
  });
  auto got = make_client()->send(get(server.url()));
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().kind, core::ErrorKind::kTransient);
  EXPECT_EQ(server.accepted(), 1);
}

TEST(HttpClient, HonoursConnectionCloseFromServer) {
  ScriptedServer server([](ScriptedConnection& c, int index) {
    c.read_request();
    c.write(ok_response("n" + std::to_string(index), "Connection: close\r\n"));
    c.wait_for_client_close();
  });
  auto client = make_client();
  auto first = client->send(get(server.url()));
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(client->idle_connections(), 0u);
  auto second = client->send(get(server.url()));
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->body, "n1");
  EXPECT_EQ(client->connections_opened(), 2u);
}

TEST(HttpClient, ReadsChunkedResponsesAndKeepsTheConnection) {
  ScriptedServer server([](ScriptedConnection& c, int) {
    while (!c.read_request().empty()) {
      c.write(
          "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
          "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n");
    }
  });
  auto client = make_client();
  for (int i = 0; i < 2; ++i) {
    auto got = client->send(get(server.url()));
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_EQ(got->body, "hello, world");
  }
  EXPECT_EQ(client->connections_opened(), 1u);
}

TEST(HttpClient, ChunkedBodyOverLimitIsTerminal) {
  ScriptedServer server([](ScriptedConnection& c, int) {
    c.read_request();
    std::string response = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 4; ++i) response += "100\r\n" + std::string(256, 'x') + "\r\n";
    c.write(response + "0\r\n\r\n");
    c.wait_for_client_close();
  });
  HttpClientOptions options;
  options.max_response_body_bytes = 600;
  auto got = make_client(options)->send(get(server.url()));
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().kind, core::ErrorKind::kTerminal);
  EXPECT_NE(got.error().message.find("exceeds 600 bytes"), std::string::npos);
}

TEST(HttpClient, HeaderOverLimitIsTerminal) {
  ScriptedServer server([](ScriptedConnection& c, int) {
    c.read_request();
    c.write(ok_response("x", "X-Big: " + std::string(4096, 'a') + "\r\n"));
    c.wait_for_client_close();
  });
  HttpClientOptions options;
  options.max_response_header_bytes = 1024;
  auto got = make_client(options)->send(get(server.url()));
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().kind, core::ErrorKind::kTerminal);
  EXPECT_NE(got.error().message.find("response header from 127.0.0.1:"), std::string::npos)
      << got.error().message;
}

TEST(HttpClient, SkipsInterimResponses) {
  ScriptedServer server([](ScriptedConnection& c, int) {
    c.read_request();
    c.write("HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n" + ok_response("final"));
    c.wait_for_client_close();
  });
  auto got = make_client()->send(get(server.url()));
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->status, 200);
  EXPECT_EQ(got->body, "final");
}

TEST(HttpClient, ConnectionClosedMidBodyIsTransient) {
  ScriptedServer server([](ScriptedConnection& c, int) {
    c.read_request();
    c.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial");
  });
  auto got = make_client()->send(get(server.url()));
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().kind, core::ErrorKind::kTransient);
  EXPECT_NE(got.error().message.find("closed before the response was complete"), std::string::npos)
      << got.error().message;
}

TEST(HttpClient, MalformedResponseIsTerminal) {
  ScriptedServer server([](ScriptedConnection& c, int) {
    c.read_request();
    c.write("SSH-2.0-OpenSSH_9.2\r\n\r\n");
    c.wait_for_client_close();
  });
  auto got = make_client()->send(get(server.url()));
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().kind, core::ErrorKind::kTerminal);
  EXPECT_NE(got.error().message.find("malformed response from 127.0.0.1:"), std::string::npos)
      << got.error().message;
}

// ---------------------------------------------------------------------------------------------
// TLS.

TEST(HttpClientTls, TrustedViaCaFileByIpAndByName) {
  const GeneratedTls& tls = localhost_and_loopback_tls();
  ConnectionLog log;
  ServerHarness harness(tls_server(tls), make_sync_handler([&](const Request& r) {
                          log.note(r);
                          return Response::json(200, R"({"host":")" + r.header("Host") + "\"}");
                        }));
  ASSERT_TRUE(harness.start().ok());
  auto client = make_tls_client(tls);
  const std::string port = std::to_string(harness.port());
  for (int i = 0; i < 2; ++i) {
    auto got = client->send(get("https://127.0.0.1:" + port + "/x"));
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_EQ(got->body, R"({"host":"127.0.0.1:)" + port + "\"}");
  }
  auto by_name = client->send(get("https://localhost:" + port + "/x"));
  ASSERT_TRUE(by_name) << by_name.error().message;
  EXPECT_EQ(by_name->body, R"({"host":"localhost:)" + port + "\"}");
  // One connection per host: the IP literal and the name are different pool keys.
  EXPECT_EQ(client->connections_opened(), 2u);
  EXPECT_EQ(log.count(), 2u);
}

TEST(HttpClientTls, ANewClientReadsACaFileThatChangedSinceAnEarlierOne) {
  // Clients with the same trust settings share one TLS context while they live; a CA file
  // rewritten in the meantime (a reload after certificate rotation) must still be read again.
  const GeneratedTls& tls = localhost_and_loopback_tls();
  ServerHarness harness(
      tls_server(tls), make_sync_handler([](const Request&) { return Response::text(200, "ok"); }));
  ASSERT_TRUE(harness.start().ok());
  const std::string url = "https://127.0.0.1:" + std::to_string(harness.port()) + "/";
  HttpClientOptions options;
  options.ca_file = write_temp_file("rotating-ca.pem", tls_for({"other"}, {}).ca_pem);
  auto before = make_client(options);
  auto twin = make_client(options);  // same settings, same file: shares the context
  EXPECT_FALSE(before->send(get(url)));
  EXPECT_FALSE(twin->send(get(url)));
  // Rotated: the file now holds the server's CA (with another size or modification time).
  std::ofstream(options.ca_file, std::ios::trunc) << tls.ca_pem << "\n";
  auto after = make_client(options);
  auto got = after->send(get(url));
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->body, "ok");
  EXPECT_FALSE(before->send(get(url)));  // an existing client keeps what it loaded
}

TEST(HttpClientTls, UntrustedCaFailsWithTlsErrorNamingThePeer) {
  const GeneratedTls& tls = localhost_and_loopback_tls();
  ServerHarness harness(tls_server(tls), make_sync_handler([](const Request&) {
                          return Response::text(200, "must not be reached");
                        }));
  ASSERT_TRUE(harness.start().ok());
  auto got = make_client()->send(get("https://127.0.0.1:" + std::to_string(harness.port()) + "/"));
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().kind, core::ErrorKind::kTls);
  const std::string prefix =
      "TLS handshake with 127.0.0.1:" + std::to_string(harness.port()) + " failed: ";
  EXPECT_EQ(got.error().message.rfind(prefix, 0), 0u) << got.error().message;
  EXPECT_NE(got.error().message.find("certificate verify failed: unable to get local issuer "
                                     "certificate (trusted: system store only, no CA file "
                                     "configured)"),
            std::string::npos)
      << got.error().message;

  // A CA file that holds another CA: the message names the file that was consulted.
  HttpClientOptions options;
  options.ca_file = write_temp_file("other-ca.pem", tls_for({"other"}, {}).ca_pem);
  auto other =
      make_client(options)->send(get("https://127.0.0.1:" + std::to_string(harness.port()) + "/"));
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().kind, core::ErrorKind::kTls);
  EXPECT_NE(
      other.error().message.find("(trusted: system store and CA file " + options.ca_file + ")"),
      std::string::npos)
      << other.error().message;
}

TEST(HttpClientTls, CertificateForNameOnlyRejectsIpLiteral) {
  const GeneratedTls& tls = tls_for({"localhost"}, {});
  ServerHarness harness(
      tls_server(tls), make_sync_handler([](const Request&) { return Response::text(200, "ok"); }));
  ASSERT_TRUE(harness.start().ok());
  auto client = make_tls_client(tls);
  const std::string port = std::to_string(harness.port());
  ASSERT_TRUE(client->send(get("https://localhost:" + port + "/")));  // the CA is trusted
  auto got = client->send(get("https://127.0.0.1:" + port + "/"));
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().kind, core::ErrorKind::kTls);
  EXPECT_NE(got.error().message.find("certificate verify failed: IP address mismatch"),
            std::string::npos)
      << got.error().message;
}

TEST(HttpClientTls, CertificateForIpOnlyRejectsName) {
  const GeneratedTls& tls = tls_for({"not-localhost.example"}, {"127.0.0.1"});
  ServerHarness harness(
      tls_server(tls), make_sync_handler([](const Request&) { return Response::text(200, "ok"); }));
  ASSERT_TRUE(harness.start().ok());
  auto client = make_tls_client(tls);
  const std::string port = std::to_string(harness.port());
  ASSERT_TRUE(client->send(get("https://127.0.0.1:" + port + "/")));
  auto got = client->send(get("https://localhost:" + port + "/"));
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().kind, core::ErrorKind::kTls);
  EXPECT_NE(got.error().message.find("TLS handshake with localhost:" + port + " failed"),
            std::string::npos);
  EXPECT_NE(got.error().message.find("hostname mismatch"), std::string::npos)
      << got.error().message;
}

TEST(HttpClientTls, TlsToPlainHttpServerIsATlsError) {
  ServerHarness harness(plain_server(), make_sync_handler([](const Request&) {
                          return Response::text(200, "plain");
                        }));
  ASSERT_TRUE(harness.start().ok());
  auto got = make_client()->send(get("https://127.0.0.1:" + std::to_string(harness.port()) + "/"));
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().kind, core::ErrorKind::kTls) << got.error().message;
}

TEST(HttpClientTls, ConnectionCloseEndsTheSessionCleanly) {
  const GeneratedTls& tls = localhost_and_loopback_tls();
  ServerHarness harness(tls_server(tls), make_sync_handler([](const Request&) {
                          return Response::text(200, "bye");
                        }));
  ASSERT_TRUE(harness.start().ok());
  auto client = make_tls_client(tls);
  ClientRequest request = get("https://127.0.0.1:" + std::to_string(harness.port()) + "/");
  request.headers["Connection"] = "close";
  for (int i = 0; i < 2; ++i) {
    const auto started = Clock::now();
    auto got = client->send(request);
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_EQ(got->body, "bye");
    EXPECT_LT(Clock::now() - started, 1s);
  }
  EXPECT_EQ(client->idle_connections(), 0u);
  EXPECT_EQ(client->connections_opened(), 2u);
}

TEST(HttpClientTls, ConcurrentSendsFromFourThreads) {
  const GeneratedTls& tls = localhost_and_loopback_tls();
  ServerHarness harness(tls_server(tls), make_sync_handler([](const Request& r) {
                          return Response::text(200, r.target);
                        }));
  ASSERT_TRUE(harness.start().ok());
  auto client = make_tls_client(tls);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        const std::string target = "/" + std::to_string(t) + "-" + std::to_string(i);
        auto got =
            client->send(get("https://localhost:" + std::to_string(harness.port()) + target));
        if (got && got->body == target) ++ok;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), 40);
  EXPECT_LE(client->connections_opened(), 4u);
}

TEST(HttpClientTls, HandshakeTimeoutWhenThePeerNeverAnswers) {
  ScriptedServer server([](ScriptedConnection& c, int) { c.wait_for_client_close(); });
  const std::string authority = "127.0.0.1:" + std::to_string(server.port());
  auto client = make_client();
  const auto started = Clock::now();
  auto got = client->send(get("https://" + authority + "/", 300ms));
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().kind, core::ErrorKind::kTransient);
  EXPECT_EQ(got.error().message,
            "timeout after 300ms in TLS handshake with " + authority + " (operation test.get)");
  EXPECT_LT(Clock::now() - started, 300ms + kSlack);
}

// The ClientHello is plaintext: the SNI extension shows the name, and no IP literal is sent.
TEST(HttpClientTls, SendsSniForNamesOnly) {
  std::mutex mutex;
  std::vector<std::string> hellos;
  ScriptedServer server([&](ScriptedConnection& c, int) {
    std::string hello = c.read_raw();
    std::lock_guard lock(mutex);
    hellos.push_back(std::move(hello));
  });
  auto client = make_client();
  const std::string port = std::to_string(server.port());
  EXPECT_FALSE(client->send(get("https://localhost:" + port + "/", 2s)));
  EXPECT_FALSE(client->send(get("https://127.0.0.1:" + port + "/", 2s)));
  std::lock_guard lock(mutex);
  ASSERT_EQ(hellos.size(), 2u);
  EXPECT_NE(hellos[0].find("localhost"), std::string::npos);
  EXPECT_EQ(hellos[1].find("127.0.0.1"), std::string::npos);
  EXPECT_EQ(hellos[1].find("localhost"), std::string::npos);
}

TEST(HttpClientTls, CreateRejectsUnreadableCaFile) {
  HttpClientOptions options;
  options.ca_file = "/nonexistent/ca.pem";
  auto client = HttpClient::create(options);
  ASSERT_FALSE(client);
  EXPECT_EQ(client.error().kind, core::ErrorKind::kInvalidConfig);
  EXPECT_NE(client.error().message.find("/nonexistent/ca.pem"), std::string::npos);

  options.ca_file = write_temp_file("not-a-ca.pem", "not a certificate\n");
  auto garbage = HttpClient::create(options);
  ASSERT_FALSE(garbage);
  EXPECT_EQ(garbage.error().kind, core::ErrorKind::kInvalidConfig);
}

}  // namespace
}  // namespace frankenetes::http::testing
