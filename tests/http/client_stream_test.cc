// HttpClient::open (streamed response bodies) against ScriptedServer on loopback: bodies read in
// small pieces whatever their framing, bodies far over the whole-response limit, peers that
// stall mid-body, streams abandoned early, and what happens to the connection in each case.
// Nothing sleeps to let something happen: the server side signals, and waits are bounded.

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <string>
#include <vector>

#include "http/certificates.h"
#include "http/client.h"
#include "http/scripted_server.h"
#include "http/server_harness.h"
#include "support/temp_dir.h"

namespace frankenetes::http::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
constexpr auto kSlack = 1500ms;  // room for a loaded CI machine, not a speed target

std::unique_ptr<HttpClient> make_client(HttpClientOptions options = {}) {
  auto client = HttpClient::create(std::move(options));
  if (!client) throw std::runtime_error(client.error().message);
  return std::move(*client);
}

ClientRequest post(const std::string& url, std::chrono::milliseconds read_timeout = 5s) {
  ClientRequest request;
  request.method = "POST";
  request.url = url;
  request.body = "{}";
  request.timeout = 5s;
  request.stream_read_timeout = read_timeout;
  request.operation = "test.stream";
  return request;
}

// Reads the whole body `piece` bytes at a time; fails the test on an error.
std::string read_all(ResponseStream& stream, std::size_t piece, int* reads = nullptr) {
  std::string body;
  std::vector<char> buffer(piece);
  for (;;) {
    auto n = stream.read(buffer);
    EXPECT_TRUE(n) << n.error().message;
    if (!n || *n == 0) return body;
    EXPECT_LE(*n, piece);
    body.append(buffer.data(), *n);
    if (reads != nullptr) ++*reads;
  }
}

// A body with every byte value, so a misplaced or dropped byte shows.
std::string pattern(std::size_t size) {
  std::string out(size, '\0');
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<char>((i * 7 + i / 251) & 0xff);
  return out;
}

std::string chunked(const std::string& body, std::size_t chunk) {
  std::string out;
  char size[32];
  for (std::size_t at = 0; at < body.size(); at += chunk) {
    const std::string part = body.substr(at, chunk);
    std::snprintf(size, sizeof size, "%zx", part.size());
    out += std::string(size) + ";ext=1\r\n" + part + "\r\n";
  }
  return out + "0\r\nX-Trailer: t\r\n\r\n";
}

TEST(HttpClientStream, ContentLengthBodyInOneBytePiecesThenKeepsTheConnection) {
  const std::string body = pattern(3000);
  ScriptedServer server([&](ScriptedConnection& c, int) {
    while (!c.read_request().empty()) {
      c.write("HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) +
              "\r\nX-Kind: cl\r\n\r\n" + body);
    }
  });
  auto client = make_client();
  for (int round = 0; round < 2; ++round) {
    auto stream = client->open(post(server.url("/v3/maintenance/snapshot")));
    ASSERT_TRUE(stream) << stream.error().message;
    EXPECT_EQ((*stream)->status(), 200);
    EXPECT_EQ((*stream)->headers().at("x-kind"), "cl");
    int reads = 0;
    EXPECT_EQ(read_all(**stream, 1, &reads), body);
    EXPECT_EQ(reads, 3000);
    // Fully read: the connection is back in the pool before the stream is even destroyed.
    EXPECT_EQ(client->idle_connections(), 1u);
  }
  EXPECT_EQ(client->connections_opened(), 1u);
  EXPECT_EQ(server.accepted(), 1);
}

TEST(HttpClientStream, ChunkedBodyInSmallPiecesAcrossChunkBoundaries) {
  const std::string body = pattern(10000);
  ScriptedServer server([&](ScriptedConnection& c, int) {
    while (!c.read_request().empty()) {
      c.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(body, 777));
    }
  });
  auto client = make_client();
  auto stream = client->open(post(server.url()));
  ASSERT_TRUE(stream) << stream.error().message;
  EXPECT_EQ(read_all(**stream, 5), body);
  // Then a whole-response send() on the same kept-alive connection still works.
  ClientRequest again = post(server.url());
  auto whole = client->send(again);
  ASSERT_TRUE(whole) << whole.error().message;
  EXPECT_EQ(whole->body, body);
  EXPECT_EQ(client->connections_opened(), 1u);
}

TEST(HttpClientStream, BodyFarOverTheWholeResponseLimitStreams) {
  const std::string body = pattern(3 * 1024 * 1024 + 17);
  ScriptedServer server([&](ScriptedConnection& c, int) {
    while (!c.read_request().empty()) {
      c.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(body, 32768));
    }
  });
  HttpClientOptions options;
  options.max_response_body_bytes = 64 * 1024;
  auto client = make_client(options);
  auto whole = client->send(post(server.url()));  // the limit still holds for send()
  ASSERT_FALSE(whole);
  EXPECT_EQ(whole.error().kind, core::ErrorKind::kTerminal);

  auto stream = client->open(post(server.url()));
  ASSERT_TRUE(stream) << stream.error().message;
  EXPECT_EQ(read_all(**stream, 16 * 1024), body);
}

TEST(HttpClientStream, CloseDelimitedBodyIsReadToTheCloseAndNotPooled) {
  ScriptedServer server([](ScriptedConnection& c, int) {
    c.read_request();
    c.write("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end");
    c.close();
  });
  auto client = make_client();
  auto stream = client->open(post(server.url()));
  ASSERT_TRUE(stream) << stream.error().message;
  EXPECT_EQ(read_all(**stream, 4), "until the end");
  EXPECT_EQ(client->idle_connections(), 0u);
}

TEST(HttpClientStream, ReadingAfterTheEndReturnsZeroAgain) {
  ScriptedServer server([](ScriptedConnection& c, int) {
    while (!c.read_request().empty()) c.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  });
  auto client = make_client();
  auto stream = client->open(post(server.url()));
  ASSERT_TRUE(stream) << stream.error().message;
  EXPECT_EQ(read_all(**stream, 64), "ok");
  char buffer[8];
  for (int i = 0; i < 3; ++i) {
    auto n = (*stream)->read(buffer);
    ASSERT_TRUE(n) << n.error().message;
    EXPECT_EQ(*n, 0u);
  }
}

TEST(HttpClientStream, ErrorStatusIsAStreamWithItsBody) {
  ScriptedServer server([](ScriptedConnection& c, int) {
    c.read_request();
    const std::string body = R"({"error":"etcdserver: permission denied","code":7})";
    c.write("HTTP/1.1 403 Forbidden\r\nContent-Length: " + std::to_string(body.size()) +
            "\r\n\r\n" + body);
    c.wait_for_client_close();
  });
  auto client = make_client();
  auto stream = client->open(post(server.url()));
  ASSERT_TRUE(stream) << stream.error().message;
  EXPECT_EQ((*stream)->status(), 403);
  EXPECT_EQ(read_all(**stream, 100), R"({"error":"etcdserver: permission denied","code":7})");
}

TEST(HttpClientStream, PeerStallingMidBodyTimesOutWithinTheReadTimeout) {
  ScriptedServer server([](ScriptedConnection& c, int) {
    c.read_request();
    c.write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + std::string(100, 'x'));
    c.wait_for_client_close();  // and never the other 900 bytes
  });
  auto client = make_client();
  auto stream = client->open(post(server.url(), 300ms));
  ASSERT_TRUE(stream) << stream.error().message;
  std::vector<char> buffer(4096);
  auto first = (*stream)->read(buffer);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(*first, 100u);

  const auto started = Clock::now();
  auto stalled = (*stream)->read(buffer);
  const auto elapsed = Clock::now() - started;
  ASSERT_FALSE(stalled);
  EXPECT_EQ(stalled.error().kind, core::ErrorKind::kTransient);
  EXPECT_TRUE(stalled.error().timed_out);
  EXPECT_EQ(stalled.error().message, "timeout after 300ms reading response body from 127.0.0.1:" +
                                         std::to_string(server.port()) +
                                         " (operation test.stream)");
  EXPECT_GE(elapsed, 300ms);
  EXPECT_LT(elapsed, 300ms + kSlack);
  // The stream stays failed; the connection is never reused.
  auto again = (*stream)->read(buffer);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().message, stalled.error().message);
  EXPECT_EQ(client->idle_connections(), 0u);
}

TEST(HttpClientStream, HeadThatNeverComesTimesOutWithinTheRequestTimeout) {
  ScriptedServer server([](ScriptedConnection& c, int) {
    c.read_request();
    c.wait_for_client_close();
  });
  auto client = make_client();
  ClientRequest request = post(server.url());
  request.timeout = 300ms;
  const auto started = Clock::now();
  auto stream = client->open(request);
  const auto elapsed = Clock::now() - started;
  ASSERT_FALSE(stream);
  EXPECT_TRUE(stream.error().timed_out);
  EXPECT_NE(stream.error().message.find("timeout after 300ms waiting for response from"),
            std::string::npos)
      << stream.error().message;
  EXPECT_LT(elapsed, 300ms + kSlack);
}

TEST(HttpClientStream, EarlyDestructionClosesTheConnection) {
  std::promise<bool> client_closed;
  ScriptedServer server([&](ScriptedConnection& c, int index) {
    if (index == 0) {
      c.read_request();
      c.write("HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n" + std::string(4096, 'y'));
      client_closed.set_value(c.wait_for_client_close());
      return;
    }
    while (!c.read_request().empty()) c.write("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nz");
  });
  auto client = make_client();
  {
    auto stream = client->open(post(server.url()));
    ASSERT_TRUE(stream) << stream.error().message;
    char buffer[10];
    auto n = (*stream)->read(buffer);
    ASSERT_TRUE(n) << n.error().message;
    EXPECT_EQ(*n, 10u);
  }
  auto closed = client_closed.get_future();
  ASSERT_EQ(closed.wait_for(10s), std::future_status::ready);
  EXPECT_TRUE(closed.get());
  EXPECT_EQ(client->idle_connections(), 0u);
  // The next request gets a fresh connection and its own answer, not the rest of the old body.
  auto next = client->open(post(server.url()));
  ASSERT_TRUE(next) << next.error().message;
  EXPECT_EQ(read_all(**next, 16), "z");
  EXPECT_EQ(client->connections_opened(), 2u);
}

TEST(HttpClientStream, ConnectionClosedMidBodyIsTransient) {
  ScriptedServer server([](ScriptedConnection& c, int) {
    c.read_request();
    c.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
    c.close();
  });
  auto client = make_client();
  auto stream = client->open(post(server.url()));
  ASSERT_TRUE(stream) << stream.error().message;
  std::vector<char> buffer(64);
  auto first = (*stream)->read(buffer);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(std::string(buffer.data(), *first), "hello");
  auto cut = (*stream)->read(buffer);
  ASSERT_FALSE(cut);
  EXPECT_EQ(cut.error().kind, core::ErrorKind::kTransient);
  EXPECT_NE(cut.error().message.find("closed before the response was complete"), std::string::npos)
      << cut.error().message;
}

TEST(HttpClientStream, MalformedChunkMidBodyIsTerminal) {
  ScriptedServer server([](ScriptedConnection& c, int) {
    c.read_request();
    c.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nzz\r\n");
    c.wait_for_client_close();
  });
  auto client = make_client();
  auto stream = client->open(post(server.url()));
  ASSERT_TRUE(stream) << stream.error().message;
  std::vector<char> buffer(64);
  core::Result<std::size_t> n = std::size_t{0};
  std::string got;
  do {
    n = (*stream)->read(buffer);
    if (n) got.append(buffer.data(), *n);
  } while (n && *n > 0);
  ASSERT_FALSE(n);
  EXPECT_EQ(got, "abc");
  EXPECT_EQ(n.error().kind, core::ErrorKind::kTerminal);
  EXPECT_NE(n.error().message.find("malformed response from 127.0.0.1:"), std::string::npos)
      << n.error().message;
}

TEST(HttpClientStream, TlsBodyStreamsAndTheConnectionIsPooled) {
  auto tls = generate_ca_and_server_certificate({"localhost"}, {"127.0.0.1"}, 1h);
  ASSERT_TRUE(tls) << tls.error().message;
  ServerOptions server_options;
  server_options.listen = "127.0.0.1:0";
  server_options.tls = TlsServerCredentials{tls->server_cert_pem, tls->server_key_pem};
  const std::string body = pattern(300000);
  ServerHarness harness(
      server_options, make_sync_handler([&](const Request&) { return Response::text(200, body); }));
  ASSERT_TRUE(harness.start().ok());
  frankenetes::testing::TempDir dir;
  HttpClientOptions options;
  options.ca_file = dir.write("ca.pem", tls->ca_pem);
  auto client = make_client(options);
  for (int round = 0; round < 2; ++round) {
    auto stream =
        client->open(post("https://127.0.0.1:" + std::to_string(harness.port()) + "/snapshot"));
    ASSERT_TRUE(stream) << stream.error().message;
    EXPECT_EQ(read_all(**stream, 1000), body);
    EXPECT_EQ(client->idle_connections(), 1u);
  }
  EXPECT_EQ(client->connections_opened(), 1u);
}

TEST(HttpClientStream, NoBodyEndsAtOnceAndFreesTheConnection) {
  ScriptedServer server([](ScriptedConnection& c, int) {
    while (!c.read_request().empty()) c.write("HTTP/1.1 204 No Content\r\n\r\n");
  });
  auto client = make_client();
  auto stream = client->open(post(server.url()));
  ASSERT_TRUE(stream) << stream.error().message;
  EXPECT_EQ((*stream)->status(), 204);
  EXPECT_EQ(client->idle_connections(), 1u);
  EXPECT_EQ(read_all(**stream, 8), "");
}

}  // namespace
}  // namespace frankenetes::http::testing
