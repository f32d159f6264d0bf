#pragma once
// ProbeClients: the HTTP clients member probes go through, one per distinct set of probe TLS
// settings (probe.caFile, probe.insecureSkipVerify) in a configuration. The daemon builds a
// set when it loads the configuration and again on every reload (so a rotated CA file is read
// again on SIGHUP), and hands it to the Prober, which picks each member's client by its
// settings. Building is where an unreadable or unparsable probe.caFile is found: lib/config
// never opens the files a configuration names, so this reports it as a ConfigProblem with the
// file and key path, and a daemon refuses to start (or a reload is refused) with it.
//
// Also here, pure: the warnings a configuration's probe TLS settings deserve at load time.
// No logging: the daemon logs what these functions return.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/problem.h"
#include "config/types.h"
#include "http/async_transport.h"
#include "http/client.h"
#include "http/transport.h"

namespace frankenetes::probe {

// The TLS settings one member's probe connects with. Members with equal settings share a
// client (and its keep-alive pool).
struct ProbeTls {
  std::string ca_file;  // "": the system trust store only; else trusted in addition to it
  bool insecure_skip_verify = false;  // no verification at all; ca_file is then ""

  auto operator<=>(const ProbeTls&) const = default;
};

// The settings of `probe`; caFile is dropped when insecureSkipVerify is set (nothing would
// use it).
ProbeTls probe_tls_of(const config::ProbeConfig& probe);

// Each setting has a blocking client (--once, etcd's status reads) and, in the daemon, an
// asynchronous one too (one I/O thread per setting, the probes of all its members in flight
// together). Destroying the set stops the asynchronous clients: probes in flight on them are
// abandoned and never call back (the reconciler forgets a probe that has not come back after
// its timeout and period).
class ProbeClients {
 public:
  using Transports = std::map<ProbeTls, std::shared_ptr<http::HttpTransport>>;
  using AsyncTransports = std::map<ProbeTls, std::shared_ptr<http::AsyncTransport>>;

  explicit ProbeClients(Transports transports, AsyncTransports async = {})
      : transports_(std::move(transports)), async_(std::move(async)) {}

  // The client for `tls`; null when the configuration the set was built from had no probe
  // with these settings (a probe scheduled under an older configuration).
  http::HttpTransport* find(const ProbeTls& tls) const;
  // The same for the asynchronous clients; null also when the set has none.
  http::AsyncTransport* find_async(const ProbeTls& tls) const;
  std::size_t size() const { return transports_.size(); }
  bool asynchronous() const { return !async_.empty(); }

 private:
  Transports transports_;
  AsyncTransports async_;
};

struct ProbeClientsBuild {
  std::shared_ptr<const ProbeClients> clients;  // set exactly when problems is empty
  // One per member whose probe.caFile could not be used ("file: clusters[0].members[1].
  // probe.caFile: CA file /etc/x.pem: cannot be read"); `file` is the configuration file.
  std::vector<config::ConfigProblem> problems;

  bool ok() const { return clients != nullptr; }
};

// One HttpClient per distinct ProbeTls among the members' probes of `config`, each made from
// `base` (user agent, limits) with that ca_file and insecure_skip_verify. `config_file`
// names the configuration in problems.
ProbeClientsBuild build_probe_clients(const config::Config& config, const std::string& config_file,
                                      const http::HttpClientOptions& base);

// The same, with each client made by `make` from those options (the daemon's client factory,
// which tests replace with fakes). An error from `make` is the problem of every member using
// those settings.
using MakeProbeClient = std::function<core::Result<std::shared_ptr<http::HttpTransport>>(
    const http::HttpClientOptions& options)>;
ProbeClientsBuild build_probe_clients(const config::Config& config, const std::string& config_file,
                                      const http::HttpClientOptions& base,
                                      const MakeProbeClient& make);

// The same, and for each setting an asynchronous client too, made by `make_async` (the
// daemon's; tests that run probes on worker threads leave it out).
using MakeAsyncProbeClient = std::function<core::Result<std::shared_ptr<http::AsyncTransport>>(
    const http::HttpClientOptions& options)>;
ProbeClientsBuild build_probe_clients(const config::Config& config, const std::string& config_file,
                                      const http::HttpClientOptions& base,
                                      const MakeProbeClient& make,
                                      const MakeAsyncProbeClient& make_async);

// A probe TLS setting the operator should hear about at every load:
//   kInsecure  probe.insecureSkipVerify: the member's certificate is not checked at all;
//              `ignored_ca_file` is set when probe.caFile was given too (it is not used).
//   kUnused    probe.caFile or probe.insecureSkipVerify on an http:// URL: no effect.
struct ProbeTlsWarning {
  enum class Kind { kInsecure, kUnused };
  Kind kind = Kind::kInsecure;
  std::string cluster;
  std::string member;
  std::string url;
  std::string key;  // "probe.insecureSkipVerify" or "probe.caFile"
  std::string ignored_ca_file;
};

std::vector<ProbeTlsWarning> probe_tls_warnings(const config::Config& config);

}  // namespace frankenetes::probe
