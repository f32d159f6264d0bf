#pragma once
// AsyncTransport: the seam for requests that run many at a time on one I/O thread instead of
// holding a worker thread each (member probes: thousands of members every probe.period).
// send_async() returns at once; the outcome arrives through the callback, on the transport's
// own thread, never inside send_async(). Errors are those of HttpTransport (transport.h): an
// HTTP error status is a Response, not an Error. Every request is bounded by its
// ClientRequest::timeout, so its callback runs within it (plus scheduling slack) — unless the
// transport is stopped first, in which case it never runs: callers must not depend on a
// callback for anything but the result (a caller that tracks requests in flight also
// forgets them after a deadline of its own). Tests substitute a fake that completes requests
// when the test says so.

#include <functional>

#include "core/result.h"
#include "http/message.h"
#include "http/transport.h"

namespace frankenetes::http {

class AsyncTransport {
 public:
  using Callback = std::function<void(core::Result<Response>)>;

  virtual ~AsyncTransport() = default;
  virtual void send_async(ClientRequest request, Callback done) = 0;
};

}  // namespace frankenetes::http
