#pragma once
// HttpTransport: the seam every outbound HTTP(S) call goes through (ARM, Entra, IMDS, DNS
// provider APIs, member probes). Blocking by design: callers run on worker threads and every
// call is bounded by its deadline, so the code above reads top to bottom and tests substitute
// a FakeTransport that answers from a script. Decorators add retries and request counting
// (so every request is countable in one place), the real implementation is HttpClient.

#include <chrono>
#include <string>

#include "core/result.h"
#include "http/message.h"

namespace frankenetes::http {

struct ClientRequest {
  std::string method = "GET";
  std::string url;  // absolute: https://host[:port]/path?query
  Headers headers;
  std::string body;
  // The whole exchange — connect, TLS handshake, write, read — must finish within this. For
  // StreamingTransport::open it bounds everything up to the end of the response head.
  std::chrono::milliseconds timeout{std::chrono::seconds(30)};
  // Streams only (send() ignores it): each ResponseStream::read must receive body bytes (or
  // the end) within this. An idle bound, not a total one: a stream that keeps delivering may
  // run for as long as its caller keeps reading.
  std::chrono::milliseconds stream_read_timeout{std::chrono::seconds(30)};
  // A label for metrics and logs ("aci.get", "entra.token", "probe"); bounded set.
  std::string operation;
};

// Errors: kTransient for connection failures, timeouts (with timed_out set) and resets; kTls for
// certificate or handshake failures (message names the host); kTerminal for malformed URLs or
// oversized responses. An HTTP error status is NOT an Error: it is a Response the caller
// interprets.
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  virtual core::Result<Response> send(const ClientRequest& request) = 0;
};

}  // namespace frankenetes::http
