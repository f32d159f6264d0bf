#pragma once
// The member stub: what process mode runs for Kubernetes control-plane images (and any image
// that is not etcd). A tiny HTTP server on the ports the command implies that answers
// /healthz, /livez, /readyz and /version like the real component, and reports unhealthy when
// its dependency (etcd for the apiserver, the apiserver for controller-manager and scheduler)
// does not answer. Plain HTTP on every port.
//
// Names in dependency URLs are resolved through the sim's control API (GET /resolve?name=)
// on every check, so the stub follows IP changes exactly as far as the sim's DNS does: ACI
// FQDNs always point at the group's current IP; names in the sim's DNS zones point wherever
// their A record points (which is what frankenetesd fixes).
//
// stub_response() is the pure part (unit-tested); run_member_stub() is the process.

#include <string>
#include <vector>

#include "http/message.h"

namespace frankenetes::sim {

struct MemberStubConfig {
  std::string role = "generic";  // apiserver | controller-manager | scheduler | generic | etcd
  std::string bind = "127.0.0.1";
  std::vector<int> ports;
  std::vector<std::string> depends;  // URLs; healthy when any answers 200
  std::string name;
  std::string version = "v1.9.2";
  std::string control_url;
};

struct DependencyHealth {
  bool healthy = true;
  std::string detail;  // why not, for the verbose output
};

http::Response stub_response(const MemberStubConfig& config, const DependencyHealth& health,
                             const http::Request& request);

// `frankenetes-sim member-stub --role R --bind IP --port P… --depends URL… --name N
//  --version V --control-url URL`; returns the exit code.
int run_member_stub(int argc, char** argv);

}  // namespace frankenetes::sim
