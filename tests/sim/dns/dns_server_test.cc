// The DNS server over real loopback sockets: UDP and TCP queries built with ldns, dig when
// installed, and a change through the Azure DNS API visible over DNS at once. Every socket
// has a 2 s timeout, so a broken server fails the test instead of hanging it.
#include "sim/dns/dns_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <cstdio>
#include <future>
#include <thread>

#include "dns_test_support.h"
#include "dns_wire_support.h"
#include "sim/dns/dns_simulator.h"
#include "support/fake_time_source.h"

namespace frankenetes::sim::dns {
namespace {

using testing::make_query;
using testing::parse;
using testing::rdata;

class Socket {
 public:
  explicit Socket(int type) : fd_(::socket(AF_INET, type, 0)) {
    timeval tv{2, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  }
  ~Socket() { ::close(fd_); }
  int fd() const { return fd_; }

 private:
  int fd_;
};

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

std::vector<std::uint8_t> udp_exchange(std::uint16_t port, const std::vector<std::uint8_t>& query) {
  Socket s(SOCK_DGRAM);
  const auto addr = loopback(port);
  ::sendto(s.fd(), query.data(), query.size(), 0, reinterpret_cast<const sockaddr*>(&addr),
           sizeof addr);
  std::vector<std::uint8_t> buffer(65535);
  const auto n = ::recv(s.fd(), buffer.data(), buffer.size(), 0);
  buffer.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  return buffer;
}

bool read_exact(int fd, std::uint8_t* data, std::size_t size) {
  std::size_t done = 0;
  while (done < size) {
    const auto n = ::recv(fd, data + done, size - done, 0);
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

bool tcp_connect(const Socket& s, std::uint16_t port) {
  const auto addr = loopback(port);
  return ::connect(s.fd(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
}

std::vector<std::uint8_t> tcp_exchange_on(const Socket& s, const std::vector<std::uint8_t>& query) {
  std::vector<std::uint8_t> framed = {static_cast<std::uint8_t>(query.size() >> 8),
                                      static_cast<std::uint8_t>(query.size() & 0xff)};
  framed.insert(framed.end(), query.begin(), query.end());
  if (::send(s.fd(), framed.data(), framed.size(), MSG_NOSIGNAL) < 0) return {};
  std::uint8_t length[2];
  if (!read_exact(s.fd(), length, 2)) return {};
  std::vector<std::uint8_t> answer((std::size_t{length[0]} << 8) | length[1]);
  if (!read_exact(s.fd(), answer.data(), answer.size())) return {};
  return answer;
}

std::string run(const std::string& command) {
  std::string out;
  if (FILE* pipe = ::popen(command.c_str(), "r")) {
    char buf[512];
    while (std::fgets(buf, sizeof buf, pipe)) out += buf;
    ::pclose(pipe);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

class DnsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto status = sim_.start_dns_server(io_, "127.0.0.1:0");
    ASSERT_TRUE(status.ok()) << status.error().message;
    port_ = static_cast<std::uint16_t>(std::stoi(sim_.dns_address().substr(10)));
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    std::promise<void> stopped;
    boost::asio::post(io_, [&] {
      sim_.stop_dns_server();
      stopped.set_value();
    });
    stopped.get_future().wait();
    work_.reset();
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }

  frankenetes::testing::FakeTimeSource clock_;
  DnsSimulator sim_{testing::sample_scenario(), clock_, DnsSimulatorOptions{"", "", 9}};
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
      io_.get_executor()};
  std::thread thread_;
  std::uint16_t port_ = 0;
};

TEST_F(DnsServerTest, AddressNamesTheBoundPort) {
  EXPECT_EQ(sim_.dns_address().rfind("127.0.0.1:", 0), 0u);
  EXPECT_GT(port_, 0);
}

TEST_F(DnsServerTest, AnswersOverUdp) {
  auto pkt = parse(udp_exchange(port_, make_query("cp-etcd.example.com.", LDNS_RR_TYPE_A, 7)));
  ASSERT_NE(pkt, nullptr);
  EXPECT_EQ(ldns_pkt_id(pkt.get()), 7);
  EXPECT_TRUE(ldns_pkt_aa(pkt.get()));
  EXPECT_EQ(rdata(pkt.get(), LDNS_SECTION_ANSWER), std::vector<std::string>{"127.0.0.5"});
}

TEST_F(DnsServerTest, AnswersSeveralQueriesOnOneTcpConnection) {
  Socket s(SOCK_STREAM);
  ASSERT_TRUE(tcp_connect(s, port_));
  auto first = parse(tcp_exchange_on(s, make_query("cp-apiserver.example.org.", LDNS_RR_TYPE_A, 1)));
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(rdata(first.get(), LDNS_SECTION_ANSWER), std::vector<std::string>{"127.0.0.6"});
  auto second = parse(tcp_exchange_on(s, make_query("missing.example.org.", LDNS_RR_TYPE_A, 2)));
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(ldns_pkt_get_rcode(second.get()), LDNS_RCODE_NXDOMAIN);
  EXPECT_EQ(ldns_pkt_nscount(second.get()), 1);
}

TEST_F(DnsServerTest, TcpConnectionWithAnImpossibleLengthIsClosed) {
  Socket s(SOCK_STREAM);
  ASSERT_TRUE(tcp_connect(s, port_));
  const std::uint8_t tiny[2] = {0, 3};  // shorter than a DNS header
  ASSERT_EQ(::send(s.fd(), tiny, 2, MSG_NOSIGNAL), 2);
  std::uint8_t byte;
  EXPECT_EQ(::recv(s.fd(), &byte, 1, 0), 0);  // orderly close, not a timeout
}

TEST_F(DnsServerTest, ApiChangeIsVisibleOverDnsImmediately) {
  auto put = sim_.handle_api(testing::request(
      "PUT", std::string(testing::kAzurePrefix) + "/A/cp-etcd?" + testing::kApi,
      R"({"properties":{"TTL":60,"ARecords":[{"ipv4Address":"127.0.0.77"}]}})"));
  ASSERT_TRUE(put);
  ASSERT_EQ(put->status, 200) << put->body;
  auto pkt = parse(udp_exchange(port_, make_query("cp-etcd.example.com.", LDNS_RR_TYPE_A)));
  ASSERT_NE(pkt, nullptr);
  EXPECT_EQ(rdata(pkt.get(), LDNS_SECTION_ANSWER), std::vector<std::string>{"127.0.0.77"});

  auto created = sim_.handle_api(testing::cf_request(
      "POST", std::string("/client/v4/zones/") + testing::kCfZone + "/dns_records",
      R"({"type":"A","name":"cp-scheduler","content":"127.0.0.78","ttl":60})"));
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 200) << created->body;
  Socket s(SOCK_STREAM);
  ASSERT_TRUE(tcp_connect(s, port_));
  auto tcp = parse(tcp_exchange_on(s, make_query("cp-scheduler.example.org.", LDNS_RR_TYPE_A)));
  ASSERT_NE(tcp, nullptr);
  EXPECT_EQ(rdata(tcp.get(), LDNS_SECTION_ANSWER), std::vector<std::string>{"127.0.0.78"});
}

TEST_F(DnsServerTest, DigSeesTheRecords) {
  if (run("command -v dig").empty()) GTEST_SKIP() << "dig is not installed (bind9-dnsutils)";
  const std::string dig = "dig @127.0.0.1 -p " + std::to_string(port_) + " +time=2 +tries=1 ";
  EXPECT_EQ(run(dig + "cp-etcd.example.com A +short"), "127.0.0.5");
  EXPECT_EQ(run(dig + "cp-apiserver.example.org A +short +tcp"), "127.0.0.6");
  EXPECT_EQ(run(dig + "_owner.cp-etcd.example.com TXT +short"), "\"heritage=frankenetes\"");
  EXPECT_EQ(run(dig + "www.example.com A +short"), "cp-etcd.example.com.\n127.0.0.5");
  const auto nx = run(dig + "nope.example.com A +noall +comments");
  EXPECT_NE(nx.find("status: NXDOMAIN"), std::string::npos) << nx;
  EXPECT_NE(nx.find(" aa"), std::string::npos) << nx;
  const auto refused = run(dig + "example.net A +noall +comments");
  EXPECT_NE(refused.find("status: REFUSED"), std::string::npos) << refused;
}

TEST(DnsServerStartTest, BadListenAddressesFailWithTheAddress) {
  boost::asio::io_context io;
  frankenetes::testing::FakeTimeSource clock;
  DnsSimulator sim(DnsScenario{}, clock);
  auto status = sim.start_dns_server(io, "not-an-address");
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("not-an-address"), std::string::npos);
  EXPECT_EQ(sim.dns_address(), "");
}

TEST(DnsServerStartTest, AFixedPortThatIsTakenFails) {
  boost::asio::io_context io;
  frankenetes::testing::FakeTimeSource clock;
  DnsSimulator first(DnsScenario{}, clock);
  ASSERT_TRUE(first.start_dns_server(io, "127.0.0.1:0").ok());
  DnsSimulator second(DnsScenario{}, clock);
  auto status = second.start_dns_server(io, first.dns_address());
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find(first.dns_address()), std::string::npos);
}

}  // namespace
}  // namespace frankenetes::sim::dns
