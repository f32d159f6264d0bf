#pragma once
// Simulator: the pure core of frankenetes-sim, composed from a Scenario: the ACI model, ARM
// front door, identity (Entra + IMDS), throttle buckets, faults, request log, control API and
// the scenario's fault schedule. main.cc adds only sockets, TLS, the process runtime and the
// DNS plug-in; tests drive this class directly with a fake clock and VirtualRuntime.
//
// Listeners:
//   handle_https()   ARM, Entra token endpoint, OpenID configuration (the HTTPS listener)
//   handle_control() control API and IMDS (the plain-HTTP loopback control listener)
//   handle_files()   the Azure Files REST API (its own HTTPS listener, path-style)
//   health()         GET /health/{ip} for virtual-mode probes (--health-listen; HealthEndpoint)
// All but health() record every answered request in the request log. Single-threaded by design: call
// everything from one thread (the sim's io thread).

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "core/time_source.h"
#include "http/message.h"
#include "sim/aci_model.h"
#include "sim/arm_api.h"
#include "sim/arm_throttle.h"
#include "sim/control_api.h"
#include "sim/fault_injector.h"
#include "sim/file_service.h"
#include "sim/group_faults.h"
#include "sim/health_endpoint.h"
#include "sim/identity.h"
#include "sim/request_log.h"
#include "sim/scenario.h"

namespace frankenetes::sim {

struct SimulatorOptions {
  std::string arm_base_url = "https://127.0.0.1:8443";
  std::string client_secret;                        // used when the scenario has none
  std::optional<double> time_scale;                 // overrides the scenario's
  std::optional<core::Duration> token_lifetime;     // overrides the scenario's
  std::optional<std::string> ip_pool;               // overrides the scenario's
  std::uint64_t seed = 0;                           // 0 = random
  std::string shares_dir;                           // File service: <state-dir>/shares ("" = off)
  std::string file_base_url = "https://127.0.0.1:8445";
  std::size_t request_log_capacity = 100000;        // entries kept by GET /requests
};

struct Reply {
  http::Response response;
  core::Duration delay{0};
};

class Simulator {
 public:
  Simulator(Scenario scenario, SimulatorOptions options, const core::TimeSource& time,
            ContainerRuntime& runtime);

  // Creates the scenario's resource groups and container groups (already deployed) and the
  // directories of the shares it names.
  core::Status boot();
  // Advances the model, runs due scheduled faults and answers parked health probes whose hang
  // ended. Call often (every ~50 ms).
  void tick();

  Reply handle_https(const http::Request& request);
  Reply handle_control(const http::Request& request);
  Reply handle_files(const http::Request& request);

  const Scenario& scenario() const { return scenario_; }
  const std::string& client_secret() const { return client_secret_; }
  // File service accounts: name → base64 key (the scenario's, an azureFile volume's, or random).
  const std::map<std::string, std::string>& storage_keys() const { return storage_keys_; }
  double time_scale() const { return model_->settings().time_scale; }
  AciModel& model() { return *model_; }
  ArmApi& arm() { return *arm_; }
  Identity& identity() { return *identity_; }
  ControlApi& control() { return *control_; }
  RequestLog& request_log() { return log_; }
  FaultInjector& faults() { return faults_; }
  GroupFaults& group_faults() { return group_faults_; }
  ArmThrottle& throttle() { return *throttle_; }
  HealthEndpoint& health() { return *health_; }

 private:
  void record(const http::Request& request, const http::Response& response, const std::string& api,
              const std::string& operation, const std::string& fault = {});

  Scenario scenario_;
  SimulatorOptions options_;
  const core::TimeSource& time_;
  Random random_;
  std::string client_secret_;
  core::MonotonicTime started_;
  std::size_t next_fault_ = 0;
  FaultInjector faults_;
  GroupFaults group_faults_;
  RequestLog log_;
  std::unique_ptr<ArmThrottle> throttle_;
  std::unique_ptr<Identity> identity_;
  std::unique_ptr<AciModel> model_;
  std::unique_ptr<ArmApi> arm_;
  std::unique_ptr<ControlApi> control_;
  std::unique_ptr<HealthEndpoint> health_;
  std::map<std::string, std::string> storage_keys_;
  std::map<std::string, std::set<std::string>> declared_shares_;  // account → shares
  std::unique_ptr<FileService> files_;
};

}  // namespace frankenetes::sim
