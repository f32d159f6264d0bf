#pragma once
// ControlApi: the simulator's fault and inspection API (JSON over plain HTTP on --control,
// loopback only). Tests, benchmarks and the demo use it to break things on purpose and to
// count what clients did. Pure: requests in, responses out.
//
//   GET    /healthz                                     "ok"
//   GET    /endpoints                                   the endpoints.json document
//   GET    /groups                                      every group: state, IP, containers
//   GET    /groups/{rg}/{name}                          one group (+ "arm": the GET body)
//   POST   /groups/{rg}/{name}/containers/{c}/crash     {"exitCode":1,"times":1,"always":false}
//   DELETE /groups/{rg}/{name}/containers/{c}/crash     stop crashing
//   POST   /groups/{rg}/{name}/containers/{c}/hang      {"hung":true}  (false = resume)
//   POST   /groups/{rg}/{name}/ip                       {"ip":"127.1.9.9"?}: move to a new IP
//   POST   /groups/{rg}/{name}/maintenance              platform maintenance: restart, new IP
//   POST   /groups/{rg}/{name}/{stop|start|restart}     as the ARM actions, without auth
//   DELETE /groups/{rg}/{name}                          delete the group
//   GET    /groups/{rg}/{name}/faults                   that group's faults (GroupFaults)
//   POST   /groups/{rg}/{name}/faults/notFound          {"count":3,"body":"arm"|"html"}: the next
//                                                       3 GETs answer 404 (group untouched)
//   POST   /groups/{rg}/{name}/faults/omitRestartCount  {"count":2}: the next 2 GETs (no count:
//                                                       every GET until cleared) lack restartCount
//   POST   /groups/{rg}/{name}/faults/slowDelete        {"seconds":30,"count":1}: the next DELETE
//                                                       stays InProgress (group Deleting) for 30 s
//   DELETE /groups/{rg}/{name}/faults[/{kind}]          clear that group's faults (of one kind)
//   GET    /faults/groups                               every group's faults
//   DELETE /faults/groups                               clear every group's faults
//   POST   /actions                                     {"action":"crash","group":…,…} (the
//                                                       form the scenario fault schedule uses)
//   GET    /faults/arm                                  injected ARM faults
//   POST   /faults/arm                                  add one rule (see FaultInjector::parse)
//   PUT    /faults/arm                                  replace: {"rules":[…]}
//   DELETE /faults/arm                                  clear
//   GET    /throttle                                    bucket settings and tokens left
//   PUT    /throttle                                    {"reads":{"burst":…,"refillPerSecond":…,"tokens":…},…}
//   GET    /identity                                    token lifetime
//   PUT    /identity                                    {"tokenLifetime":"30s"} (or seconds)
//   POST   /identity/revoke                             forget every issued token (→ 401s)
//   PUT    /settings                                    {"restartNewIpProbability":0.5}
//   GET    /requests?api=&operation=&method=&path=&status=&fault=&since=&limit=
//                                                       {"count","firstSeq","lastSeq","entries"};
//                                                       since= costs only the entries after it
//   DELETE /requests
//   GET    /resolve?name=FQDN                           {"name","ip","source"} or 404
//   GET    /health-probes                               {"parked":n,"hangCapSeconds":120}: probes
//                                                       of hung groups on --health-listen not yet
//                                                       answered (Simulator answers this route)
// Everything under /dns/ goes to the DNS plug-in. Errors: {"error":"…"} with 400/404/409.

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "http/message.h"
#include "sim/aci_model.h"
#include "sim/arm_api.h"
#include "sim/arm_throttle.h"
#include "sim/fault_injector.h"
#include "sim/group_faults.h"
#include "sim/identity.h"
#include "sim/request_log.h"

namespace frankenetes::sim {

// Resolves a DNS name the sim does not own as an ACI FQDN (the DNS plug-in's zones).
using NameResolver = std::function<std::optional<std::string>(const std::string& name)>;

class ControlApi {
 public:
  ControlApi(AciModel& model, FaultInjector& faults, GroupFaults& group_faults, ArmThrottle& throttle,
             Identity& identity, RequestLog& log, const core::TimeSource& time,
             std::string subscription_id, std::string tenant_id, std::string default_resource_group);

  http::Response handle(const http::Request& request);
  // The generic action form ({"action": …}); also used by the scenario's fault schedule.
  http::Response apply_action(const nlohmann::json& action);

  void set_endpoints(nlohmann::json endpoints) { endpoints_ = std::move(endpoints); }
  void set_dns_handler(ProviderHandler handler) { dns_handler_ = std::move(handler); }
  void set_name_resolver(NameResolver resolver) { resolver_ = std::move(resolver); }
  std::optional<std::pair<std::string, std::string>> resolve(const std::string& name) const;

 private:
  http::Response group_action(const std::string& rg, const std::string& name, const std::string& verb,
                              const nlohmann::json& body);
  http::Response container_action(const std::string& rg, const std::string& name,
                                   const std::string& container, const std::string& verb,
                                   const nlohmann::json& body);
  nlohmann::json describe(const ContainerGroup& group) const;
  // GET/POST/DELETE /groups/{rg}/{name}/faults[/{kind}]; `kind` "" = the collection.
  http::Response group_faults(const std::string& method, const std::string& rg, const std::string& name,
                              const std::string& kind, const nlohmann::json& body,
                              const std::vector<std::string>& ignore = {});
  http::Response faults(const http::Request& request, const nlohmann::json& body);
  http::Response throttle(const http::Request& request, const nlohmann::json& body);
  http::Response identity(const http::Request& request, const nlohmann::json& body);
  http::Response requests(const http::Request& request);

  AciModel& model_;
  FaultInjector& faults_;
  GroupFaults& group_faults_;
  ArmThrottle& throttle_;
  Identity& identity_;
  RequestLog& log_;
  const core::TimeSource& time_;
  std::string subscription_id_;
  std::string tenant_id_;
  std::string default_resource_group_;
  nlohmann::json endpoints_ = nlohmann::json::object();
  ProviderHandler dns_handler_;
  NameResolver resolver_;
};

}  // namespace frankenetes::sim
