// AsyncHttpClient: HttpClient's exchange (client.cc) as a chain of completion handlers on one
// shared io_context, in the shape of Beast's example/http/client/async-ssl: each request is a
// Call that owns its state and is kept alive by the handler of whichever step is pending
// (shared_from_this), with a deadline (tcp_stream::expires_at) before every connect,
// handshake, write and read. Only the loop thread touches a Call, a connection or the pool, so
// no strands are needed; the one lock guards the queue of requests that send_async() hands over.
//
// The rules themselves (request building, TLS setup and errors, parser limits, error wording,
// pooling) are shared with HttpClient through detail/, so the two clients cannot drift apart.

#include "http/async_client.h"

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/thread_name.h"
#include "core/time_source.h"
#include "http/detail/client_errors.h"
#include "http/detail/client_message.h"
#include "http/detail/client_tls.h"
#include "http/detail/connection.h"
#include "http/detail/connection_pool.h"
#include "http/url.h"
#include "log/event.h"

namespace frankenetes::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

class AsyncHttpClient::Impl {
 public:
  Impl(HttpClientOptions options, std::shared_ptr<asio::ssl::context> tls)
      : options_(std::move(options)),
        tls_(std::move(tls)),
        pool_(options_.max_idle_per_host, options_.idle_timeout) {
    io_.emplace(1);  // a concurrency hint: one thread runs it
    work_.emplace(io_->get_executor());
    // Callbacks' exceptions are caught where they are called (Call::finish); anything else
    // escaping a handler is a bug or memory exhaustion, and ends the process as it would on
    // any other thread.
    thread_ = std::thread([this] {
      core::name_this_thread("http-io");
      io_->run();
    });
    loop_thread_.store(thread_.get_id());
  }

  ~Impl() { stop(); }

  void send_async(ClientRequest request, Callback done) {
    // The request's deadline counts from here: the callback is due within its timeout of the
    // call, however long the request waits for the loop.
    const auto accepted = time_.monotonic_time();
    std::lock_guard lock(mutex_);
    if (stopped_) return;  // dropped: `done` is destroyed uncalled
    // One post per batch: requests queued before the loop picks the batch up ride along.
    const bool wake = queued_.empty();
    queued_.push_back(Queued{std::move(request), std::move(done), accepted});
    if (wake) asio::post(*io_, [this] { start_queued(); });
  }

  void stop() {
    if (std::this_thread::get_id() == loop_thread_.load()) {
      // Joining the loop thread from itself would wait forever.
      log::error("http.async_client.stop_from_callback",
                 {{"reason", "AsyncHttpClient stopped or destroyed inside one of its callbacks"}});
      std::abort();
    }
    std::lock_guard stopping(stop_mutex_);
    std::vector<Queued> abandoned;  // destroyed (uncalled) after mutex_ is released
    {
      std::lock_guard lock(mutex_);
      stopped_ = true;
      abandoned.swap(queued_);
    }
    if (!io_) return;
    io_->stop();
    if (thread_.joinable()) thread_.join();
    loop_thread_.store(std::thread::id());  // an id may be reused by a later thread
    // The loop is gone, so nothing else touches these now. Sockets go before the io_context
    // they are registered with; destroying the io_context destroys the handlers of requests in
    // flight, and with them their Calls, connections and callbacks (never called).
    pool_.clear();
    work_.reset();
    io_.reset();
  }

  std::uint64_t connections_opened() const { return connections_opened_.load(); }
  std::size_t idle_connections() const { return pool_.idle_count(); }
  std::uint64_t callbacks_failed() const { return callbacks_failed_.load(); }

 private:
  class Call;
  struct Queued {
    ClientRequest request;
    Callback done;
    core::MonotonicTime accepted;
  };

  void start_queued();

  const HttpClientOptions options_;
  // Deadlines are enforced by Asio timers on the steady clock, so they are read from it too.
  const core::RealTimeSource time_{};
  const std::shared_ptr<asio::ssl::context> tls_;  // shared with clients of the same trust settings
  std::optional<asio::io_context> io_;             // reset by stop(), after the loop thread ended
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  // Used on the loop thread only, but for idle_count() (and clear() once the loop has ended).
  detail::ConnectionPool<detail::Connection> pool_;
  std::atomic<std::uint64_t> connections_opened_{0};
  std::atomic<std::uint64_t> callbacks_failed_{0};

  std::mutex mutex_;  // guards stopped_ and queued_
  bool stopped_ = false;
  std::vector<Queued> queued_;
  // The batch the loop is starting, swapped with queued_: the two keep their capacity, so a
  // batch of hundreds of probes does not grow a fresh vector every time. Loop thread only.
  std::vector<Queued> batch_;

  std::mutex stop_mutex_;  // one stop() at a time
  std::thread thread_;
  std::atomic<std::thread::id> loop_thread_;  // to refuse stop() from a callback
};

// One request, from the loop picking it up to its callback: parse and build, take a pooled
// connection or open one (resolve, connect, TLS handshake), write, read the final response,
// hand the connection back or close it, call back. Every step's handler holds the Call.
class AsyncHttpClient::Impl::Call : public std::enable_shared_from_this<Call> {
 public:
  Call(Impl& client, Queued queued)
      : client_(client),
        request_(std::move(queued.request)),
        done_(std::move(queued.done)),
        deadline_{queued.accepted + request_.timeout, request_.timeout} {}

  void start() {
    auto url = parse_url(request_.url);
    if (!url) return finish(url.error());
    url_ = std::move(*url);
    auto message = detail::build_request(request_, url_, client_.options_.user_agent);
    if (!message) return finish(message.error());
    message_ = std::move(*message);
    connection_ = client_.pool_.acquire(detail::pool_key(url_), client_.time_.monotonic_time());
    reused_ = connection_ != nullptr;
    if (reused_) return write();
    open();
  }

 private:
  // Resolving, connecting and the handshake share one deadline, bounded by connect_timeout.
  void open() {
    connect_deadline_ = detail::connect_deadline(client_.time_.monotonic_time(),
                                                 client_.options_.connect_timeout, deadline_);
    if (url_.ip_literal) {
      error_code ec;
      const auto address = asio::ip::make_address(url_.host, ec);
      if (ec) {
        return finish(core::make_error(core::ErrorKind::kTerminal, "invalid address " + url_.host));
      }
      return connect({tcp::endpoint(address, url_.port)});
    }
    resolve();
  }

  // Asio runs getaddrinfo on one helper thread per io_context, one lookup at a time, and a
  // lookup cannot be interrupted: at the deadline it is cancelled (its result abandoned) and the
  // request fails as a timeout. So a slow system resolver delays the other names' lookups (not
  // IP literals, what probes mostly use) and stop(), which waits for that thread.
  void resolve() {
    resolving_ = std::make_unique<Resolving>(*client_.io_);
    resolving_->timer.expires_at(connect_deadline_.at);
    resolving_->timer.async_wait([self = shared_from_this()](error_code ec) {
      if (ec) return;  // cancelled: the resolver answered first
      self->resolving_->timed_out = true;
      self->resolving_->resolver.cancel();
    });
    resolving_->resolver.async_resolve(
        url_.host, std::to_string(url_.port), tcp::resolver::numeric_service,
        [self = shared_from_this()](error_code ec, const tcp::resolver::results_type& found) {
          self->resolving_->timer.cancel();
          if (self->resolving_->timed_out) {
            return self->finish(detail::timeout_error(self->connect_deadline_, "resolving",
                                                      self->url_, self->request_.operation));
          }
          if (ec) {
            return self->finish(core::make_error(
                core::ErrorKind::kTransient, "resolve " + self->url_.host + ": " + ec.message()));
          }
          std::vector<tcp::endpoint> endpoints;
          for (const auto& entry : found) endpoints.push_back(entry.endpoint());
          self->connect(std::move(endpoints));
        });
  }

  void connect(std::vector<tcp::endpoint> endpoints) {
    endpoints_ = std::move(endpoints);
    connection_ = std::make_unique<detail::Connection>(
        detail::pool_key(url_), url_.tls() ? client_.tls_.get() : nullptr, *client_.io_);
    auto& lowest = connection_->lowest();
    lowest.expires_at(connect_deadline_.at);
    lowest.async_connect(endpoints_, [self = shared_from_this()](error_code ec, const auto&) {
      self->on_connected(ec);
    });
  }

  void on_connected(error_code ec) {
    if (ec == beast::error::timeout) {
      return finish(
          detail::timeout_error(connect_deadline_, "connecting to", url_, request_.operation));
    }
    if (ec) {
      return finish(core::make_error(core::ErrorKind::kTransient,
                                     "connect to " + url_.authority() + ": " + ec.message()));
    }
    // As in HttpClient: Nagle's algorithm could only delay the last segment of a request.
    connection_->lowest().socket().set_option(tcp::no_delay(true), ec);
    if (!url_.tls()) return opened();

    auto& stream = connection_->tls_stream();
    if (auto prepared =
            detail::prepare_tls_handshake(stream, url_, client_.options_.insecure_skip_verify);
        !prepared) {
      return finish(prepared.error());
    }
    connection_->lowest().expires_at(connect_deadline_.at);
    stream.async_handshake(
        asio::ssl::stream_base::client,
        [self = shared_from_this()](error_code handshake_ec) { self->on_handshake(handshake_ec); });
  }

  void on_handshake(error_code ec) {
    if (ec == beast::error::timeout) {
      return finish(detail::timeout_error(connect_deadline_, "in TLS handshake with", url_,
                                          request_.operation));
    }
    if (ec) {
      return finish(
          detail::tls_handshake_error(ec, connection_->tls_stream(), url_, client_.options_));
    }
    opened();
  }

  void opened() {
    client_.connections_opened_.fetch_add(1);
    write();
  }

  void write() {
    received_any_ = false;
    connection_->lowest().expires_at(deadline_.at);
    connection_->with_stream([&](auto& stream) {
      bhttp::async_write(stream, message_, [self = shared_from_this()](error_code ec, std::size_t) {
        self->on_written(ec);
      });
    });
  }

  void on_written(error_code ec) {
    if (ec == beast::error::timeout) {
      return finish(
          detail::timeout_error(deadline_, "sending request to", url_, request_.operation));
    }
    if (ec) {
      return exchange_failed(
          core::make_error(core::ErrorKind::kTransient,
                           "send request to " + url_.authority() + ": " + ec.message()),
          /*replayable=*/detail::is_connection_closed(ec));
    }
    read();
  }

  // One response; interim 1xx responses (RFC 9110 §15.2) are skipped by reading again.
  void read() {
    parser_.emplace();
    detail::limit_response_parser(*parser_, client_.options_.max_response_header_bytes,
                                  client_.options_.max_response_body_bytes,
                                  message_.method() == bhttp::verb::head);
    connection_->lowest().expires_at(deadline_.at);
    connection_->with_stream([&](auto& stream) {
      bhttp::async_read(
          stream, connection_->buffer(), *parser_,
          [self = shared_from_this()](error_code ec, std::size_t) { self->on_read(ec); });
    });
  }

  void on_read(error_code ec) {
    received_any_ = received_any_ || parser_->got_some();
    if (ec) {
      const bool before_response = !received_any_ && detail::is_connection_closed(ec);
      return exchange_failed(
          detail::response_read_error(
              ec,
              detail::ReadFailure{url_, request_.operation, deadline_, "waiting for response from",
                                  received_any_, client_.options_.max_response_header_bytes,
                                  client_.options_.max_response_body_bytes}),
          /*replayable=*/before_response && detail::is_idempotent(request_.method));
    }
    const unsigned status = parser_->get().result_int();
    if (status == 101) {
      return finish(
          core::make_error(core::ErrorKind::kTerminal,
                           "unexpected 101 Switching Protocols from " + url_.authority()));
    }
    if (status < 200) return read();
    // need_eof(): Connection: close, an HTTP/1.0 response without keep-alive, or a body that
    // ends only when the server closes (no Content-Length, not chunked; RFC 9112 §6.3).
    const bool keep_alive = !parser_->get().need_eof() && message_.keep_alive();
    Response response = detail::to_response(parser_->release());
    release(keep_alive);
    finish(std::move(response));
  }

  // The replay rule of HttpClient::Impl::perform (client.cc explains why it is safe): once,
  // only for a reused connection, when writing failed or an idempotent request saw no
  // response byte; on a fresh connection, within the same deadline.
  void exchange_failed(core::Error error, bool replayable) {
    if (reused_ && replayable) {
      reused_ = false;
      connection_.reset();
      return open();
    }
    finish(std::move(error));
  }

  // The response was read to its end: the connection goes back to the pool, or is closed.
  // HttpClient exchanges TLS close_notify first (briefly); here the socket is just closed. The
  // response is complete either way (length-delimited, chunked, or ended by the peer's own
  // close), so skipping our close_notify costs nothing but a server-side log line, while
  // waiting for the peer's would keep the connection on the loop for no gain.
  void release(bool keep_alive) {
    if (keep_alive && client_.options_.max_idle_per_host > 0) {
      connection_->lowest().expires_never();
      client_.pool_.release(std::move(connection_), client_.time_.monotonic_time());
      return;
    }
    error_code ignored;
    connection_->lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    connection_->lowest().close();
    connection_.reset();
  }

  // Calls back exactly once. A connection still held here failed mid-exchange: where it stands
  // is unknown, so it is closed, never pooled.
  void finish(core::Result<Response> result) {
    connection_.reset();
    Callback done = std::move(done_);
    try {
      done(std::move(result));
    } catch (...) {
      // The caller's bug, not the loop's: the other requests in flight carry on. Counted, not
      // logged (a throwing callback would throw for every request).
      client_.callbacks_failed_.fetch_add(1);
    }
  }

  Impl& client_;  // outlives every Call: stop() destroys them with the io_context
  ClientRequest request_;
  Callback done_;
  const detail::Deadline deadline_;
  Url url_;
  detail::BeastRequest message_;
  detail::Deadline connect_deadline_{};
  // Looking a name up, on the heap: most probes name an IP literal, and a Call that stays
  // under 1 KiB is a small-bin allocation for glibc (a larger one first consolidates the
  // fast bins, which at a thousand probes a second cost more than the rest of the Call).
  struct Resolving {
    explicit Resolving(asio::io_context& io) : resolver(io), timer(io) {}
    tcp::resolver resolver;
    asio::steady_timer timer;
    bool timed_out = false;
  };
  std::unique_ptr<Resolving> resolving_;
  std::vector<tcp::endpoint> endpoints_;
  std::unique_ptr<detail::Connection> connection_;
  bool reused_ = false;  // connection_ came from the pool (and may be stale)
  std::optional<bhttp::response_parser<bhttp::string_body>> parser_;
  bool received_any_ = false;
};

void AsyncHttpClient::Impl::start_queued() {
  {
    std::lock_guard lock(mutex_);
    batch_.swap(queued_);
  }
  for (auto& queued : batch_) std::make_shared<Call>(*this, std::move(queued))->start();
  batch_.clear();
}

core::Result<std::unique_ptr<AsyncHttpClient>> AsyncHttpClient::create(HttpClientOptions options) {
  auto tls = detail::shared_tls_context(options);
  if (!tls.ok()) return tls.error();
  return std::unique_ptr<AsyncHttpClient>(
      new AsyncHttpClient(std::make_unique<Impl>(std::move(options), std::move(*tls))));
}

AsyncHttpClient::AsyncHttpClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AsyncHttpClient::~AsyncHttpClient() = default;

void AsyncHttpClient::send_async(ClientRequest request, Callback done) {
  impl_->send_async(std::move(request), std::move(done));
}
void AsyncHttpClient::stop() { impl_->stop(); }
std::uint64_t AsyncHttpClient::connections_opened() const { return impl_->connections_opened(); }
std::size_t AsyncHttpClient::idle_connections() const { return impl_->idle_connections(); }
std::uint64_t AsyncHttpClient::callbacks_failed() const { return impl_->callbacks_failed(); }

}  // namespace frankenetes::http
