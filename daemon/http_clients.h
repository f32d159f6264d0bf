#pragma once
// HttpClients: the one place frankenetesd makes its outbound HTTP clients — ARM and Entra ID,
// Cloudflare, member probes. Each carries the daemon's User-Agent and the trust anchors its
// configuration names. The transport under every client comes from a MakeTransport seam: the
// real HttpClient in the daemon, a fake in tests/daemon. It makes clients; decorating them
// (retries, observation, credentials) is ArmStack's and DnsStack's business.
//
// RetryingStack: a client behind a RetryingTransport with a retry budget and throttle gate of
// its own (one per API, so ARM's 429s never slow Cloudflare down, nor the other way round).

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "config/types.h"
#include "core/result.h"
#include "core/sleeper.h"
#include "core/time_source.h"
#include "http/client.h"
#include "http/retry_budget.h"
#include "http/retrying_transport.h"
#include "http/throttle_gate.h"
#include "http/transport.h"
#include "probe/probe_clients.h"

namespace frankenetes::daemon {

// "frankenetesd/<version>": the admin server's Server header, and every request's User-Agent
// unless the HttpClients have a replica id.
std::string user_agent();

// Idle keep-alive connections the asynchronous probe clients keep per host.
inline constexpr std::size_t kProbeMaxIdlePerHost = 64;
// The largest probe (or etcd status) answer read; a longer one fails the probe (HTTP error).
inline constexpr std::size_t kProbeMaxResponseBodyBytes = std::size_t{256} * 1024;

class HttpClients {
 public:
  using MakeTransport = std::function<core::Result<std::shared_ptr<http::HttpTransport>>(
      const http::HttpClientOptions& options)>;

  HttpClients();  // real HttpClients
  explicit HttpClients(MakeTransport make) : make_(std::move(make)) {}

  // coordination (issue 13): every request says which replica sent it, "frankenetesd/<version>
  // replica/<id>", so the services' logs tell the replicas apart. Before any client is made.
  void set_replica_id(const std::string& id);
  // The User-Agent of every client made here (and of the ARM, Blob and DNS requests).
  const std::string& user_agent() const { return user_agent_; }

  // A client trusting `ca_file` besides the system store (azure.caFile); kInvalidConfig, naming
  // the file, when it cannot be used.
  core::Result<std::shared_ptr<http::HttpTransport>> make(
      const std::optional<std::string>& ca_file) const;

  // The probes' clients for `config`, one per distinct probe TLS setting; an unusable
  // probe.caFile is a problem of `config_file` (probe/probe_clients.h). `asynchronous` (the
  // running daemon): each setting also gets an http::AsyncHttpClient, whose I/O thread runs
  // all its members' probes; only the real HttpClients make those, a test's MakeTransport
  // keeps probes blocking.
  probe::ProbeClientsBuild probe_clients(const config::Config& config,
                                         const std::string& config_file,
                                         bool asynchronous = false) const;
  // A client for etcd's own API (maintenance/status and the snapshot stream) with a member's
  // probe TLS settings. Only the real HttpClients make one: built with a test's MakeTransport
  // it is an Error, so a test never reaches past its fakes.
  core::Result<std::shared_ptr<http::HttpClient>> etcd_client(const probe::ProbeTls& tls) const;

 private:
  http::HttpClientOptions base_options() const;

  MakeTransport make_;
  std::string user_agent_ = daemon::user_agent();
  bool real_ = false;  // made by HttpClients(): etcd_client() works
};

class RetryingStack {
 public:
  // `throttle_key`: what one 429 closes the gate for (ARM: the subscription); empty: the host.
  RetryingStack(http::HttpTransport& inner, core::TimeSource& time, core::Sleeper& sleeper,
                http::ThrottleKey throttle_key = {})
      : gate_(time, std::move(throttle_key)), retrying_(inner, budget_, gate_, time, sleeper) {}
  RetryingStack(const RetryingStack&) = delete;
  RetryingStack& operator=(const RetryingStack&) = delete;

  http::HttpTransport& transport() { return retrying_; }
  const http::ThrottleGate& gate() const { return gate_; }

 private:
  http::RetryBudget budget_;
  http::ThrottleGate gate_;
  http::RetryingTransport retrying_;
};

}  // namespace frankenetes::daemon
