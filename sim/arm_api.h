#pragma once
// ArmApi: the simulated Azure Resource Manager front door for Microsoft.ContainerInstance.
// One request in, one response out, over the AciModel: bearer-token check (401 with
// WWW-Authenticate), subscription check, per-subscription token-bucket throttling (429 with
// Retry-After), injected faults, api-version check (400 NoRegisteredProviderFound), then the
// container-group operations with ARM's status codes, async-operation headers, paging with
// nextLink, and the ARM error envelope. Every response carries x-ms-request-id,
// x-ms-correlation-request-id, x-ms-routing-request-id and x-ms-ratelimit-remaining-*.
//
// Per-group faults (GroupFaults) apply to GETs that would answer 200 (a 404 instead, as ARM's
// envelope or as a proxy's HTML page without any ARM headers, or a body without restartCount)
// and to DELETEs that start a deletion (a longer deletion).
//
// Seams: paths under /providers/Microsoft.Network/dnsZones go (after auth and throttling) to
// the DNS handler, and /client/v4/ paths (Cloudflare, its own auth) to the Cloudflare
// handler; both are registered by main. Pure: no sockets, time from a TimeSource.

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sim/aci_model.h"
#include "sim/arm_throttle.h"
#include "sim/fault_injector.h"
#include "sim/group_faults.h"
#include "http/message.h"
#include "sim/identity.h"

namespace frankenetes::sim {

struct ArmSettings {
  std::string subscription_id;
  std::string tenant_id;
  std::string region = "westeurope";      // for request ids and messages
  std::string base_url;                   // "https://127.0.0.1:8443": nextLink, Azure-AsyncOperation
  std::size_t page_size = 100;
  std::set<std::string> resource_groups;  // lower case; empty = any name exists
};

// The api-versions of Microsoft.ContainerInstance the sim accepts (reference §1.1).
const std::vector<std::string>& supported_aci_api_versions();

// Classifies a request for logging, throttling and faults: "list", "get", "put", "patch",
// "delete", "restart", "stop", "start", "logs", "operation", "dns", "cloudflare", "unknown".
std::string classify_arm_operation(const http::Request& request);

struct ArmReply {
  http::Response response;
  core::Duration delay{0};  // injected latency: the adapter waits this long before answering
  std::string operation;
  std::string api = "arm";  // arm | dns | cloudflare
  // The injected fault that shaped the response, for the request log: "armFault" (a
  // FaultInjector rule), "notFound:arm", "notFound:html", "omitRestartCount", "slowDelete".
  std::string fault;
  bool from_proxy = false;  // answered "in front of ARM": no ARM headers
};

// A provider plug-in (DNS engineer): nullopt means "not mine" → ARM 404.
using ProviderHandler = std::function<std::optional<http::Response>(const http::Request&)>;

class ArmApi {
 public:
  ArmApi(ArmSettings settings, AciModel& model, Identity& identity, ArmThrottle& throttle,
         FaultInjector& faults, GroupFaults& group_faults, const core::TimeSource& time,
         Random& random);

  ArmReply handle(const http::Request& request);

  void set_dns_handler(ProviderHandler handler) { dns_handler_ = std::move(handler); }
  void set_cloudflare_handler(ProviderHandler handler) { cloudflare_handler_ = std::move(handler); }
  void set_base_url(std::string url) { settings_.base_url = std::move(url); }
  const ArmSettings& settings() const { return settings_; }

 private:
  http::Response dispatch(const http::Request& request, const std::vector<std::string>& segs,
                          ArmReply& reply);
  http::Response list(const http::Request& request, const std::optional<std::string>& rg,
                      const std::string& api_version);
  http::Response get(const std::string& rg, const std::string& name, const std::string& api_version,
                     ArmReply& reply);
  http::Response put(const http::Request& request, const std::string& rg, const std::string& name,
                     const std::string& api_version);
  http::Response patch(const http::Request& request, const std::string& rg, const std::string& name,
                       const std::string& api_version);
  http::Response remove(const std::string& rg, const std::string& name, ArmReply& reply);
  http::Response action(const std::string& verb, const std::string& rg, const std::string& name);
  http::Response logs(const http::Request& request, const std::string& rg, const std::string& name,
                      const std::string& container);
  http::Response operation_status(const std::string& id);
  http::Response error(int status, const std::string& code, const std::string& message);
  http::Response unauthorized(const TokenCheck& check);
  http::Response not_found(const std::string& rg, const std::string& name);
  std::string async_url(const std::string& location, const std::string& id) const;
  bool resource_group_exists(const std::string& rg) const;
  void stamp(http::Response& response, const http::Request& request);

  ArmSettings settings_;
  AciModel& model_;
  Identity& identity_;
  ArmThrottle& throttle_;
  FaultInjector& faults_;
  GroupFaults& group_faults_;
  const core::TimeSource& time_;
  Random& random_;
  ProviderHandler dns_handler_;
  ProviderHandler cloudflare_handler_;
};

}  // namespace frankenetes::sim
