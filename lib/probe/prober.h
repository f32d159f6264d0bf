#pragma once
// Prober: one HTTP(S) health probe of a member (etcd /health, apiserver /livez, …) over the
// HttpTransport seam, and the pure helpers around it: URL placeholder substitution and
// folding a probe result into the member's ProbeObservation. Probes cost no ARM budget; the
// reconciler runs them on each member's own probe.period on a worker thread (probe() blocks
// for at most probe.timeout) and feeds the observations to the planner.
//
// Success is a 2xx answer. For role etcd a JSON body must also say {"health":"true"} (etcd's
// /health answers 200 with {"health":"false"} in some versions when it has no leader); a
// non-JSON body is judged by the status alone.
// It does not decide anything about health thresholds: that is plan/health.h.
//
// Each member is probed through the client for its probe TLS settings (ProbeClients, swapped
// on reload), or, in tests, through one transport for everyone. A failure is classified
// (model::ProbeOutcome): a handshake OpenSSL rejected (certificate, protocol) is kTls however
// long it took, so the planner can tell "cannot verify" from "down"; a handshake that ran
// out of time is kTimeout.

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "config/types.h"
#include "core/time_source.h"
#include "http/async_transport.h"
#include "http/transport.h"
#include "model/observation.h"
#include "probe/probe_clients.h"

namespace frankenetes::probe {

// Where the member is right now, from the latest observation of its group.
struct ProbeTarget {
  std::optional<std::string> ip;
  std::optional<std::string> fqdn;
};

struct ProbeResult {
  bool success = false;
  std::string error;  // "HTTP 500", "connect: connection refused", "timeout after 2s", …
  core::Duration duration{0};
  // kOk exactly when success; kTls: "TLS handshake with 10.0.0.4:2379 failed: certificate
  // verify failed: …" in `error`.
  model::ProbeOutcome outcome = model::ProbeOutcome::kConnectError;
};

// `url` with {ip} and {fqdn} replaced; nullopt when it needs a value the target lacks (no IP
// known yet: the member is not probed and its probe state stays as it was).
std::optional<std::string> substitute_probe_url(std::string_view url, const ProbeTarget& target);

// Judges an HTTP answer: "" when it counts as success, else the reason.
std::string judge_probe_response(config::MemberRole role, int status, std::string_view body);

// The next ProbeObservation after `result`, taken at `at`.
model::ProbeObservation apply_probe_result(model::ProbeObservation previous,
                                           const ProbeResult& result, core::MonotonicTime at);

class Prober {
 public:
  using ProbeDone = std::function<void(ProbeResult)>;

  // Every member through `transport`, whatever its TLS settings (tests).
  Prober(http::HttpTransport& transport, const core::TimeSource& time)
      : fixed_transport_(&transport), time_(time) {}
  // Every member through `transport`, asynchronously (tests); probe() probes nobody.
  Prober(http::AsyncTransport& transport, const core::TimeSource& time)
      : fixed_async_(&transport), time_(time) {}
  ~Prober() { stop(); }
  Prober(const Prober&) = delete;
  Prober& operator=(const Prober&) = delete;
  // Each member through the client of `clients` for its probe TLS settings (the daemon).
  Prober(std::shared_ptr<const ProbeClients> clients, const core::TimeSource& time)
      : clients_(std::move(clients)), time_(time) {}

  // Swaps in the clients built for a new configuration, before the reconciler gets it. Probes
  // in flight finish on the old clients. Any thread.
  void set_clients(std::shared_ptr<const ProbeClients> clients);

  // nullopt when the member has no probe, the URL cannot be built yet (no IP known), or the
  // clients have no client for its TLS settings (it was scheduled under an older
  // configuration): not probed, its probe state stays as it was. Any thread.
  std::optional<ProbeResult> probe(const config::MemberConfig& member, const ProbeTarget& target);

  // True when probe_async() can be used: the clients have asynchronous transports. Any thread.
  bool asynchronous() const;
  // Starts the probe on the asynchronous client for the member's TLS settings and returns at
  // once; `done` runs on that client's I/O thread with the result, within about
  // probe.timeout — or never, when the client is stopped first (a reload replaced it, or the
  // daemon is shutting down). False, and `done` never runs, for the same reasons probe()
  // returns nullopt. Any thread.
  bool probe_async(const config::MemberConfig& member, const ProbeTarget& target, ProbeDone done);
  // The same with the member's probe URL already substituted (substitute_probe_url()), for a
  // caller that needed it anyway: at thousands of probes a period, building it once counts.
  bool probe_url_async(const config::MemberConfig& member, std::string url, ProbeDone done);
  // Sends `request` on the asynchronous client for the member's probe TLS settings (etcd's
  // status read after a successful probe); `done` as for probe_async(). False, and `done`
  // never runs, when there is no such client. Not from a callback of these clients (it may
  // hold the last reference to a set a reload replaced).
  bool send_async(const config::MemberConfig& member, http::ClientRequest request,
                  http::AsyncTransport::Callback done);

  // Stops the asynchronous clients: once it returns no `done` runs (the owner calls it before
  // whatever those callbacks use goes away). Later probe_async() calls return false.
  void stop();

 private:
  // The request for `member` and the transport for its TLS settings; nullopt when it is not
  // probed (see probe()). `clients` keeps the transport alive.
  struct Prepared {
    http::ClientRequest request;
    std::shared_ptr<const ProbeClients> clients;
  };
  std::optional<Prepared> prepare(const config::MemberConfig& member, const ProbeTarget& target);
  Prepared prepare(const config::ProbeConfig& probe, std::string url);
  // The clients now in force (a reference keeps them alive while one is used).
  std::shared_ptr<const ProbeClients> current_clients() const;
  // The asynchronous transport for the member's settings; null when there is none.
  http::AsyncTransport* async_transport(const config::MemberConfig& member,
                                        const std::shared_ptr<const ProbeClients>& clients) const;
  ProbeResult judge(config::MemberRole role, core::Duration timeout,
                    const core::Result<http::Response>& response,
                    core::MonotonicTime started) const;

  http::HttpTransport* fixed_transport_ = nullptr;
  http::AsyncTransport* fixed_async_ = nullptr;
  bool stopped_ = false;  // guarded by mutex_
  mutable std::mutex mutex_;
  std::shared_ptr<const ProbeClients> clients_;  // guarded by mutex_
  const core::TimeSource& time_;
};

}  // namespace frankenetes::probe
