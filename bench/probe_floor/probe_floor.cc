// bench/probe_floor: what does one probe's HTTP exchange cost the process that makes it, at
// the least, on this machine — and what does it cost through the daemon's client?
//
// Issue 12 asks for at most 2 % of one core (1.2 CPU-s/min) at N = 1000 clusters, and for
// hangs to be caught within probe.period x failureThreshold + 2 s, i.e. a probe of every
// member every 5 s: 4000 probes plus 1000 etcd status reads per 5 s, a thousand HTTP exchanges
// a second. This bench measures the client side of such a stream of exchanges, with two
// clients taking turns against the same server:
//   1. raw: a client that does nothing an HTTP/1.1 exchange does not need. Non-blocking
//      sockets kept alive and registered with epoll once, the request bytes made once per
//      connection; it sends a batch, sleeps until the next tick and then takes every answer
//      that came meanwhile with one epoll_wait (one wake-up per tick, however many answers);
//      an answer is complete when its Content-Length is in. What is left is the kernel's work
//      for the sends and receives, and the tick's wake-up: the floor.
//   2. async: http::AsyncHttpClient, the daemon's probe client, with the daemon's settings
//      (256 KiB body limit, 1 s timeout; --connections idle per host, by default the daemon's
//      64), the requests handed over from another thread as the reconciler does. It wakes for
//      answers as they come, as the daemon must to see them in time.
// Both start their requests in batches, one every --tick-ms (the daemon's probe batch window
// is 50 ms): fewer wake-ups than a request at a time. The server is http::HttpServer in a
// child process of its own (forked before this process starts any thread), so its CPU is not
// counted; it answers every GET 200 "ok".
//
// Measured per round: the CPU of this whole process (getrusage RUSAGE_SELF, user + system:
// the kernel keeps their sum exactly but splits it by tick samples, which at ~1 % of a core is
// noise) between two ticks, --warmup and --warmup + --seconds after the round began. At both
// ticks the client first waits for every answer it is owed, so the window holds exactly the
// exchanges started in it, whole. From that: microseconds per exchange and CPU-s/min at
// --rate. Clients take turns for --rounds rounds (raw, async, raw, async, ...), so what else
// runs on the machine falls on both; the table lists each round with its ratio against the
// raw round just before it, and each client's median. An exchange that fails or an answer
// missing 2 s after its tick is an error, not a result; so is a raw batch that finds no idle
// connection (the async client opens more instead: the "opened" column).
//
//   build/release/bench/probe_floor [--rate 1000] [--seconds 20] [--warmup 3] [--rounds 3]
//                                   [--tick-ms 50] [--connections 64] [--hosts 1]
//                                   [--clients raw,async]
//
// --hosts K spreads the async client's members over K listeners of the server (a key each in
// its keep-alive pool, as the daemon's members each have an address); the raw client uses the
// first. The scale bench's sim, like the default here, serves every probe from one port.
//
// Exit 0 with a table, 2 on any error. Loopback only (127.0.0.1).

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "common/command_line.h"
#include "http/async_client.h"
#include "http/message.h"
#include "http/server.h"
#include "support/child_process.h"

namespace frankenetes::bench {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// The daemon's probe client settings; keep in step with daemon/http_clients.h
// (kProbeMaxIdlePerHost, kProbeMaxResponseBodyBytes).
constexpr std::size_t kDaemonMaxIdlePerHost = 64;
constexpr std::size_t kDaemonMaxResponseBodyBytes = std::size_t{256} * 1024;
constexpr auto kProbeTimeout = 1s;  // the scale bench's probe.timeout
// How long after a tick every answer owed must be in (the server answers in microseconds).
constexpr auto kDrainDeadline = 2s;

struct Options {
  double rate = 1000;  // exchanges per second
  double seconds = 20;
  double warmup = 3;
  int rounds = 3;
  int tick_ms = 50;
  std::size_t connections = kDaemonMaxIdlePerHost;
  std::size_t hosts = 1;  // the async client's: listeners its members are spread over
  std::vector<std::string> clients{"raw", "async"};
};

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> parts;
  std::stringstream in(text);
  for (std::string part; std::getline(in, part, ',');) {
    if (!part.empty()) parts.push_back(part);
  }
  return parts;
}

Options parse_options(int argc, char** argv) {
  Options options;
  parse_flags(
      argc, argv,
      "probe_floor [--rate 1000] [--seconds 20] [--warmup 3] [--rounds 3] [--tick-ms 50] "
      "[--connections 64] [--hosts 1] [--clients raw,async]",
      {{"--rate", [&](const std::string& v) { options.rate = parse_number<double>(v); }},
       {"--seconds", [&](const std::string& v) { options.seconds = parse_number<double>(v); }},
       {"--warmup", [&](const std::string& v) { options.warmup = parse_number<double>(v); }},
       {"--rounds", [&](const std::string& v) { options.rounds = parse_number<int>(v); }},
       {"--tick-ms", [&](const std::string& v) { options.tick_ms = parse_number<int>(v); }},
       {"--connections",
        [&](const std::string& v) { options.connections = parse_number<std::size_t>(v); }},
       {"--hosts", [&](const std::string& v) { options.hosts = parse_number<std::size_t>(v); }},
       {"--clients", [&](const std::string& v) { options.clients = split_commas(v); }}});
  if (!(options.rate > 0 && options.rate <= 100000)) fail("--rate must be in (0, 100000]");
  if (!(options.seconds >= 1 && options.seconds <= 3600)) fail("--seconds must be 1..3600");
  if (!(options.warmup >= 0 && options.warmup <= 600)) fail("--warmup must be 0..600");
  if (options.rounds < 1 || options.rounds > 100) fail("--rounds must be 1..100");
  if (options.tick_ms < 1 || options.tick_ms > 1000) fail("--tick-ms must be 1..1000");
  const auto batch = static_cast<std::size_t>(std::ceil(options.rate * options.tick_ms / 1000.0));
  if (options.connections < 1 || options.connections > 10000) {
    fail("--connections must be 1..10000");
  }
  if (options.connections < batch) {
    fail("--connections must be at least a batch (--rate x --tick-ms / 1000 = " +
         std::to_string(batch) + ")");
  }
  if (options.hosts < 1 || options.hosts > options.connections) {
    fail("--hosts must be 1..--connections");
  }
  if (options.clients.empty()) fail("--clients: none given");
  for (std::size_t i = 0; i < options.clients.size(); ++i) {
    const auto& client = options.clients[i];
    if (client != "raw" && client != "async") fail("--clients: unknown client " + client);
    if (std::find(options.clients.begin(), options.clients.begin() + static_cast<long>(i),
                  client) != options.clients.begin() + static_cast<long>(i)) {
      fail("--clients: " + client + " given twice");
    }
  }
  return options;
}

// A descriptor closed when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    std::swap(fd_, other.fd_);
    return *this;
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

std::string system_error(const std::string& what) { return what + ": " + std::strerror(errno); }

// ---------------------------------------------------------------------------------------------
// The server: a child process, forked while this process has one thread, that runs HttpServer
// until it is killed (or this process dies: PR_SET_PDEATHSIG).

struct ServerChild {
  pid_t pid = -1;
  std::vector<std::uint16_t> ports;  // one listener per --hosts
};

// The server child's body; never returns. Reports on stderr what kept it from starting.
[[noreturn]] void serve(int ready_fd, std::size_t connections, std::size_t hosts) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  try {
    boost::asio::io_context io;
    http::ServerOptions options;
    options.listen = "127.0.0.1:0";
    // One client's connections at a time, and room for the async client's pool to open a few
    // more than --connections when answers overlap a batch.
    options.max_connections = 2 * connections;
    options.idle_timeout = 10min;
    std::vector<std::unique_ptr<http::HttpServer>> servers;
    std::vector<std::uint16_t> ports;
    for (std::size_t i = 0; i < hosts; ++i) {
      servers.push_back(std::make_unique<http::HttpServer>(
          io, options, http::make_sync_handler([](const http::Request&) {
            return http::Response::text(200, "ok\n");
          })));
      if (const auto started = servers.back()->start(); !started.ok()) {
        std::fprintf(stderr, "probe_floor: server: %s\n", started.error().describe().c_str());
        _exit(1);
      }
      ports.push_back(servers.back()->port());
    }
    const auto bytes = static_cast<ssize_t>(ports.size() * sizeof ports[0]);
    if (write(ready_fd, ports.data(), static_cast<std::size_t>(bytes)) != bytes) _exit(1);
    close(ready_fd);
    io.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "probe_floor: server: %s\n", e.what());
  }
  _exit(1);
}

ServerChild start_server(std::size_t connections, std::size_t hosts) {
  int ready[2];
  if (pipe2(ready, O_CLOEXEC) != 0) fail(system_error("pipe"));
  const pid_t pid = fork();
  if (pid < 0) fail(system_error("fork"));
  if (pid == 0) {
    close(ready[0]);
    serve(ready[1], connections, hosts);
  }
  close(ready[1]);
  ServerChild child{pid, std::vector<std::uint16_t>(hosts)};
  const auto wanted = hosts * sizeof child.ports[0];
  std::size_t got = 0;
  while (got < wanted) {  // a pipe hands over at most PIPE_BUF bytes at once
    const auto n = read(ready[0], reinterpret_cast<char*>(child.ports.data()) + got, wanted - got);
    if (n <= 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  close(ready[0]);
  if (got != wanted) {
    testing::terminate_child(child.pid);
    fail("the server process did not start");
  }
  return child;
}

// ---------------------------------------------------------------------------------------------
// Measuring.

struct Sample {
  double cpu_s = 0;           // user + system of this process
  std::uint64_t started = 0;  // exchanges started so far
  std::uint64_t opened = 0;   // connections opened so far
  Clock::time_point at;
};

Sample sample(std::uint64_t started, std::uint64_t opened) {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
  };
  return {seconds(usage.ru_utime) + seconds(usage.ru_stime), started, opened, Clock::now()};
}

struct Round {
  std::string client;
  double wall_s = 0;
  std::uint64_t exchanges = 0;
  double cpu_s = 0;
  std::uint64_t opened = 0;  // connections opened while measured

  double per_s() const { return static_cast<double>(exchanges) / wall_s; }
  double us_per_exchange() const {
    return exchanges == 0 ? 0 : cpu_s * 1e6 / static_cast<double>(exchanges);
  }
};

Round difference(const std::string& client, const Sample& from, const Sample& to) {
  return {client, std::chrono::duration<double>(to.at - from.at).count(), to.started - from.started,
          to.cpu_s - from.cpu_s, to.opened - from.opened};
}

// Batches of exchanges due at `rate`, one batch per tick from now on; fractions carry over.
class Pacer {
 public:
  Pacer(double rate, int tick_ms)
      : per_tick_(rate * tick_ms / 1000.0),
        tick_(std::chrono::milliseconds(tick_ms)),
        next_(Clock::now()) {}
  Clock::time_point next() const { return next_; }
  // The exchanges due at the tick next() named; advances to the tick after it.
  std::size_t take() {
    owed_ += per_tick_;
    const auto due = static_cast<std::size_t>(owed_);
    owed_ -= static_cast<double>(due);
    next_ += tick_;
    return due;
  }

 private:
  double per_tick_;
  Clock::duration tick_;
  Clock::time_point next_;
  double owed_ = 0;
};

// A round's measured part, on the pacer's ticks: from the first tick --warmup after the round
// began to the first tick --seconds after that.
class Window {
 public:
  Window(const Options& options, Clock::time_point first_tick)
      : from_(first_tick + seconds(options.warmup)), to_(from_ + seconds(options.seconds)) {}
  bool starts_at(Clock::time_point tick) const { return !started_ && tick >= from_; }
  bool ends_at(Clock::time_point tick) const { return started_ && tick >= to_; }
  void start(const Sample& first) {
    first_ = first;
    started_ = true;
  }
  const Sample& first() const { return first_; }

 private:
  static Clock::duration seconds(double s) {
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
  }
  Clock::time_point from_;
  Clock::time_point to_;
  Sample first_;
  bool started_ = false;
};

std::string health_path(std::size_t member) {
  // An address per member, as the scale bench's probe URLs (".../health/{ip}").
  return "/health/10." + std::to_string((member >> 16) & 255) + "." +
         std::to_string((member >> 8) & 255) + "." + std::to_string(member & 255);
}

// ---------------------------------------------------------------------------------------------
// 1. raw: epoll and non-blocking sockets, one wake-up per tick.

class RawClient {
 public:
  RawClient(std::uint16_t port, std::size_t connections) : epoll_(epoll_create1(EPOLL_CLOEXEC)) {
    if (epoll_.get() < 0) fail(system_error("epoll_create1"));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connections_.reserve(connections);
    for (std::size_t i = 0; i < connections; ++i) {
      Connection c{Fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)), {}, {}};
      const int fd = c.fd.get();
      if (fd < 0) fail(system_error("socket"));
      if (connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        fail(system_error("connect 127.0.0.1:" + std::to_string(port)));
      }
      const int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
      c.request = "GET " + health_path(i) + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                  "\r\nUser-Agent: probe-floor\r\n\r\n";
      c.in.reserve(512);
      epoll_event event{};
      event.events = EPOLLIN;
      event.data.u64 = i;
      if (epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &event) != 0) {
        fail(system_error("epoll_ctl"));
      }
      connections_.push_back(std::move(c));
    }
    // Most recently used first, as the async client's pool hands them out.
    for (std::size_t i = connections; i > 0; --i) idle_.push_back(i - 1);
  }

  Round run(const Options& options) {
    Pacer pacer(options.rate, options.tick_ms);
    Window window(options, pacer.next());
    for (;;) {
      const auto tick = pacer.next();
      std::this_thread::sleep_until(tick);
      const bool starting = window.starts_at(tick);
      const bool ending = window.ends_at(tick);
      if (starting || ending) {
        drain();
      } else {
        take_ready(0);
      }
      if (starting) window.start(sample(started_, 0));
      if (ending) break;
      for (auto n = pacer.take(); n > 0; --n) start_one();
    }
    return difference("raw", window.first(), sample(started_, 0));
  }

 private:
  struct Connection {
    Fd fd;
    std::string request;
    std::string in;
  };

  void start_one() {
    if (idle_.empty()) fail("raw: no idle connection for a due exchange (raise --connections)");
    const std::size_t i = idle_.back();
    idle_.pop_back();
    const auto& request = connections_[i].request;
    const auto sent = send(connections_[i].fd.get(), request.data(), request.size(), MSG_NOSIGNAL);
    if (sent != static_cast<ssize_t>(request.size())) {
      fail(sent < 0 ? system_error("raw: send") : "raw: send: short write");
    }
    ++started_;
  }

  // Takes every answer that is in, waiting up to timeout_ms for the first.
  void take_ready(int timeout_ms) {
    epoll_event events[256];
    int ready = 0;
    do {
      ready = epoll_wait(epoll_.get(), events, 256, timeout_ms);
      if (ready < 0 && errno != EINTR) fail(system_error("epoll_wait"));
      for (int i = 0; i < ready; ++i) receive(static_cast<std::size_t>(events[i].data.u64));
      timeout_ms = 0;
    } while (ready == 256);
  }

  void drain() {
    for (const auto deadline = Clock::now() + kDrainDeadline; idle_.size() < connections_.size();) {
      if (Clock::now() > deadline) fail("raw: answers still missing 2 s after their tick");
      take_ready(100);
    }
  }

  void receive(std::size_t i) {
    auto& c = connections_[i];
    char buffer[1024];
    for (;;) {
      const auto got = recv(c.fd.get(), buffer, sizeof buffer, 0);
      if (got == 0) fail("raw: the server closed a kept-alive connection");
      if (got < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) return;  // the rest later
        if (errno == EINTR) continue;
        fail(system_error("raw: recv"));
      }
      c.in.append(buffer, static_cast<std::size_t>(got));
      if (answer_complete(c.in)) break;
    }
    c.in.clear();
    idle_.push_back(i);
  }

  // Whether `in` holds one whole 200 answer; fails on anything else a probe would refuse.
  static bool answer_complete(const std::string& in) {
    const auto head_end = in.find("\r\n\r\n");
    if (head_end == std::string::npos) return false;
    if (in.compare(0, 12, "HTTP/1.1 200") != 0) fail("raw: answer is not 200: " + in);
    const std::string_view head(in.data(), head_end);
    const auto length_at = head.find("\r\nContent-Length: ");
    if (length_at == std::string_view::npos) fail("raw: answer without Content-Length");
    const auto length = std::strtoul(in.c_str() + length_at + 18, nullptr, 10);
    if (in.size() < head_end + 4 + length) return false;
    if (in.size() > head_end + 4 + length) fail("raw: more bytes than one answer");
    return true;
  }

  Fd epoll_;
  std::vector<Connection> connections_;
  std::vector<std::size_t> idle_;  // a stack: back() is the most recently used
  std::uint64_t started_ = 0;
};

// ---------------------------------------------------------------------------------------------
// 2. async: the daemon's client, requests handed over from this (the pacing) thread.

Round run_async(const std::vector<std::uint16_t>& ports, const Options& options) {
  // What the callbacks share with this thread. Declared before the client, so that the client
  // (whose destruction stops its thread; callbacks not yet run are dropped) goes first on
  // every way out of here, a failure included.
  struct Shared {
    std::mutex mutex;
    std::condition_variable drained;
    std::uint64_t in_flight = 0;
    std::string first_error;
  } shared;

  http::HttpClientOptions client_options;
  client_options.user_agent = "probe-floor";
  // As many as the raw client keeps: the daemon's 64 by default. Fewer than a batch, and the
  // pool closes and opens the difference every tick (the table's "opened" column shows it).
  client_options.max_idle_per_host = options.connections;
  client_options.max_response_body_bytes = kDaemonMaxResponseBodyBytes;
  auto created = http::AsyncHttpClient::create(client_options);
  if (!created.ok()) fail("AsyncHttpClient: " + created.error().describe());
  const auto client = std::move(*created);

  // A member per connection; with --hosts, member i at the i-th listener (modulo), so that the
  // pool holds a key per host as the daemon's does with a member per address.
  std::vector<std::string> urls;
  for (std::size_t i = 0; i < options.connections; ++i) {
    urls.push_back("http://127.0.0.1:" + std::to_string(ports[i % ports.size()]) + health_path(i));
  }

  auto done = [&shared](core::Result<http::Response> response) {
    std::lock_guard lock(shared.mutex);
    if ((!response.ok() || response->status != 200) && shared.first_error.empty()) {
      shared.first_error = response.ok() ? "status " + std::to_string(response->status)
                                         : response.error().describe();
    }
    if (--shared.in_flight == 0) shared.drained.notify_all();
  };
  auto drain = [&shared] {
    std::unique_lock lock(shared.mutex);
    if (!shared.drained.wait_for(lock, kDrainDeadline, [&] { return shared.in_flight == 0; })) {
      fail("async: answers still missing 2 s after their tick");
    }
    if (!shared.first_error.empty()) fail("async: an exchange failed: " + shared.first_error);
  };

  Pacer pacer(options.rate, options.tick_ms);
  Window window(options, pacer.next());
  std::uint64_t started = 0;
  std::size_t member = 0;
  for (;;) {
    const auto tick = pacer.next();
    std::this_thread::sleep_until(tick);
    const bool starting = window.starts_at(tick);
    const bool ending = window.ends_at(tick);
    if (starting || ending) drain();
    if (starting) window.start(sample(started, client->connections_opened()));
    if (ending) break;
    for (auto n = pacer.take(); n > 0; --n) {
      http::ClientRequest request;
      request.url = urls[member];
      request.timeout = kProbeTimeout;
      request.operation = "probe";
      member = (member + 1) % urls.size();
      {
        std::lock_guard lock(shared.mutex);
        ++shared.in_flight;
      }
      client->send_async(std::move(request), done);
      ++started;
    }
  }
  const auto last = sample(started, client->connections_opened());
  client->stop();
  if (client->callbacks_failed() != 0) fail("async: a callback threw");
  return difference("async", window.first(), last);
}

// ---------------------------------------------------------------------------------------------

struct Row {
  std::string label;  // "raw round 1", "async median"
  const Round* round = nullptr;
  double vs_raw = 0;  // the ratio to the raw round before it (medians: of those ratios); 0: none
};

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values.empty() ? 0 : values[(values.size() - 1) / 2];  // the lower of an even count
}

void print_table(const std::vector<Round>& rounds, const Options& options) {
  std::vector<Row> rows;
  std::vector<Row> medians;
  for (const auto& client : options.clients) {
    std::vector<const Round*> mine;
    std::vector<double> ratios;
    const Round* raw = nullptr;
    for (const auto& r : rounds) {
      if (r.client == "raw") raw = &r;
      if (r.client != client) continue;
      mine.push_back(&r);
      const double ratio = raw != nullptr ? r.us_per_exchange() / raw->us_per_exchange() : 0;
      if (ratio > 0) ratios.push_back(ratio);
      rows.push_back({client + " round " + std::to_string(mine.size()), &r, ratio});
    }
    std::vector<double> costs;
    for (const auto* r : mine) costs.push_back(r->us_per_exchange());
    const double middle = median(costs);
    const auto at = std::find_if(mine.begin(), mine.end(),
                                 [&](const Round* r) { return r->us_per_exchange() == middle; });
    medians.push_back({client + " median", *at, median(ratios)});
  }
  rows.insert(rows.end(), medians.begin(), medians.end());

  std::printf(
      "\nprobe_floor: %.0f exchanges/s in batches every %d ms over %zu kept-alive "
      "connections (async: to %zu host(s)); %d round(s) of %g s after %g s warm-up each\n\n",
      options.rate, options.tick_ms, options.connections, options.hosts, options.rounds,
      options.seconds, options.warmup);
  std::printf(
      "| client | exchanges/s | CPU us/exchange | CPU-s/min at %.0f/s | %% of one core | "
      "vs raw | connections opened |\n",
      options.rate);
  std::printf("|---|---|---|---|---|---|---|\n");
  for (const auto& row : rows) {
    const double per_min = row.round->us_per_exchange() * options.rate * 60 / 1e6;
    char ratio[32] = "-";
    if (row.vs_raw > 0) std::snprintf(ratio, sizeof ratio, "%.2fx", row.vs_raw);
    std::printf("| %s | %.1f | %.2f | %.3f | %.2f | %s | %llu |\n", row.label.c_str(),
                row.round->per_s(), row.round->us_per_exchange(), per_min, per_min / 60 * 100,
                ratio, static_cast<unsigned long long>(row.round->opened));
  }
  std::printf(
      "\nCPU: user + system of this process (the server is another). CPU-s/min at the "
      "rate = us/exchange x rate x 60 / 1e6; 2 %% of one core is 1.2 CPU-s/min. vs raw: "
      "against the raw round just before (medians: the median of those ratios). "
      "Connections opened: while measured (raw opens all of its own before).\n");
}

int run(int argc, char** argv) {
  const auto options = parse_options(argc, argv);
  // Before any thread: the server is a fork of this process.
  auto server = start_server(options.connections, options.hosts);
  std::vector<Round> rounds;
  try {
    for (int round = 1; round <= options.rounds; ++round) {
      for (const auto& client : options.clients) {
        std::fprintf(stderr, "probe_floor: round %d, %s client, %.0f s...\n", round, client.c_str(),
                     options.warmup + options.seconds);
        if (client == "raw") {
          RawClient raw(server.ports[0], options.connections);
          rounds.push_back(raw.run(options));
        } else {
          rounds.push_back(run_async(server.ports, options));
        }
      }
    }
  } catch (...) {
    testing::terminate_child(server.pid);
    throw;
  }
  testing::terminate_child(server.pid);
  print_table(rounds, options);
  return 0;
}

}  // namespace
}  // namespace frankenetes::bench

int main(int argc, char** argv) {
  return frankenetes::bench::bench_main("probe_floor", argc, argv, frankenetes::bench::run);
}
