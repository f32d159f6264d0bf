#pragma once
// Streaming responses: a body that is read piece by piece instead of held whole, for answers
// that can be far larger than any sensible in-memory limit (an etcd snapshot of several GiB).
// The caller pulls; memory stays bounded by the caller's buffer plus the connection's read
// buffer. HttpClient implements StreamingTransport (see client.h for its deadlines and
// errors); tests substitute FakeStreamingTransport (tests/support/fake_streaming_transport.h).
//
// Not a replacement for HttpTransport: there are no retrying or observing decorators for
// streams (a stream half read cannot be replayed); the code above decides what a failed stream
// means. An HTTP error status is still a stream, never an Error: the caller reads status()
// first and may read the (small) error body.

#include <cstddef>
#include <memory>
#include <span>

#include "core/result.h"
#include "http/message.h"
#include "http/transport.h"

namespace frankenetes::http {

// One response whose head has been read; the body is read with read(). Not thread-safe: one
// thread reads a stream. Destroying a stream before its end abandons (closes) the connection.
class ResponseStream {
 public:
  virtual ~ResponseStream() = default;

  virtual int status() const = 0;
  virtual const Headers& headers() const = 0;

  // Fills `buffer` from its start with the next body bytes and returns how many (at least one,
  // unless the buffer is empty); 0 means the body has ended, and every later call returns 0
  // again. May return fewer bytes than asked. After an Error the stream is unusable: later
  // calls return an Error too.
  virtual core::Result<std::size_t> read(std::span<char> buffer) = 0;
};

class StreamingTransport {
 public:
  virtual ~StreamingTransport() = default;

  // Sends `request` and reads the response head; the body is left for the stream. Errors are
  // those of HttpTransport::send (kTransient, kTls, kTerminal), never an HTTP status.
  virtual core::Result<std::unique_ptr<ResponseStream>> open(const ClientRequest& request) = 0;
};

}  // namespace frankenetes::http
