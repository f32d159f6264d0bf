// The RFC 2136 client (lib/dns) against a hostile DNS server over TCP: an answer that arrives
// one byte at a time must not hold the exchange past its deadline. (Wrong message ids, forged,
// absent and erroneous TSIG, garbage and truncation are covered against FauxDnsServer in
// tests/dns/rfc2136_faux_test.cc.)

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "dns/rfc2136_provider.h"
#include "hostile/hostile_server.h"

namespace frankenetes::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto kTimeout = 2s;
constexpr auto kSlack = 1500ms;

config::Rfc2136ProviderConfig config_for(std::uint16_t port) {
  config::Rfc2136ProviderConfig c;
  c.server = {"127.0.0.1", port};
  c.zone = "example.test";
  c.timeout = kTimeout;
  config::TsigConfig tsig;
  tsig.name = "frankenetes";
  tsig.secret.value = core::Secret("c2VjcmV0LXRoYXQtaXMtbm90LXRoZS1zZXJ2ZXJzLWtleS0xMjM0NTY=");
  c.tsig = tsig;
  return c;
}

dns::Change create_api() {
  return dns::Change{dns::Change::Kind::kUpsert,
                     dns::RecordSet{"api.example.test", dns::RecordType::kA, 30, {"127.0.0.10"}, ""},
                     std::nullopt};
}

// Reads (part of) the request, then "answers" one byte every 200 ms: a length of 64 and a
// message that takes 13 s to arrive, each byte well within any per-read timeout.
void drip_answer(HostileConnection& c) {
  if (c.read_raw().empty()) return;
  std::string answer("\x00\x40", 2);
  answer += std::string(64, '\0');
  for (const char byte : answer) {
    if (!c.write(std::string(1, byte))) return;
    std::this_thread::sleep_for(200ms);  // the attack's pace, not a wait for an event
  }
}

// An update over TCP to `server` ends in a transient "timed out" error; how long it took.
Clock::duration expect_tcp_update_timed_out(HostileServer& server) {
  dns::Rfc2136Settings settings;
  settings.force_tcp = true;
  dns::Rfc2136Provider provider("hostile", config_for(server.port()), settings);
  const auto start = Clock::now();
  const auto status = provider.apply({create_api()});
  const auto elapsed = Clock::now() - start;
  EXPECT_FALSE(status.ok());
  if (status.ok()) return elapsed;
  EXPECT_EQ(status.error().kind, core::ErrorKind::kTransient) << status.error().message;
  EXPECT_NE(status.error().message.find("timed out after 2000ms"), std::string::npos)
      << status.error().message;
  return elapsed;
}

TEST(HostileDnsServer, AnswerDrippedOverTcpIsCutByTheDeadline) {
  HostileServer server(drip_answer);
  const auto elapsed = expect_tcp_update_timed_out(server);
  EXPECT_LT(elapsed, kTimeout + kSlack)
      << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() << " ms";
}

TEST(HostileDnsServer, SilentTcpServerIsCutByTheDeadline) {
  // Reads the request, then says nothing until the client gives up.
  HostileServer server([](HostileConnection& c) {
    while (!c.read_raw().empty()) {
    }
  });
  const auto elapsed = expect_tcp_update_timed_out(server);
  EXPECT_GE(elapsed, kTimeout - 100ms);
  EXPECT_LT(elapsed, kTimeout + kSlack);
}

}  // namespace
}  // namespace frankenetes::testing
