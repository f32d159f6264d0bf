// AsyncHttpClient against real servers on loopback: HttpServer (plain and TLS with generated
// certificates) for well-behaved peers, ScriptedServer for peers that misbehave on purpose
// (never answer, close a kept-alive connection, send too much). Callbacks land in Outcomes,
// which the test waits on with a deadline; nothing sleeps to let something happen.

#include "http/async_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "http/client_peers.h"
#include "http/scripted_server.h"
#include "http/server_harness.h"
#include "support/cached_tls.h"
#include "support/temp_dir.h"

namespace frankenetes::http::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using frankenetes::testing::tls_for;
// Room for a loaded CI machine (ASan build, 2 cores, other tests running), not a speed target.
constexpr auto kSlack = 1500ms;

// The callbacks' results by request index, with the thread and time each arrived. Callbacks
// share the state, so one that comes after a failed test gave up waiting writes nowhere harmful.
class Outcomes {
 public:
  struct Outcome {
    core::Result<Response> result;
    std::thread::id thread;
    Clock::time_point at;
  };

  AsyncTransport::Callback callback(int index) {
    return [state = state_, index](core::Result<Response> result) {
      std::lock_guard lock(state->mutex);
      state->outcomes.insert_or_assign(
          index, Outcome{std::move(result), std::this_thread::get_id(), Clock::now()});
      ++state->calls;
      state->changed.notify_all();
    };
  }

  // True when at least `count` callbacks ran within `deadline`.
  bool wait_for(std::size_t count, std::chrono::milliseconds deadline = kStepDeadline) {
    std::unique_lock lock(state_->mutex);
    return state_->changed.wait_for(lock, deadline, [&] { return state_->calls >= count; });
  }

  Outcome& at(int index) {
    std::lock_guard lock(state_->mutex);
    return state_->outcomes.at(index);
  }
  std::size_t calls() {
    std::lock_guard lock(state_->mutex);
    return state_->calls;
  }

 private:
  struct State {
    std::mutex mutex;
    std::condition_variable changed;
    std::map<int, Outcome> outcomes;
    std::size_t calls = 0;
  };
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

Handler echo_target() {
  return make_sync_handler([](const Request& r) {
    Response response = Response::text(200, r.method + " " + r.target);
    response.headers["X-Echo-Ua"] = r.header("User-Agent");
    return response;
  });
}

std::unique_ptr<AsyncHttpClient> make_client(HttpClientOptions options = {}) {
  auto client = AsyncHttpClient::create(std::move(options));
  if (!client) throw std::runtime_error(client.error().message);
  return std::move(*client);
}

// Sends one request and waits for its outcome.
core::Result<Response> fetch(AsyncHttpClient& client, const ClientRequest& request) {
  Outcomes outcomes;
  client.send_async(request, outcomes.callback(0));
  if (!outcomes.wait_for(1, request.timeout + kSlack)) {
    return core::make_error(core::ErrorKind::kTerminal, "test: no callback within the deadline");
  }
  return std::move(outcomes.at(0).result);
}

TEST(AsyncHttpClient, GetReturnsStatusHeadersAndBodyOnTheClientThread) {
  ServerHarness harness(plain_server(), echo_target());
  ASSERT_TRUE(harness.start().ok());
  HttpClientOptions options;
  options.user_agent = "frankenetesd/0.1.0";
  auto client = make_client(options);
  Outcomes outcomes;
  client->send_async(get(plain_url(harness, "/health?x=1")), outcomes.callback(0));
  ASSERT_TRUE(outcomes.wait_for(1));
  auto& outcome = outcomes.at(0);
  ASSERT_TRUE(outcome.result) << outcome.result.error().message;
  EXPECT_EQ(outcome.result->status, 200);
  EXPECT_EQ(outcome.result->body, "GET /health?x=1");
  EXPECT_EQ(outcome.result->headers["x-echo-ua"], "frankenetesd/0.1.0");
  EXPECT_EQ(outcome.result->headers["Content-Type"], "text/plain; charset=utf-8");
  EXPECT_NE(outcome.thread, std::this_thread::get_id());
  EXPECT_EQ(client->connections_opened(), 1u);
  EXPECT_EQ(client->idle_connections(), 1u);
}

TEST(AsyncHttpClient, ErrorStatusIsAResponse) {
  ServerHarness harness(plain_server(), make_sync_handler([](const Request&) {
                          return Response::text(503, "not ready");
                        }));
  ASSERT_TRUE(harness.start().ok());
  auto got = fetch(*make_client(), get(plain_url(harness)));
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->status, 503);
  EXPECT_EQ(got->body, "not ready");
}

TEST(AsyncHttpClient, TwoHundredRequestsAtOnceAllComplete) {
  constexpr int kRequests = 200;
  ServerOptions server_options = plain_server();
  // Room for all of them: at its limit HttpServer closes idle connections, pooled ones too.
  server_options.max_connections = kRequests + 8;
  ServerHarness harness(server_options, echo_target());
  ASSERT_TRUE(harness.start().ok());
  auto client = make_client();
  Outcomes outcomes;
  for (int i = 0; i < kRequests; ++i) {
    client->send_async(get(plain_url(harness, "/r" + std::to_string(i)), 10s),
                       outcomes.callback(i));
  }
  ASSERT_TRUE(outcomes.wait_for(kRequests, 10s + kSlack)) << outcomes.calls();
  for (int i = 0; i < kRequests; ++i) {
    auto& result = outcomes.at(i).result;
    ASSERT_TRUE(result) << i << ": " << result.error().message;
    EXPECT_EQ(result->body, "GET /r" + std::to_string(i));
  }
  EXPECT_EQ(outcomes.calls(), static_cast<std::size_t>(kRequests));  // each exactly once
  // Started together, each needs a connection of its own; the pool keeps max_idle_per_host.
  EXPECT_LE(client->connections_opened(), static_cast<std::uint64_t>(kRequests));
  EXPECT_EQ(client->idle_connections(), HttpClientOptions{}.max_idle_per_host);

  // Later requests reuse the kept-alive connections.
  const auto opened = client->connections_opened();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(fetch(*client, get(plain_url(harness))));
  EXPECT_EQ(client->connections_opened(), opened);
}

TEST(AsyncHttpClient, SequentialRequestsReuseOneConnection) {
  ServerHarness harness(plain_server(), echo_target());
  ASSERT_TRUE(harness.start().ok());
  auto client = make_client();
  for (int i = 0; i < 5; ++i) {
    auto got = fetch(*client, get(plain_url(harness, "/" + std::to_string(i))));
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_EQ(got->body, "GET /" + std::to_string(i));
  }
  EXPECT_EQ(client->connections_opened(), 1u);
  EXPECT_EQ(client->idle_connections(), 1u);
}

TEST(AsyncHttpClient, HungPeerTimesOutWithoutDelayingOtherRequests) {
  ScriptedServer hung([](ScriptedConnection& c, int) {
    c.read_request();
    c.wait_for_client_close();  // never answers
  });
  ServerHarness harness(plain_server(), echo_target());
  ASSERT_TRUE(harness.start().ok());
  auto client = make_client();
  Outcomes outcomes;
  ClientRequest hung_request = get(hung.url(), 1s);
  hung_request.operation = "probe";
  const auto started = Clock::now();
  client->send_async(hung_request, outcomes.callback(0));
  constexpr int kOthers = 20;
  for (int i = 1; i <= kOthers; ++i) {
    client->send_async(get(plain_url(harness, "/" + std::to_string(i))), outcomes.callback(i));
  }
  ASSERT_TRUE(outcomes.wait_for(kOthers + 1, 1s + kSlack));
  auto& timed_out = outcomes.at(0);
  ASSERT_FALSE(timed_out.result);
  EXPECT_EQ(timed_out.result.error().kind, core::ErrorKind::kTransient);
  EXPECT_TRUE(timed_out.result.error().timed_out);
  EXPECT_EQ(timed_out.result.error().message,
            "timeout after 1s waiting for response from 127.0.0.1:" + std::to_string(hung.port()) +
                " (operation probe)");
  EXPECT_GE(timed_out.at - started, 1s);
  EXPECT_LT(timed_out.at - started, 1s + kSlack);
  for (int i = 1; i <= kOthers; ++i) {
    auto& other = outcomes.at(i);
    ASSERT_TRUE(other.result) << other.result.error().message;
    // Done long before the hung request's deadline: one silent peer holds up nobody else.
    EXPECT_LT(other.at, timed_out.at);
  }
  EXPECT_LE(client->idle_connections(), HttpClientOptions{}.max_idle_per_host);
}

TEST(AsyncHttpClient, ConnectionRefusedIsTransient) {
  std::uint16_t port = 0;
  {  // a port that was just free: nothing listens there now
    ScriptedServer server([](ScriptedConnection&, int) {});
    port = server.port();
  }
  auto got = fetch(*make_client(), get("http://127.0.0.1:" + std::to_string(port) + "/"));
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().kind, core::ErrorKind::kTransient);
  EXPECT_FALSE(got.error().timed_out);
  EXPECT_EQ(got.error().message,
            "connect to 127.0.0.1:" + std::to_string(port) + ": Connection refused");
}

TEST(AsyncHttpClient, MalformedUrlIsTerminalAndCalledBackOnTheLoop) {
  auto client = make_client();
  Outcomes outcomes;
  client->send_async(get("ftp://example.com/"), outcomes.callback(0));
  ASSERT_TRUE(outcomes.wait_for(1));
  EXPECT_NE(outcomes.at(0).thread, std::this_thread::get_id());  // never inside send_async()
  ASSERT_FALSE(outcomes.at(0).result);
  EXPECT_EQ(outcomes.at(0).result.error().kind, core::ErrorKind::kTerminal);
}

TEST(AsyncHttpClient, ResolvesNames) {
  ServerHarness harness(plain_server(), echo_target());
  ASSERT_TRUE(harness.start().ok());
  auto got =
      fetch(*make_client(), get("http://localhost:" + std::to_string(harness.port()) + "/named"));
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->body, "GET /named");
}

TEST(AsyncHttpClient, BodyOverLimitIsTerminal) {
  ScriptedServer server([](ScriptedConnection& c, int) {
    c.read_request();
    c.write(ok_response(std::string(100, 'x')));
    c.wait_for_client_close();
  });
  HttpClientOptions options;
  options.max_response_body_bytes = 16;
  auto got = fetch(*make_client(options), get(server.url()));
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().kind, core::ErrorKind::kTerminal);
  EXPECT_EQ(got.error().message,
            "response body from 127.0.0.1:" + std::to_string(server.port()) + " exceeds 16 bytes");
}

TEST(AsyncHttpClient, SkipsInterimResponsesAndRejects101) {
  ScriptedServer server([](ScriptedConnection& c, int index) {
    c.read_request();
    if (index == 0) {
      c.write("HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n" + ok_response("final"));
    } else {
      c.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: upgrade\r\n\r\n");
    }
    c.wait_for_client_close();
  });
  HttpClientOptions options;
  options.max_idle_per_host = 0;  // the second request on a connection of its own
  auto client = make_client(options);
  auto first = fetch(*client, get(server.url()));
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->body, "final");
  auto second = fetch(*client, get(server.url()));
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().kind, core::ErrorKind::kTerminal);
  EXPECT_NE(second.error().message.find("unexpected 101"), std::string::npos);
}

TEST(AsyncHttpClient, HonoursConnectionCloseFromServer) {
  ScriptedServer server([](ScriptedConnection& c, int index) {
    c.read_request();
    c.write(ok_response("n" + std::to_string(index), "Connection: close\r\n"));
    c.wait_for_client_close();
  });
  auto client = make_client();
  auto first = fetch(*client, get(server.url()));
  ASSERT_TRUE(first) << first.error().message;
  auto second = fetch(*client, get(server.url()));
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->body, "n1");
  EXPECT_EQ(client->connections_opened(), 2u);
  EXPECT_EQ(client->idle_connections(), 0u);
}

// HttpClient's replay rule (client.cc): a GET that met a stale kept-alive connection is sent
// once more on a new connection; a POST the server may have seen is not.
TEST(AsyncHttpClient, ReplaysGetButNotPostOnAStaleReusedConnection) {
  struct Case {
    std::string method;
    bool replayed;
  };
  for (const Case& c : {Case{"GET", true}, Case{"POST", false}}) {
    SCOPED_TRACE(c.method);
    std::atomic<int> requests{0};
    ScriptedServer server(closes_second_request_unanswered(requests));
    auto client = make_client();
    ASSERT_TRUE(fetch(*client, get(server.url())));
    ClientRequest request = get(server.url());
    request.method = c.method;
    auto got = fetch(*client, request);
    EXPECT_EQ(requests.load(), c.replayed ? 3 : 2);
    EXPECT_EQ(client->connections_opened(), c.replayed ? 2u : 1u);
    if (c.replayed) {
      ASSERT_TRUE(got) << got.error().message;
      EXPECT_EQ(got->body, "from-1");
    } else {
      ASSERT_FALSE(got);
      EXPECT_EQ(got.error().kind, core::ErrorKind::kTransient);
      EXPECT_EQ(
          got.error().message.rfind("connection to 127.0.0.1:" + std::to_string(server.port()) +
                                        " closed before a response arrived",
                                    0),
          0u)
          << got.error().message;
    }
  }
}

TEST(AsyncHttpClient, ReconnectsWhenTheServerClosedAnIdleConnection) {
  std::promise<void> closed;
  ScriptedServer server([&](ScriptedConnection& c, int index) {
    c.read_request();
    c.write(ok_response("n" + std::to_string(index)));
    if (index == 0) {
      c.close();
      closed.set_value();
    } else {
      c.wait_for_client_close();
    }
  });
  auto client = make_client();
  ASSERT_TRUE(fetch(*client, get(server.url())));
  ASSERT_EQ(closed.get_future().wait_for(kStepDeadline), std::future_status::ready);
  auto second = fetch(*client, get(server.url()));  // looks_usable() sees the close
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->body, "n1");
  EXPECT_EQ(client->connections_opened(), 2u);
}

// A callback may send more requests; one that throws is counted and the loop carries on.
TEST(AsyncHttpClient, CallbacksMaySendRequestsAndThrowWithoutStoppingTheLoop) {
  ServerHarness harness(plain_server(), echo_target());
  ASSERT_TRUE(harness.start().ok());
  auto client = make_client();
  Outcomes outcomes;
  client->send_async(get(plain_url(harness, "/first")), [&](core::Result<Response> first) {
    if (first) client->send_async(get(plain_url(harness, "/second")), outcomes.callback(0));
    throw std::runtime_error("caller bug");
  });
  ASSERT_TRUE(outcomes.wait_for(1));
  ASSERT_TRUE(outcomes.at(0).result) << outcomes.at(0).result.error().message;
  EXPECT_EQ(outcomes.at(0).result->body, "GET /second");
  EXPECT_EQ(client->callbacks_failed(), 1u);
}

// Sets `destroyed` when the callback holding it is destroyed.
struct DestructionFlag {
  std::shared_ptr<std::atomic<bool>> destroyed = std::make_shared<std::atomic<bool>>(false);
  struct Guard {
    std::shared_ptr<std::atomic<bool>> flag;
    ~Guard() { flag->store(true); }
  };
  std::shared_ptr<Guard> guard() { return std::make_shared<Guard>(Guard{destroyed}); }
};

TEST(AsyncHttpClient, StopAbandonsRequestsInFlightPromptly) {
  std::mutex mutex;
  std::condition_variable arrived;
  int requests = 0;
  ScriptedServer server([&](ScriptedConnection& c, int) {
    c.read_request();
    {
      std::lock_guard lock(mutex);
      ++requests;
    }
    arrived.notify_all();
    c.wait_for_client_close();  // never answers
  });
  auto client = make_client();
  constexpr int kRequests = 10;
  std::atomic<int> called{0};
  DestructionFlag flag;
  for (int i = 0; i < kRequests; ++i) {
    client->send_async(get(server.url(), 30s),
                       [&called, guard = flag.guard()](core::Result<Response>) { ++called; });
  }
  {  // every request is in flight: the server has read it
    std::unique_lock lock(mutex);
    ASSERT_TRUE(arrived.wait_for(lock, kStepDeadline, [&] { return requests == kRequests; }));
  }
  const auto started = Clock::now();
  client->stop();
  EXPECT_LT(Clock::now() - started, kSlack);
  EXPECT_TRUE(flag.destroyed->load());  // the abandoned callbacks are gone with their requests
  EXPECT_EQ(called.load(), 0);

  DestructionFlag dropped;
  client->send_async(get(server.url()),
                     [&called, guard = dropped.guard()](core::Result<Response>) { ++called; });
  EXPECT_TRUE(dropped.destroyed->load());  // dropped at once, never called
  client->stop();                          // idempotent
  client.reset();
  EXPECT_EQ(called.load(), 0);
}

// ---------------------------------------------------------------------------------------------
// TLS

class AsyncHttpClientTls : public ::testing::Test {
 protected:
  // A client whose ca_file holds these CAs.
  std::unique_ptr<AsyncHttpClient> trusting_client(const std::vector<std::string>& ca_pems) {
    std::string bundle;
    for (const auto& pem : ca_pems) bundle += pem;
    HttpClientOptions options;
    options.ca_file = dir_.write("ca.pem", bundle);
    return make_client(options);
  }
  frankenetes::testing::TempDir dir_{"fk-async-client"};
};

// A server certificate from the CA in ca_file, checked against the host: the IP SAN for an
// address, the DNS SAN for a name.
TEST_F(AsyncHttpClientTls, TrustedViaCaFileWhenTheCertificateNamesTheHost) {
  ServerHarness both(tls_server(tls_for({"localhost"}, {"127.0.0.1"})), echo_target());
  ServerHarness name_only(tls_server(tls_for({"localhost"}, {})), echo_target());
  ASSERT_TRUE(both.start().ok());
  ASSERT_TRUE(name_only.start().ok());
  auto client = trusting_client(
      {tls_for({"localhost"}, {"127.0.0.1"}).ca_pem, tls_for({"localhost"}, {}).ca_pem});
  const std::string port = std::to_string(both.port());
  const std::string name_only_port = std::to_string(name_only.port());
  Outcomes outcomes;
  client->send_async(get("https://127.0.0.1:" + port + "/livez"), outcomes.callback(0));
  client->send_async(get("https://localhost:" + port + "/livez"), outcomes.callback(1));
  client->send_async(get("https://localhost:" + name_only_port + "/livez"), outcomes.callback(2));
  client->send_async(get("https://127.0.0.1:" + name_only_port + "/"), outcomes.callback(3));
  ASSERT_TRUE(outcomes.wait_for(4));
  for (int i : {0, 1, 2}) {
    ASSERT_TRUE(outcomes.at(i).result) << i << ": " << outcomes.at(i).result.error().message;
    EXPECT_EQ(outcomes.at(i).result->body, "GET /livez");
  }
  const auto& mismatch = outcomes.at(3).result;
  ASSERT_FALSE(mismatch);
  EXPECT_EQ(mismatch.error().kind, core::ErrorKind::kTls);
  EXPECT_EQ(mismatch.error().message,
            "TLS handshake with 127.0.0.1:" + name_only_port +
                " failed: certificate verify failed: IP address mismatch");

  // Kept alive over TLS too.
  const auto opened = client->connections_opened();
  ASSERT_TRUE(fetch(*client, get("https://127.0.0.1:" + port + "/livez")));
  EXPECT_EQ(client->connections_opened(), opened);
}

TEST_F(AsyncHttpClientTls, UntrustedServerIsATlsErrorLikeHttpClients) {
  const GeneratedTls& tls = tls_for({"localhost"}, {"127.0.0.1"});
  ServerHarness harness(tls_server(tls), echo_target());
  ASSERT_TRUE(harness.start().ok());
  const std::string url = "https://127.0.0.1:" + std::to_string(harness.port()) + "/";
  // Word for word what HttpClient says (client_test.cc).
  auto refused = fetch(*make_client(), get(url));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, core::ErrorKind::kTls);
  EXPECT_EQ(refused.error().message,
            "TLS handshake with 127.0.0.1:" + std::to_string(harness.port()) +
                " failed: certificate verify failed: unable to get local issuer certificate "
                "(trusted: system store only, no CA file configured)");

  HttpClientOptions insecure;
  insecure.insecure_skip_verify = true;
  auto accepted = fetch(*make_client(insecure), get(url));
  ASSERT_TRUE(accepted) << accepted.error().message;
  EXPECT_EQ(accepted->body, "GET /");
}

TEST_F(AsyncHttpClientTls, HandshakeTimeoutWhenThePeerNeverAnswers) {
  ScriptedServer server([](ScriptedConnection& c, int) {
    c.read_raw();  // the ClientHello, never answered
    c.wait_for_client_close();
  });
  HttpClientOptions options;
  options.connect_timeout = 300ms;
  auto got = fetch(*make_client(options),
                   get("https://127.0.0.1:" + std::to_string(server.port()) + "/", 5s));
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().kind, core::ErrorKind::kTransient);
  EXPECT_TRUE(got.error().timed_out);
  EXPECT_EQ(got.error().message,
            "timeout after 300ms in TLS handshake with 127.0.0.1:" + std::to_string(server.port()) +
                " (connect timeout, operation test.get)");
}

TEST(AsyncHttpClientCreate, RejectsUnreadableCaFile) {
  HttpClientOptions options;
  options.ca_file = "/nonexistent/ca.pem";
  auto client = AsyncHttpClient::create(options);
  ASSERT_FALSE(client);
  EXPECT_EQ(client.error().kind, core::ErrorKind::kInvalidConfig);
  EXPECT_EQ(client.error().message, "CA file /nonexistent/ca.pem: cannot be read");
}

}  // namespace
}  // namespace frankenetes::http::testing
