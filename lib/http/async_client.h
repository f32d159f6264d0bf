#pragma once
// AsyncHttpClient: the real AsyncTransport (async_transport.h), for member probes: thousands of
// small GETs every probe period, mostly to IP literals. All requests run on ONE io_context
// driven by ONE thread the client owns, many in flight at once, so a probe costs no worker
// thread and a batch of requests started together costs the loop one wake-up.
//
// Behaves as HttpClient (client.h) for send(): the same HttpClientOptions, the same TLS rules
// (trust store plus ca_file, host-name or IP SAN check, SNI for names only,
// insecure_skip_verify), the same deadlines (ClientRequest::timeout bounds the whole exchange,
// connect_timeout bounds resolving, connecting and the handshake), the same keep-alive pool
// rules and the one stale-connection replay, the same limits, and the same error kinds and
// messages ("connect to 127.0.0.1:8443: Connection refused", "timeout after 2s waiting for
// response from host:443 (operation probe)" with timed_out set). Names are resolved with
// Asio's resolver (getaddrinfo on a helper thread Asio keeps for the loop); IP literals need
// no lookup. Differences: no streams, and a response that ends the connection is closed
// without a TLS close_notify exchange (see async_client.cc).
//
// Callbacks run on the client's thread, one at a time, exactly once per request — never inside
// send_async(), and not at all for requests still in flight when stop() is called. A callback
// should be short (it holds up every other request) and must not call stop() or destroy the
// client. An exception a callback throws is caught and dropped (the loop and the other
// requests carry on); callbacks_failed() counts them.
//
// What it does not do: streams, retries (beyond the replay), redirects, proxies, HTTP/2.
// Beast/Asio/OpenSSL stay in async_client.cc and detail/; this header needs only fk_core.

#include <cstddef>
#include <cstdint>
#include <memory>

#include "core/result.h"
#include "http/async_transport.h"
#include "http/client.h"

namespace frankenetes::http {

class AsyncHttpClient final : public AsyncTransport {
 public:
  // Starts the I/O thread. Fails with kInvalidConfig when options.ca_file cannot be read or
  // holds no certificate, naming it (as HttpClient::create).
  static core::Result<std::unique_ptr<AsyncHttpClient>> create(HttpClientOptions options);

  ~AsyncHttpClient() override;  // stop()
  AsyncHttpClient(const AsyncHttpClient&) = delete;
  AsyncHttpClient& operator=(const AsyncHttpClient&) = delete;

  // Thread-safe, callable from callbacks too. After stop() the request is dropped: `done` is
  // destroyed without being called.
  void send_async(ClientRequest request, Callback done) override;

  // Ends the I/O thread and closes every connection: requests in flight are abandoned and their
  // callbacks never run (they are destroyed here); once stop() returns no callback runs, and
  // later send_async() calls are dropped. Idempotent. Must not be called from a callback (nor
  // may the client be destroyed there): that would wait for itself, so it aborts the process
  // with a message instead of deadlocking.
  void stop();

  // Connections established so far (TCP connected and, for https, handshake done); requests
  // over one kept-alive connection count one. Thread-safe; for tests and metrics.
  std::uint64_t connections_opened() const;
  // Connections currently idle in the pool, all hosts. Thread-safe.
  std::size_t idle_connections() const;
  // Exceptions thrown by callbacks (caught and dropped). Thread-safe.
  std::uint64_t callbacks_failed() const;

 private:
  class Impl;
  explicit AsyncHttpClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace frankenetes::http
