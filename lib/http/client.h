#pragma once
// HttpClient: the real HttpTransport, HTTP/1.1 over TCP or TLS, used (behind the retrying and
// observing decorators) for ARM, Entra ID, IMDS and member probes. Blocking: each send() runs
// Beast's asynchronous operations on the connection's own io_context in the calling thread, so
// every step (resolve, connect, TLS handshake, write, read) has a deadline and the whole
// exchange ends by ClientRequest::timeout. Thread-safe: any number of threads may call send()
// at once; each uses its own connection.
//
// Streams (StreamingTransport::open, http/streaming.h): the same connect, TLS and write path,
// then only the response head is read, within ClientRequest::timeout; the body is read by
// ResponseStream::read into the caller's buffer, each read bounded by
// ClientRequest::stream_read_timeout (an idle bound: a stalled peer ends the read with a
// kTransient timeout, "timeout after 30s reading response body from host:2379 (operation
// etcd.snapshot)"). There is no body limit for streams: the caller bounds what it reads.
// Chunked, Content-Length and close-delimited bodies all work. A stream read to its end hands
// its connection back to the keep-alive pool (or closes it per the rules below); a stream
// destroyed early or failed closes its connection. A stream must not outlive its HttpClient.
//
// What it does not do: retries (except the one stale keep-alive replay below), redirects,
// cookies, proxies, compression, Expect: 100-continue, HTTP/2. Beast/Asio/OpenSSL stay in
// client.cc and detail/; this header needs only fk_core.
//
// Behaviour worth knowing (details and reasons in client.cc):
// - TLS: TLS 1.2 or newer; the peer must chain to the system trust store or to `ca_file`, and
//   its certificate must match the URL's host (DNS name, or IP address for IP literals). SNI
//   is sent for names, never for IP literals (RFC 6066 §3). `insecure_skip_verify` turns both
//   checks off, for an operator who asked for it by name (a member's probe.insecureSkipVerify).
// - Keep-alive: idle connections are pooled per scheme+host+port (at most max_idle_per_host
//   each, closed after idle_timeout). A response with `Connection: close` (or an HTTP/1.0
//   response without keep-alive) is not pooled. A pooled connection that turns out to be
//   closed by the server is replayed once on a fresh connection when that is known to be
//   safe: the failure happened while writing the request, or, for idempotent methods
//   (RFC 9110 §9.2.2), before the first response byte.
// - Headers: Host and User-Agent are added, and Content-Length whenever there is a body (and
//   for POST/PUT/PATCH without one). Caller headers replace the defaults, except the framing
//   headers Content-Length and Transfer-Encoding, which the client owns.
// - Errors (core::ErrorKind):
//     kTransient  DNS failure, connection refused/reset/closed, any timeout; messages name the
//                 step and the peer: "connect to 127.0.0.1:8443: Connection refused",
//                 "timeout after 2s waiting for response from host:443 (operation aci.get)".
//     kTls        handshake or certificate failure: "TLS handshake with 127.0.0.1:8443
//                 failed: certificate verify failed: unable to get local issuer certificate".
//     kTerminal   malformed URL or request, response header or body over the limit, a
//                 response that is not valid HTTP/1.1 (for streams also mid-body, e.g. a bad
//                 chunk size).
//   HTTP error statuses (4xx, 5xx) are Responses, never Errors.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/result.h"
#include "http/message.h"
#include "http/streaming.h"
#include "http/transport.h"

namespace frankenetes::http {

struct HttpClientOptions {
  std::string user_agent = "frankenetes";  // the daemon passes "frankenetesd/<version>"
  // PEM file with extra trust anchors (the simulator's CA, `azure.caFile`), trusted in addition
  // to the system store. Empty: system store only.
  std::string ca_file;
  // Accept any certificate for any host: no chain, expiry or host-name check (ca_file is then
  // not loaded). Only for probe.insecureSkipVerify, which the daemon logs as a warning.
  bool insecure_skip_verify = false;
  // Bound on resolving plus connecting (plus the TLS handshake), within the request timeout.
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};
  std::size_t max_idle_per_host = 4;  // 0 disables keep-alive reuse
  // An idle connection older than this is closed rather than reused. Below the 60 s after which
  // common servers (HttpServer included) close idle connections, so reuse rarely races a close.
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(30)};
  std::size_t max_response_header_bytes = std::size_t{64} * 1024;
  std::size_t max_response_body_bytes = std::size_t{8} * 1024 * 1024;  // send() only, not streams
};

class HttpClient final : public HttpTransport, public StreamingTransport {
 public:
  // Fails with kInvalidConfig when `ca_file` cannot be read or holds no certificate, naming it.
  static core::Result<std::unique_ptr<HttpClient>> create(HttpClientOptions options);

  ~HttpClient() override;
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  core::Result<Response> send(const ClientRequest& request) override;
  core::Result<std::unique_ptr<ResponseStream>> open(const ClientRequest& request) override;

  // Connections established so far (TCP connected and, for https, handshake done). Two sends
  // to one host over one kept-alive connection count one. For tests and metrics.
  std::uint64_t connections_opened() const;
  // Connections currently idle in the pool, all hosts.
  std::size_t idle_connections() const;

 private:
  class Impl;
  explicit HttpClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace frankenetes::http
