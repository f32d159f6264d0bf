// bench/probe_floor: what does one probe's HTTP exchange cost the process that makes it, at
// the very least, on this machine — and what does it cost through the daemon's client?
//
// Issue 12 asks for at most 2 % of one core (1.2 CPU-s/min) at N = 1000 clusters, and for
// hangs to be caught within probe.period x failureThreshold + 2 s, i.e. a probe of every
// member every 5 s: 4000 probes plus 1000 etcd status reads per 5 s, a thousand HTTP exchanges
// a second. This bench measures the client side of such a stream of exchanges twice, one after
// the other in the same run, against the same server:
//   1. raw: the cheapest client that still speaks HTTP/1.1 — no library, non-blocking
//      sockets kept alive and registered with epoll once, the request bytes made once per
//      connection, a response taken as done when its Content-Length is in. It is what the
//      kernel charges for send, receive and wake-ups, plus almost nothing: the floor.
//   2. async: http::AsyncHttpClient, the daemon's probe client, with the daemon's settings
//      (256 KiB body limit, 1 s timeout; --connections idle per host, by default the daemon's
//      kProbeMaxIdlePerHost = 64), requests handed over from another thread as the reconciler
//      does.
// Both start their requests in batches, one every --tick-ms (the daemon's probe batch
// window, 50 ms), which favours them: fewer wake-ups than one request at a time. The server is
// http::HttpServer in a child process of its own (forked before any thread exists), so its
// CPU is not counted; it answers every GET 200 "ok".
//
// Measured per client, after a warm-up: CPU of this whole process (getrusage RUSAGE_SELF),
// exchanges completed, and from those the microseconds per exchange and the CPU-s/min at
// --rate. User and system time are added up: the kernel keeps their sum exactly but splits it
// between them by tick samples, which at ~1 % of a core is noise. The clients take turns for
// --rounds rounds (raw, async, raw, async, ...) so that what else runs on the machine falls
// on both; the table lists every round and each client's median, with its ratio against the
// raw floor's median. A round where an exchange fails, a batch finds no idle connection, or
// fewer than 95 % of the due exchanges complete is an error, not a result.
//
//   build/release/bench/probe_floor [--rate 1000] [--seconds 20] [--warmup 3] [--rounds 3]
//                                   [--tick-ms 50] [--connections 64] [--clients raw,async]
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
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
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

// The daemon's probe client settings (daemon/http_clients.h, daemon/work_threads.h).
constexpr std::size_t kDaemonMaxIdlePerHost = 64;
constexpr std::size_t kDaemonMaxResponseBodyBytes = std::size_t{256} * 1024;
constexpr auto kProbeTimeout = 1s;  // the scale bench's probe.timeout

struct Options {
  double rate = 1000;  // exchanges per second
  double seconds = 20;
  double warmup = 3;
  int rounds = 3;
  int tick_ms = 50;
  std::size_t connections = kDaemonMaxIdlePerHost;
  std::vector<std::string> clients{"raw", "async"};
};

[[noreturn]] void fail(const std::string& message) { throw std::runtime_error(message); }

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
      "[--connections 64] [--clients raw,async]",
      {{"--rate", [&](const std::string& v) { options.rate = parse_number<double>(v); }},
       {"--seconds", [&](const std::string& v) { options.seconds = parse_number<double>(v); }},
       {"--warmup", [&](const std::string& v) { options.warmup = parse_number<double>(v); }},
       {"--rounds", [&](const std::string& v) { options.rounds = parse_number<int>(v); }},
       {"--tick-ms", [&](const std::string& v) { options.tick_ms = parse_number<int>(v); }},
       {"--connections",
        [&](const std::string& v) { options.connections = parse_number<std::size_t>(v); }},
       {"--clients", [&](const std::string& v) { options.clients = split_commas(v); }}});
  if (!(options.rate > 0 && options.rate <= 100000)) fail("--rate must be in (0, 100000]");
  if (!(options.seconds >= 1)) fail("--seconds must be at least 1");
  if (!(options.warmup >= 0)) fail("--warmup must not be negative");
  if (options.rounds < 1 || options.rounds > 100) fail("--rounds must be 1..100");
  if (options.tick_ms < 1 || options.tick_ms > 1000) fail("--tick-ms must be 1..1000");
  const double batch = options.rate * options.tick_ms / 1000.0;
  if (options.connections < 1 || options.connections > 10000) {
    fail("--connections must be 1..10000");
  }
  if (static_cast<double>(options.connections) < std::ceil(batch)) {
    fail("--connections must be at least a batch (--rate x --tick-ms / 1000 = " +
         std::to_string(static_cast<int>(std::ceil(batch))) + ")");
  }
  for (const auto& client : options.clients) {
    if (client != "raw" && client != "async") fail("--clients: unknown client " + client);
  }
  if (options.clients.empty()) fail("--clients: none given");
  return options;
}

// ---------------------------------------------------------------------------------------------
// The server: a child process, forked while this process has one thread, that runs HttpServer
// until it is killed (or this process dies: PR_SET_PDEATHSIG).

struct ServerChild {
  pid_t pid = -1;
  std::uint16_t port = 0;
};

ServerChild start_server(std::size_t connections) {
  int ready[2];
  if (pipe2(ready, O_CLOEXEC) != 0) fail(std::string("pipe: ") + std::strerror(errno));
  const pid_t pid = fork();
  if (pid < 0) fail(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    close(ready[0]);
    boost::asio::io_context io;
    http::ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.max_connections = connections + 16;
    options.idle_timeout = 10min;
    http::HttpServer server(io, options, http::make_sync_handler([](const http::Request&) {
                              return http::Response::text(200, "ok\n");
                            }));
    std::uint16_t port = 0;
    if (server.start().ok()) port = server.port();
    if (write(ready[1], &port, sizeof port) != sizeof port || port == 0) _exit(1);
    close(ready[1]);
    io.run();
    _exit(0);
  }
  close(ready[1]);
  std::uint16_t port = 0;
  const auto got = read(ready[0], &port, sizeof port);
  close(ready[0]);
  ServerChild child{pid, port};
  if (got != sizeof port || port == 0) {
    testing::terminate_child(child.pid);
    fail("the server process did not start");
  }
  return child;
}

// ---------------------------------------------------------------------------------------------
// Measuring.

struct CpuSample {
  double user_s = 0;
  double system_s = 0;
  std::uint64_t completed = 0;
  std::uint64_t opened = 0;  // connections opened so far
  Clock::time_point at;
};

double seconds_of(const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; }

CpuSample sample(std::uint64_t completed, std::uint64_t opened) {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return {seconds_of(usage.ru_utime), seconds_of(usage.ru_stime), completed, opened, Clock::now()};
}

struct Result {
  std::string client;
  double wall_s = 0;
  std::uint64_t exchanges = 0;
  double user_s = 0;
  double system_s = 0;
  std::uint64_t opened = 0;  // connections opened while measured

  double per_s() const { return static_cast<double>(exchanges) / wall_s; }
  double us_per_exchange(double cpu_s) const {
    return exchanges == 0 ? 0 : cpu_s * 1e6 / static_cast<double>(exchanges);
  }
};

// A round's measured part: --warmup first, then --seconds; its starting sample is taken on
// the first check after the warm-up.
class Window {
 public:
  explicit Window(const Options& options)
      : from_at_(Clock::now() + seconds(options.warmup)),
        end_(from_at_ + seconds(options.seconds)) {}
  Clock::time_point end() const { return end_; }
  template <class Sample>
  void start_if_due(Clock::time_point now, Sample take) {
    if (!started_ && now >= from_at_) {
      from_ = take();
      started_ = true;
    }
  }
  const CpuSample& from() const { return from_; }

 private:
  static Clock::duration seconds(double s) {
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
  }
  Clock::time_point from_at_;
  Clock::time_point end_;
  CpuSample from_;
  bool started_ = false;
};

Result difference(const std::string& client, const CpuSample& from, const CpuSample& to) {
  return {client,
          std::chrono::duration<double>(to.at - from.at).count(),
          to.completed - from.completed,
          to.user_s - from.user_s,
          to.system_s - from.system_s,
          to.opened - from.opened};
}

// Batches of exchanges due at `rate`, one batch per tick: the fractions carry over.
class Pacer {
 public:
  Pacer(double rate, int tick_ms)
      : per_tick_(rate * tick_ms / 1000.0),
        tick_(std::chrono::milliseconds(tick_ms)),
        next_(Clock::now()) {}
  Clock::time_point next() const { return next_; }
  // The exchanges due at the tick that has come; advances to the next tick.
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

void check_complete(const Result& result, const Options& options) {
  const double due = options.rate * result.wall_s;
  if (static_cast<double>(result.exchanges) < 0.95 * due) {
    fail(result.client + ": " + std::to_string(result.exchanges) + " exchanges completed of " +
         std::to_string(static_cast<std::uint64_t>(due)) + " due: the client cannot keep up");
  }
}

std::string health_path(std::size_t member) {
  // An address per member, as the scale bench's probe URLs (".../health/{ip}").
  return "/health/10." + std::to_string((member >> 16) & 255) + "." +
         std::to_string((member >> 8) & 255) + "." + std::to_string(member & 255);
}

// ---------------------------------------------------------------------------------------------
// 1. raw: epoll and non-blocking sockets, nothing else.

class RawClient {
 public:
  RawClient(std::uint16_t port, std::size_t connections) : epoll_(epoll_create1(EPOLL_CLOEXEC)) {
    if (epoll_ < 0) fail(std::string("epoll_create1: ") + std::strerror(errno));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (std::size_t i = 0; i < connections; ++i) {
      Connection c;
      c.fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (c.fd < 0) fail(std::string("socket: ") + std::strerror(errno));
      if (connect(c.fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        fail("connect 127.0.0.1:" + std::to_string(port) + ": " + std::strerror(errno));
      }
      const int one = 1;
      setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      fcntl(c.fd, F_SETFL, fcntl(c.fd, F_GETFL) | O_NONBLOCK);
      c.request = "GET " + health_path(i) + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                  "\r\nUser-Agent: probe-floor\r\n\r\n";
      c.in.reserve(512);
      epoll_event event{};
      event.events = EPOLLIN;
      event.data.u64 = i;
      if (epoll_ctl(epoll_, EPOLL_CTL_ADD, c.fd, &event) != 0) {
        fail(std::string("epoll_ctl: ") + std::strerror(errno));
      }
      connections_.push_back(std::move(c));
      idle_.push_back(i);
    }
  }
  ~RawClient() {
    for (const auto& c : connections_) close(c.fd);
    close(epoll_);
  }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  Result run(const Options& options) {
    Pacer pacer(options.rate, options.tick_ms);
    Window window(options);
    epoll_event events[256];
    for (auto now = Clock::now(); now < window.end(); now = Clock::now()) {
      window.start_if_due(now, [&] { return sample(completed_, 0); });
      if (now >= pacer.next()) {
        for (std::size_t n = pacer.take(); n > 0; --n) start_one();
        continue;
      }
      const auto wait = std::chrono::ceil<std::chrono::milliseconds>(pacer.next() - now);
      const int ready = epoll_wait(epoll_, events, 256, static_cast<int>(wait.count()));
      if (ready < 0 && errno != EINTR) fail(std::string("epoll_wait: ") + std::strerror(errno));
      for (int i = 0; i < ready; ++i) receive(static_cast<std::size_t>(events[i].data.u64));
    }
    const auto to = sample(completed_, 0);
    // Let the last batch come in, so the connections are idle for the next client's run.
    for (const auto deadline = Clock::now() + 2s; idle_.size() < connections_.size();) {
      if (Clock::now() > deadline) fail("raw: answers still missing 2 s after the run");
      epoll_event more[256];
      const int ready = epoll_wait(epoll_, more, 256, 100);
      for (int i = 0; i < ready; ++i) receive(static_cast<std::size_t>(more[i].data.u64));
    }
    return difference("raw", window.from(), to);
  }

 private:
  struct Connection {
    int fd = -1;
    std::string request;
    std::string in;
  };

  void start_one() {
    if (idle_.empty()) fail("raw: no idle connection for a due exchange (raise --connections)");
    const std::size_t i = idle_.front();
    idle_.pop_front();
    const auto& request = connections_[i].request;
    const auto sent = send(connections_[i].fd, request.data(), request.size(), MSG_NOSIGNAL);
    if (sent != static_cast<ssize_t>(request.size())) {
      fail(std::string("raw: send: ") + (sent < 0 ? std::strerror(errno) : "short write"));
    }
  }

  void receive(std::size_t i) {
    auto& c = connections_[i];
    char buffer[1024];
    for (;;) {
      const auto got = recv(c.fd, buffer, sizeof buffer, 0);
      if (got > 0) {
        c.in.append(buffer, static_cast<std::size_t>(got));
        continue;
      }
      if (got == 0) fail("raw: the server closed a kept-alive connection");
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      if (errno != EINTR) fail(std::string("raw: recv: ") + std::strerror(errno));
    }
    const auto head_end = c.in.find("\r\n\r\n");
    if (head_end == std::string::npos) return;
    if (c.in.compare(0, 12, "HTTP/1.1 200") != 0) fail("raw: answer is not 200: " + c.in);
    const std::string_view head(c.in.data(), head_end);
    const auto length_at = head.find("Content-Length: ");
    if (length_at == std::string_view::npos) fail("raw: answer without Content-Length");
    const auto length = std::strtoul(c.in.c_str() + length_at + 16, nullptr, 10);
    if (c.in.size() < head_end + 4 + length) return;
    if (c.in.size() > head_end + 4 + length) fail("raw: more bytes than one answer");
    c.in.clear();
    ++completed_;
    idle_.push_back(i);
  }

  int epoll_;
  std::vector<Connection> connections_;
  std::deque<std::size_t> idle_;
  std::uint64_t completed_ = 0;
};

// ---------------------------------------------------------------------------------------------
// 2. async: the daemon's client, requests handed over from this (the pacing) thread.

Result run_async(std::uint16_t port, const Options& options) {
  http::HttpClientOptions client_options;
  client_options.user_agent = "probe-floor";
  // As many as the raw client keeps: the daemon's 64 by default. Fewer than a batch, and the
  // pool closes and opens the difference every tick (the table's "opened" column shows it).
  client_options.max_idle_per_host = options.connections;
  client_options.max_response_body_bytes = kDaemonMaxResponseBodyBytes;
  auto created = http::AsyncHttpClient::create(client_options);
  if (!created.ok()) fail("AsyncHttpClient: " + created.error().describe());
  auto client = std::move(*created);

  std::vector<std::string> urls;
  const std::string origin = "http://127.0.0.1:" + std::to_string(port);
  for (std::size_t i = 0; i < options.connections; ++i) urls.push_back(origin + health_path(i));

  std::atomic<std::uint64_t> completed{0};
  std::atomic<std::uint64_t> in_flight{0};
  std::mutex mutex;
  std::string first_error;
  std::condition_variable drained;
  auto done = [&](core::Result<http::Response> response) {
    if (!response.ok() || response->status != 200) {
      std::lock_guard lock(mutex);
      if (first_error.empty()) {
        first_error = response.ok() ? "status " + std::to_string(response->status)
                                    : response.error().describe();
      }
    } else {
      completed.fetch_add(1, std::memory_order_relaxed);
    }
    if (in_flight.fetch_sub(1) == 1) {
      std::lock_guard lock(mutex);
      drained.notify_all();
    }
  };

  Pacer pacer(options.rate, options.tick_ms);
  Window window(options);
  std::size_t member = 0;
  for (auto now = Clock::now(); now < window.end(); now = Clock::now()) {
    window.start_if_due(now,
                        [&] { return sample(completed.load(), client->connections_opened()); });
    if (now < pacer.next()) {
      std::this_thread::sleep_until(pacer.next());  // pacing: the next batch's start time
      continue;
    }
    for (std::size_t n = pacer.take(); n > 0; --n) {
      http::ClientRequest request;
      request.url = urls[member];
      request.timeout = kProbeTimeout;
      request.operation = "probe";
      member = (member + 1) % urls.size();
      in_flight.fetch_add(1);
      client->send_async(std::move(request), done);
    }
  }
  const auto to = sample(completed.load(), client->connections_opened());
  {
    std::unique_lock lock(mutex);
    if (!drained.wait_for(lock, 2s, [&] { return in_flight.load() == 0; })) {
      fail("async: answers still missing 2 s after the run");
    }
    if (!first_error.empty()) fail("async: an exchange failed: " + first_error);
  }
  client->stop();
  if (client->callbacks_failed() != 0) fail("async: a callback threw");
  return difference("async", window.from(), to);
}

// ---------------------------------------------------------------------------------------------

struct Row {
  std::string label;  // "raw", "async round 2", "raw median"
  double exchanges_per_s = 0;
  double total_us = 0;  // CPU (user + system) per exchange
  std::uint64_t opened = 0;
};

Row row_of(const Result& r, const std::string& label) {
  return {label, r.per_s(), r.us_per_exchange(r.user_s + r.system_s), r.opened};
}

// The round whose total is the median (the lower one of an even count).
Row median_of(std::vector<Row> rounds, const std::string& label) {
  std::sort(rounds.begin(), rounds.end(),
            [](const Row& a, const Row& b) { return a.total_us < b.total_us; });
  Row median = rounds[(rounds.size() - 1) / 2];
  median.label = label;
  return median;
}

void print_table(const std::vector<Result>& results, const Options& options) {
  std::vector<Row> rows;
  std::vector<Row> medians;
  for (const auto& client : options.clients) {
    std::vector<Row> rounds;
    for (const auto& r : results) {
      if (r.client == client) {
        rounds.push_back(row_of(r, client + " round " + std::to_string(rounds.size() + 1)));
      }
    }
    rows.insert(rows.end(), rounds.begin(), rounds.end());
    medians.push_back(median_of(rounds, client + " median"));
  }
  const Row* floor = nullptr;
  for (const auto& m : medians) {
    if (m.label == "raw median") floor = &m;
  }
  rows.insert(rows.end(), medians.begin(), medians.end());

  std::printf(
      "\nprobe_floor: %.0f exchanges/s in batches every %d ms over %zu kept-alive "
      "connections; %d round(s) of %.0f s after %.0f s warm-up each\n\n",
      options.rate, options.tick_ms, options.connections, options.rounds, options.seconds,
      options.warmup);
  std::printf(
      "| client | exchanges/s | CPU us/exchange | CPU-s/min at %.0f/s | %% of one core | "
      "vs raw median | connections opened |\n",
      options.rate);
  std::printf("|---|---|---|---|---|---|---|\n");
  for (const auto& row : rows) {
    const double per_min = row.total_us * options.rate * 60 / 1e6;
    char ratio[32] = "-";
    if (floor != nullptr && floor->total_us > 0) {
      std::snprintf(ratio, sizeof ratio, "%.2fx", row.total_us / floor->total_us);
    }
    std::printf("| %s | %.1f | %.2f | %.3f | %.2f | %s | %llu |\n", row.label.c_str(),
                row.exchanges_per_s, row.total_us, per_min, per_min / 60 * 100, ratio,
                static_cast<unsigned long long>(row.opened));
  }
  std::printf(
      "\nCPU: user + system of this process (the server is another). CPU-s/min at the "
      "rate = us/exchange x rate x 60 / 1e6; 2 %% of one core is 1.2 CPU-s/min. Connections "
      "opened: while measured (raw opens all of its own before).\n");
}

int run(int argc, char** argv) {
  const auto options = parse_options(argc, argv);
  // Before any thread: the server is a fork of this process.
  auto server = start_server(options.connections);
  std::vector<Result> results;
  try {
    for (int round = 1; round <= options.rounds; ++round) {
      for (const auto& client : options.clients) {
        std::fprintf(stderr, "probe_floor: round %d, %s client, %.0f s...\n", round, client.c_str(),
                     options.warmup + options.seconds);
        Result result;
        if (client == "raw") {
          RawClient raw(server.port, options.connections);
          result = raw.run(options);
        } else {
          result = run_async(server.port, options);
        }
        check_complete(result, options);
        results.push_back(result);
      }
    }
  } catch (...) {
    testing::terminate_child(server.pid);
    throw;
  }
  testing::terminate_child(server.pid);
  print_table(results, options);
  return 0;
}

}  // namespace
}  // namespace frankenetes::bench

int main(int argc, char** argv) {
  return frankenetes::bench::bench_main("probe_floor", argc, argv, frankenetes::bench::run);
}
