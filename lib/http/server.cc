// HttpServer: listener, per-connection sessions and stop(). Structure follows Beast's
// example/advanced/server/advanced_server.cpp: the acceptor gives every socket its own strand,
// a session keeps itself alive with shared_from_this while an operation is pending, and the
// session only moves bytes; the Handler decides every response except protocol errors.
//
// One file on purpose: Session is a template over the plain and the TLS stream, and keeping
// Beast out of every header means its definition cannot be shared across .cc files. The
// Beast-free parts live elsewhere: listen_address.cc (parsing), message.cc (targets, phrases).

#include "http/server.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cerrno>
#include <exception>
#include <limits>
#include <mutex>
#include <optional>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "http/detail/server_request.h"
#include "http/listen_address.h"

namespace frankenetes::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

// An over-limit connection gets this long to send its request head before its 503.
constexpr std::chrono::seconds kRejectReadTimeout{1};
// Connections accepted in one go after an async_accept completes (Impl::accept_queued).
constexpr int kAcceptBatch = 32;
// After the last response on a connection: how long to drain the client's unread bytes
// (plain TCP) or to wait for its close_notify (TLS) before closing. See graceful_close().
constexpr std::chrono::seconds kClosingTimeout{1};
constexpr std::size_t kMaxDrainBytes = 64 * 1024;
// First read of a request while waiting on an idle connection.
constexpr std::size_t kIdleReadBytes = 4 * 1024;

// One of the paths answered even over max_connections (health checks)?
bool is_priority_path(const ServerOptions& options, std::string_view path) {
  const auto& paths = options.priority_paths;
  return std::find(paths.begin(), paths.end(), path) != paths.end();
}

// Implemented by every session so stop() can reach it without knowing its stream type.
class SessionBase {
 public:
  explicit SessionBase(std::uint64_t id) : id_(id) {}
  virtual ~SessionBase() = default;
  std::uint64_t id() const { return id_; }
  // Thread-safe: posts onto the session's strand. Idle sessions close; busy ones finish the
  // request in flight and then close instead of keeping the connection alive.
  virtual void begin_stop() = 0;
  // Thread-safe. An admitted session that is idle (waiting for the first byte of a request,
  // or for its TLS handshake) can be evicted to make room for a new connection: true when it
  // was, and then it closes on its strand and will never read a request again.
  bool try_evict() {
    auto expected = Activity::kIdle;
    if (!activity_.compare_exchange_strong(expected, Activity::kEvicted)) return false;
    close_evicted();
    return true;
  }
  bool evictable() const { return activity_.load() == Activity::kIdle; }

 protected:
  enum class Activity { kBusy, kIdle, kEvicted };
  // Called by the session on its strand. False once evicted: the session must close. A
  // session that never went idle (its bytes were waiting) leaves idle trivially.
  bool enter_idle() {
    auto expected = Activity::kBusy;
    return activity_.compare_exchange_strong(expected, Activity::kIdle) ||
           expected == Activity::kIdle;
  }
  bool leave_idle() {
    auto expected = Activity::kIdle;
    return activity_.compare_exchange_strong(expected, Activity::kBusy) ||
           expected == Activity::kBusy;
  }
  virtual void close_evicted() = 0;

 private:
  const std::uint64_t id_;
  std::atomic<Activity> activity_{Activity::kBusy};
};

// What sessions share with the server. Held by shared_ptr so that a session finishing after
// the HttpServer object is gone still sees valid options, handler and counters.
struct ServerShared {
  ServerOptions options;
  Handler handler;
  std::shared_ptr<asio::ssl::context> tls;  // null for plain HTTP

  std::atomic<std::size_t> open_connections{0};       // admitted sessions
  std::atomic<std::size_t> rejecting_connections{0};  // over-limit sessions answering 503
  std::atomic<std::uint64_t> next_session_id{0};
  std::atomic<bool> stopping{false};

  // Live sessions, so stop() can close the idle ones. `stopping` is only set under this mutex,
  // so a new session is either registered before stop() looks or never started.
  std::mutex sessions_mutex;
  std::unordered_map<std::uint64_t, std::weak_ptr<SessionBase>> sessions;
};

core::Error listen_error(core::ErrorKind kind, const std::string& listen, const std::string& why) {
  return core::make_error(kind, "listen " + listen + ": " + why);
}

// Only inside a catch block: what() of the exception in flight, bounded, control characters
// replaced (it may quote peer data and ends up in a log line).
std::string current_exception_text() {
  constexpr std::size_t kMax = 300;
  std::string text;
  try {
    throw;
  } catch (const std::exception& e) {
    text = e.what();
  } catch (...) {
    text = "an exception not derived from std::exception";
  }
  if (text.size() > kMax) text = text.substr(0, kMax) + "...";
  for (char& c : text) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  return text;
}

std::string format_endpoint(const tcp::endpoint& endpoint) {
  const auto address = endpoint.address();
  const std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return host + ":" + std::to_string(endpoint.port());
}

// One connection. Stream is beast::tcp_stream or beast::ssl_stream<beast::tcp_stream>.
//
// Phases: [kHandshake] → kIdle → kReading → kHandling → kWriting → (kIdle … | kClosing).
// Deadlines (tcp_stream::expires_after; expiry closes the socket and fails the pending op):
//   first request on a connection: read_timeout from accept/handshake until the request is read;
//   later requests: idle_timeout until the first byte, then read_timeout for the whole request;
//   each response: write_timeout. The handler has handler_timeout, enforced by handler_timer_.
template <class Stream>
class Session final : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;
  enum class Phase { kHandshake, kIdle, kReading, kHandling, kWriting, kClosing };

 public:
  template <class... StreamArgs>
  Session(std::shared_ptr<ServerShared> server, bool reject, StreamArgs&&... stream_args)
      : SessionBase(++server->next_session_id),
        server_(std::move(server)),
        reject_(reject),
        stream_(std::forward<StreamArgs>(stream_args)...),
        handler_timer_(stream_.get_executor()) {
    counter().fetch_add(1);
    error_code ec;
    const auto remote = lowest().socket().remote_endpoint(ec);
    if (!ec) remote_address_ = format_endpoint(remote);
  }

  ~Session() override {
    counter().fetch_sub(1);
    std::lock_guard lock(server_->sessions_mutex);
    server_->sessions.erase(id());
  }

  void run() {
    asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] { self->on_run(); });
  }

  // Cancels the wait for a request (or for the handshake): its completion then closes the
  // connection, or, when the request's bytes won the race and are already read, demotes it.
  void close_evicted() override {
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
      if (self->phase_ == Phase::kIdle || self->phase_ == Phase::kHandshake) {
        self->lowest().cancel();
      }
    });
  }

  void begin_stop() override {
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
      // Nothing is in flight while idle or handshaking, so closing loses nothing. A request
      // being read, handled or written finishes; write_response() then sends Connection: close.
      // No TLS close_notify here: it would wait on a peer that is not reading.
      if (self->phase_ == Phase::kIdle || self->phase_ == Phase::kHandshake) self->close_now();
    });
  }

 private:
  std::atomic<std::size_t>& counter() {
    return reject_ ? server_->rejecting_connections : server_->open_connections;
  }
  const ServerOptions& options() const { return server_->options; }
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }
  // Evicted in the moment its request arrived: rather than drop a request already read, the
  // connection is answered as an over-limit one (a priority path, else 503) and then closed.
  void demote() {
    reject_ = true;
    server_->open_connections.fetch_sub(1);
    server_->rejecting_connections.fetch_add(1);
    lowest().expires_after(request_read_timeout());
  }
  std::chrono::milliseconds request_read_timeout() const {
    return reject_ ? std::min<std::chrono::milliseconds>(options().read_timeout, kRejectReadTimeout)
                   : options().read_timeout;
  }

  void on_run() {
    if constexpr (kTls) {
      phase_ = Phase::kHandshake;
      // Idle (evictable) for the whole handshake, even with its first bytes here: a client
      // that starts a handshake and stalls must not hold a slot for read_timeout.
      if (!reject_) enter_idle();
      lowest().expires_after(request_read_timeout());
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](error_code ec) {
                                // Includes timeout, stop() and eviction (cancel).
                                if (ec) return self->close_now();
                                if (!self->reject_ && !self->leave_idle()) self->demote();
                                self->wait_for_request(/*first=*/true);
                              });
    } else {
      wait_for_request(/*first=*/true);
    }
  }

  void wait_for_request(bool first) {
    if (server_->stopping) return close_now();
    parser_.emplace();
    detail::limit_request_parser(*parser_, options());
    lowest().expires_after(first ? request_read_timeout() : options().idle_timeout);
    if (buffer_.size() > 0) return read_request(first);  // pipelined bytes already here
    // The request's first bytes are in the socket already (typical for a new connection: the
    // listener defers accept until data): the connection is not idle, and must not be evicted
    // in the moment between here and its read completing.
    if (bytes_waiting()) return read_request(first);

    // Wait for the first byte with a plain read (an http::async_read would only complete after
    // the whole header), so an idle connection is distinguishable from one mid-request.
    phase_ = Phase::kIdle;
    if (!reject_ && !enter_idle()) return close_now();  // evicted
    stream_.async_read_some(buffer_.prepare(kIdleReadBytes),
                            [self = this->shared_from_this(), first](error_code ec, std::size_t n) {
                              self->buffer_.commit(n);
                              // Evicted (the read was cancelled): the client sees a closed
                              // keep-alive connection, as after an idle timeout.
                              if (ec) return self->close_after_read_error(ec);
                              if (!self->reject_ && !self->leave_idle()) self->demote();
                              self->read_request(first);
                            });
  }

  bool bytes_waiting() {
    error_code ec;
    const auto n = lowest().socket().available(ec);
    return !ec && n > 0;
  }

  void read_request(bool first) {
    phase_ = Phase::kReading;
    if (!first) lowest().expires_after(request_read_timeout());
    auto on_read = [self = this->shared_from_this()](error_code ec, std::size_t) {
      self->on_read(ec);
    };
    // An over-limit connection only needs its head read to be answered (and then drained).
    if (reject_) {
      bhttp::async_read_header(stream_, buffer_, *parser_, std::move(on_read));
    } else {
      bhttp::async_read(stream_, buffer_, *parser_, std::move(on_read));
    }
  }

  void on_read(error_code ec) {
    if (auto error = detail::protocol_error_for(ec)) {
      return respond_and_close(error->status, std::move(error->body));
    }
    if (ec) return close_after_read_error(ec);
    if (reject_ && !is_priority_request()) return respond_and_close(503, "too many connections\n");
    dispatch_to_handler();
  }

  // An over-limit connection is still served when it asks for one of the priority paths
  // (health checks) with GET or HEAD and no body, so a full server still tells its
  // orchestrator it is alive. Its connection is then closed after the answer.
  bool is_priority_request() const {
    const auto& message = parser_->get();
    if (!parser_->is_done()) return false;  // a body follows: not a health check
    if (message.method() != bhttp::verb::get && message.method() != bhttp::verb::head) {
      return false;
    }
    auto target = parse_target(std::string(message.target()));
    return target && is_priority_path(options(), target->path);
  }

  void dispatch_to_handler() {
    auto& message = parser_->get();
    keep_alive_ = message.keep_alive() && !reject_;
    head_request_ = message.method() == bhttp::verb::head;
    version_ = message.version();

    auto parsed = detail::to_request(message, remote_address_);
    if (!parsed) return respond_and_close(400, "malformed request target\n");
    Request request = std::move(*parsed);
    // Kept for on_handler_exception: the request itself moves into the handler.
    std::string request_method = request.method;
    std::string request_target = request.target;

    phase_ = Phase::kHandling;
    // Exactly one of {the handler's responder, the deadline} answers: whoever flips `answered`
    // first. The flag is shared (not a member) so a late responder never touches a dead session.
    auto answered = std::make_shared<std::atomic<bool>>(false);
    handler_timer_.expires_after(options().handler_timeout);
    handler_timer_.async_wait([self = this->shared_from_this(), answered](error_code ec) {
      if (ec) return;  // cancelled because the handler answered
      if (!answered->exchange(true))
        self->write_response(Response::text(503, "handler timed out\n"));
    });
    Responder respond = [weak = this->weak_from_this(), executor = stream_.get_executor(),
                         answered](Response response) {
      if (answered->exchange(true)) return;  // second call, or the deadline already answered
      auto self = weak.lock();
      if (!self) return;  // connection already gone: drop silently
      asio::post(executor, [self, response = std::move(response)]() mutable {
        self->write_response(std::move(response));
      });
    };
    try {
      server_->handler(std::move(request), std::move(respond));
    } catch (...) {
      // An exception must not take the io thread down; the client gets a 500 instead, and the
      // application hears of it (the exception text stays out of the response).
      if (!answered->exchange(true)) write_response(Response::text(500, "internal server error\n"));
      report_handler_exception(request_method, request_target, current_exception_text());
    }
  }

  void report_handler_exception(const std::string& method, const std::string& target,
                                const std::string& what) {
    if (!options().on_handler_exception) return;
    try {
      options().on_handler_exception(method, target, what);
    } catch (...) {
      // Documented as must-not-throw; the io thread survives a broken hook all the same.
    }
  }

  // Peer closed, reset, idle or read timeout, or stop(): nothing to answer. On a timeout the
  // server may simply close rather than send 408 (RFC 9110 §15.5.9); a client that stalled
  // mid-request is unlikely to read it.
  void close_after_read_error(error_code ec) {
    if constexpr (kTls) {
      // A TLS peer that sent close_notify (reported as eof) waits for ours (RFC 8446 §6.1).
      if (ec == asio::error::eof || ec == bhttp::error::end_of_stream) return graceful_close();
    }
    (void)ec;
    close_now();
  }

  void respond_and_close(int status, std::string text) {
    keep_alive_ = false;
    head_request_ = false;
    version_ = 11;
    phase_ = Phase::kHandling;
    write_response(Response::text(status, std::move(text)));
  }

  void write_response(Response response) {
    handler_timer_.cancel();
    if (phase_ != Phase::kHandling) return;
    phase_ = Phase::kWriting;
    const bool keep_alive = keep_alive_ && !server_->stopping;
    response_ = detail::to_beast_response(std::move(response), version_, keep_alive,
                                          options().server_header);
    serializer_.emplace(response_);
    lowest().expires_after(options().write_timeout);
    auto on_write = [self = this->shared_from_this(), keep_alive](error_code ec, std::size_t) {
      // The response is sent (or never will be): its body is not kept while the connection
      // idles. A kept-alive scraper would otherwise hold a whole /metrics exposition (4 MiB
      // at 4000 members) between scrapes.
      self->serializer_.reset();
      self->response_ = {};
      if (ec) return self->close_now();
      if (!keep_alive || self->server_->stopping) return self->graceful_close();
      self->wait_for_request(/*first=*/false);
    };
    // A HEAD response carries the GET headers (Content-Length included) but no body.
    if (head_request_) {
      bhttp::async_write_header(stream_, *serializer_, std::move(on_write));
    } else {
      bhttp::async_write(stream_, *serializer_, std::move(on_write));
    }
  }

  // Closing right after the last response risks a TCP reset that destroys that response in
  // the client's receive buffer when the client's request was not fully read (for example a
  // 413 or 431). RFC 9112 §9.6: close in stages, half-close first, then read until the client
  // closes or a short time passed. For TLS the same role is played by waiting for the peer's
  // close_notify.
  void graceful_close() {
    phase_ = Phase::kClosing;
    lowest().expires_after(kClosingTimeout);
    if constexpr (kTls) {
      stream_.async_shutdown([self = this->shared_from_this()](error_code) {
        // Errors are ignored on purpose. Most HTTPS clients close the TCP connection after the
        // final response without sending close_notify, which OpenSSL reports as
        // ssl::error::stream_truncated. Truncation cannot hurt here: every response we sent
        // was length-delimited (Content-Length), so the client detects a short body itself.
        self->close_now();
      });
    } else {
      error_code ignored;
      lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
      drain();
    }
  }

  void drain() {
    lowest().async_read_some(asio::buffer(drain_buffer_),
                             [self = this->shared_from_this()](error_code ec, std::size_t n) {
                               self->drained_ += n;
                               if (ec || self->drained_ >= kMaxDrainBytes) return self->close_now();
                               self->drain();
                             });
  }

  void close_now() {
    phase_ = Phase::kClosing;
    handler_timer_.cancel();
    lowest().close();  // also cancels the stream's deadline timer
  }

  std::shared_ptr<ServerShared> server_;
  // Over the limit (from accept, or demoted): served only on a priority path, then closed.
  bool reject_;
  Stream stream_;
  asio::steady_timer handler_timer_;
  std::string remote_address_;
  Phase phase_ = Phase::kIdle;

  beast::flat_buffer buffer_;
  std::optional<detail::RequestParser> parser_;
  bool keep_alive_ = false;
  bool head_request_ = false;
  unsigned version_ = 11;
  detail::BeastResponse response_;
  std::optional<bhttp::response_serializer<bhttp::string_body>> serializer_;
  std::array<char, 4096> drain_buffer_{};
  std::size_t drained_ = 0;
};

core::Result<std::shared_ptr<asio::ssl::context>> make_tls_context(
    const TlsServerCredentials& credentials, const std::string& listen) {
  auto fail = [&](const std::string& what) {
    return listen_error(core::ErrorKind::kTls, listen, what);
  };
  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  // TLS 1.2 is the oldest version still considered sound (RFC 8996 deprecates 1.0 and 1.1).
  SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
  context->set_options(asio::ssl::context::default_workarounds |
                       asio::ssl::context::no_compression);
  error_code ec;
  context->use_certificate_chain(asio::buffer(credentials.certificate_chain_pem), ec);
  if (ec) return fail("TLS certificate chain: " + ec.message());
  context->use_private_key(asio::buffer(credentials.private_key_pem), asio::ssl::context::pem, ec);
  if (ec) return fail("TLS private key: " + ec.message());
  if (SSL_CTX_check_private_key(context->native_handle()) != 1) {
    return fail("TLS private key does not match the certificate");
  }
  return context;
}

}  // namespace

class HttpServer::Impl : public std::enable_shared_from_this<HttpServer::Impl> {
 public:
  Impl(asio::io_context& io, ServerOptions options, Handler handler)
      : io_(io), acceptor_(io), accept_retry_timer_(io), shared_(std::make_shared<ServerShared>()) {
    shared_->options = std::move(options);
    shared_->handler = std::move(handler);
  }

  core::Status start() {
    const std::string& listen = shared_->options.listen;
    auto parsed = parse_listen_address(listen);
    if (!parsed) return parsed.error();
    const tcp::endpoint endpoint(asio::ip::make_address(parsed->host), parsed->port);
    if (shared_->options.tls) {
      auto context = make_tls_context(*shared_->options.tls, listen);
      if (!context) return context.error();
      shared_->tls = *context;
    }

    std::lock_guard lock(acceptor_mutex_);
    if (acceptor_.is_open() || shared_->stopping) {
      return listen_error(core::ErrorKind::kInvalidConfig, listen,
                          "start() called twice or after stop()");
    }
    error_code ec;
    acceptor_.open(endpoint.protocol(), ec);
    // SO_REUSEADDR lets a restarted daemon bind while old connections sit in TIME_WAIT; on
    // Linux it does not let two listening sockets share a port, so "in use" is still reported.
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (!ec) port_ = acceptor_.local_endpoint(ec).port();
    if (!ec) defer_accept_until_data();
    if (!ec) acceptor_.non_blocking(true, ec);  // for the batch in accept_queued()
    if (ec) {
      error_code ignored;
      acceptor_.close(ignored);
      return listen_error(core::ErrorKind::kInvalidConfig, listen, ec.message());
    }
    do_accept_locked();
    return {};
  }

  std::uint16_t port() const { return port_; }
  std::size_t open_connections() const { return shared_->open_connections.load(); }
  std::size_t over_limit_connections() const { return shared_->rejecting_connections.load(); }
  std::size_t idle_connections() const {
    const auto live = live_sessions();
    return static_cast<std::size_t>(std::count_if(
        live.begin(), live.end(), [](const auto& session) { return session->evictable(); }));
  }

  void stop() {
    {
      std::lock_guard lock(shared_->sessions_mutex);
      if (shared_->stopping.exchange(true)) return;
    }
    // A session registering after this sees `stopping` and does not start.
    const auto live = live_sessions();
    {
      std::lock_guard lock(acceptor_mutex_);
      error_code ignored;
      acceptor_.close(ignored);  // the pending async_accept completes with operation_aborted
      accept_retry_timer_.cancel();
    }
    for (auto& session : live) session->begin_stop();
  }

 private:
  // Each connection gets its own strand (advanced_server.cpp), so its handlers never run
  // concurrently even when several threads run the io_context.
  void do_accept_locked() {
    acceptor_.async_accept(asio::make_strand(io_),
                           beast::bind_front_handler(&Impl::on_accept, shared_from_this()));
  }

  // A connection enters the accept queue only once its client has sent something (HTTP and
  // TLS clients speak first), or after about `seconds` of silence. A flood of connections that
  // open and close (or reset) without a byte then costs the kernel, not this thread, and does
  // not queue ahead of a health check. Best effort: without it the server works as before.
  void defer_accept_until_data() {
    const auto read_timeout =
        std::chrono::ceil<std::chrono::seconds>(shared_->options.read_timeout).count();
    const int seconds = static_cast<int>(std::clamp<long long>(read_timeout, 1, 60));
    ::setsockopt(acceptor_.native_handle(), IPPROTO_TCP, TCP_DEFER_ACCEPT, &seconds,
                 sizeof seconds);
  }

  void on_accept(error_code ec, tcp::socket socket) {
    std::lock_guard lock(acceptor_mutex_);
    if (!acceptor_.is_open()) return;  // stop() closed it
    if (ec) {
      // Typically EMFILE/ENFILE: accepting again at once would spin, so pause briefly.
      accept_retry_timer_.expires_after(std::chrono::milliseconds(100));
      accept_retry_timer_.async_wait([self = shared_from_this()](error_code wait_ec) {
        std::lock_guard relock(self->acceptor_mutex_);
        if (!wait_ec && self->acceptor_.is_open()) self->do_accept_locked();
      });
      return;
    }
    start_session(std::move(socket));
    accept_queued();
    do_accept_locked();
  }

  // Takes what else the kernel has queued (up to kAcceptBatch) without a trip through the
  // reactor for each: under a connection flood the queue drains faster, so a health check
  // waits behind fewer connections. Only while there is room: the sessions of a batch run
  // after it, so a batch at the limit would reject what a moment later fits. An error (the
  // queue is empty) ends the batch; a real one (EMFILE) comes back in the next async_accept.
  void accept_queued() {
    for (int i = 0; i < kAcceptBatch; ++i) {
      if (shared_->open_connections.load() >= shared_->options.max_connections) return;
      tcp::socket socket(asio::make_strand(io_));
      error_code ec;
      acceptor_.accept(socket, ec);
      if (ec) return;
      start_session(std::move(socket));
    }
  }

  // Over the limit we still accept and answer 503 + Connection: close after reading the request
  // head (within kRejectReadTimeout): a client gets a clear answer instead of a hang in the
  // backlog, and reading the head first avoids a reset destroying the 503. Those answers are
  // bounded too: beyond max_connections rejecting sessions, new sockets are closed at once.
  void start_session(tcp::socket socket) {
    if (peer_left_without_a_byte(socket)) return;
    // Responses are written whole (header and body in one write, or TLS records back to
    // back), so Nagle only holds back a response's last small segment until the client ACKs
    // the previous one, which a delayed-ACK client does after up to 40 ms (RFC 1122 4.2.3.2).
    error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    const std::size_t limit = shared_->options.max_connections;
    const bool reject = shared_->open_connections.load() >= limit && !evict_idle_session();
    if (reject && shared_->rejecting_connections.load() >= limit &&
        !asks_for_priority_path(socket)) {
      return;
    }
    if (shared_->tls) {
      launch(std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
          shared_, reject, std::move(socket), *shared_->tls));
    } else {
      launch(std::make_shared<Session<beast::tcp_stream>>(shared_, reject, std::move(socket)));
    }
  }

  // A client that connected and closed (or reset) before sending anything leaves nothing to
  // answer: closed here, one peek instead of a session. Under a flood of such connections this
  // is most of them (with TCP_DEFER_ACCEPT a close counts as "data" and reaches the queue).
  static bool peer_left_without_a_byte(tcp::socket& socket) {
    char byte = 0;
    const ssize_t n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0) return true;
    return n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
  }

  // With every admitted and every over-limit slot taken, a health check is still answered: the
  // request line is usually here already (the listener defers accept until data), so a peek
  // at it tells GET/HEAD of a priority path from anything else. Only plain HTTP: a TLS
  // client's first bytes are its handshake. The session it gets is an over-limit one beyond
  // the bound, which answers it and closes.
  bool asks_for_priority_path(tcp::socket& socket) const {
    if (shared_->options.priority_paths.empty() || shared_->tls) return false;
    std::array<char, 256> head{};
    const ssize_t n =
        ::recv(socket.native_handle(), head.data(), head.size(), MSG_PEEK | MSG_DONTWAIT);
    if (n <= 0) return false;
    std::string_view line(head.data(), static_cast<std::size_t>(n));
    if (line.starts_with("GET ")) {
      line.remove_prefix(4);
    } else if (line.starts_with("HEAD ")) {
      line.remove_prefix(5);
    } else {
      return false;
    }
    const auto end = line.find_first_of(" ?");
    if (end == std::string_view::npos) return false;  // the whole target has not arrived
    return is_priority_path(shared_->options, line.substr(0, end));
  }

  // At the limit, the oldest idle admitted connection (an idle keep-alive, or one that has not
  // sent a byte yet) is closed to make room: idle connections must not lock out new requests.
  // The new connection is admitted at once; the count drops when the evicted session ends
  // (or is demoted: see Session::demote).
  bool evict_idle_session() {
    auto live = live_sessions();
    std::sort(live.begin(), live.end(),
              [](const auto& a, const auto& b) { return a->id() < b->id(); });
    for (auto& session : live) {
      if (session->try_evict()) return true;
    }
    return false;
  }

  // Strong references to every registered session. Taken under the mutex but released by the
  // caller outside it: a session's destructor takes the mutex too.
  std::vector<std::shared_ptr<SessionBase>> live_sessions() const {
    std::vector<std::shared_ptr<SessionBase>> live;
    std::lock_guard lock(shared_->sessions_mutex);
    live.reserve(shared_->sessions.size());
    for (auto& [id, weak] : shared_->sessions) {
      if (auto session = weak.lock()) live.push_back(std::move(session));
    }
    return live;
  }

  template <class SessionType>
  void launch(std::shared_ptr<SessionType> session) {
    {
      std::lock_guard lock(shared_->sessions_mutex);
      if (shared_->stopping) return;  // stop() won the race; the socket closes with `session`
      shared_->sessions.emplace(session->id(), session);
    }
    session->run();
  }

  asio::io_context& io_;
  std::mutex acceptor_mutex_;
  tcp::acceptor acceptor_;
  asio::steady_timer accept_retry_timer_;
  std::uint16_t port_ = 0;
  std::shared_ptr<ServerShared> shared_;
};

HttpServer::HttpServer(asio::io_context& io, ServerOptions options, Handler handler)
    : impl_(std::make_shared<Impl>(io, std::move(options), std::move(handler))) {}

HttpServer::~HttpServer() { impl_->stop(); }

core::Status HttpServer::start() { return impl_->start(); }
std::uint16_t HttpServer::port() const { return impl_->port(); }
void HttpServer::stop() { impl_->stop(); }
std::size_t HttpServer::open_connections() const { return impl_->open_connections(); }
std::size_t HttpServer::over_limit_connections() const { return impl_->over_limit_connections(); }
std::size_t HttpServer::idle_connections() const { return impl_->idle_connections(); }

}  // namespace frankenetes::http
