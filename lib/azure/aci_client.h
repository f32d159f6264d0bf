#pragma once
// AciClient: the daemon's ARM client for Microsoft.ContainerInstance/containerGroups
// (Container Instances REST API). Blocking; runs on worker threads. Every request carries
// Authorization: Bearer <token from the TokenCredential>, User-Agent: frankenetesd/<version>,
// a fresh x-ms-client-request-id and an operation label ("aci.get", …) for metrics.
// Mutating calls return only once the long-running operation is terminal (LroPoller).
//
// It does not retry, throttle or count: compose the transport for that —
//   AciClient -> RetryingTransport -> ObservingTransport -> HttpClient
// and it does not decide anything: the planner does. Errors are values with kind, HTTP
// status, Azure code and x-ms-request-id; the token never appears in them.
// Links in responses (nextLink, Azure-AsyncOperation, Location) are followed only to the
// configured resource manager's origin, so the bearer token is never sent elsewhere.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "azure/arm_paths.h"
#include "azure/client_request_id.h"
#include "azure/lro_poller.h"
#include "azure/token_credential.h"
#include "core/result.h"
#include "core/sleeper.h"
#include "core/time_source.h"
#include "http/transport.h"
#include "model/container_group.h"

namespace frankenetes::azure {

// Operation labels (a bounded set, used as the metrics `operation` label).
inline constexpr std::string_view kOpList = "aci.list";
inline constexpr std::string_view kOpGet = "aci.get";
inline constexpr std::string_view kOpRestart = "aci.restart";
inline constexpr std::string_view kOpStop = "aci.stop";
inline constexpr std::string_view kOpStart = "aci.start";
inline constexpr std::string_view kOpDelete = "aci.delete";
inline constexpr std::string_view kOpCreateOrUpdate = "aci.create_or_update";
inline constexpr std::string_view kOpLogs = "aci.logs";
inline constexpr std::string_view kOpLroPoll = "aci.lro_poll";

struct AciClientSettings {
  ArmEndpoint endpoint;  // resource manager URL + api-version (default 2023-05-01)
  std::string token_scope = "https://management.azure.com/.default";
  std::string version = "0.0.0";  // User-Agent: frankenetesd/<version>
  std::string user_agent{};       // when set, the User-Agent instead (the replica's, issue 13)
  core::Duration request_timeout{std::chrono::seconds(30)};
  LroSettings lro;              // poll interval 5 s, timeout 5 min
  std::size_t max_pages = 1000;  // a LIST that pages further is treated as broken
};

class AciClient {
 public:
  AciClient(http::HttpTransport& transport, TokenCredential& credential, core::TimeSource& time,
            core::Sleeper& sleeper, AciClientSettings settings,
            ClientRequestIdGenerator request_ids = ClientRequestIdGenerator());

  // Paged LIST, following nextLink until it is absent. No instanceView (use get()).
  // `pages`, when given, receives the number of requests sent (failed ones included).
  core::Result<std::vector<model::ContainerGroupSummary>> list_in_subscription(
      const std::string& subscription_id, std::size_t* pages = nullptr);
  core::Result<std::vector<model::ContainerGroupSummary>> list_in_resource_group(
      const std::string& subscription_id, const std::string& resource_group,
      std::size_t* pages = nullptr);

  // GET with instanceView. A missing group is an Error of kind kNotFound.
  core::Result<model::ContainerGroupView> get(const ContainerGroupRef& group);

  // POST …/restart: 204 (+Azure-AsyncOperation, polled). Fails with kConflict on a stopped
  // group; use start() there.
  core::Status restart(const ContainerGroupRef& group);
  // POST …/stop: 204, not an LRO.
  core::Status stop(const ContainerGroupRef& group);
  // POST …/start: 202 + Azure-AsyncOperation (polled) or 204 (already running/starting).
  core::Status start(const ContainerGroupRef& group);
  // DELETE: 200 (deleted), 202 (polled), 204 (did not exist; success).
  core::Status delete_group(const ContainerGroupRef& group);
  // PUT the given ContainerGroup JSON (a member's spec file), wait for the LRO, then GET the
  // group. A spec that is not a JSON object is kInvalidConfig and nothing is sent. Without an
  // LRO header the PUT's own response body is returned.
  core::Result<model::ContainerGroupView> create_or_update(const ContainerGroupRef& group,
                                                           const std::string& spec_json);

  // The container's log text (GET …/logs?tail=N).
  core::Result<std::string> logs(const ContainerGroupRef& group, const std::string& container,
                                 std::optional<int> tail);

 private:
  core::Result<http::Response> send(std::string_view method, const std::string& url,
                                    std::string body, std::string_view operation);
  core::Result<std::vector<model::ContainerGroupSummary>> list_pages(std::string url,
                                                                    std::size_t* pages);
  // Handles the answer to a mutating call: error statuses, then an optional LRO.
  core::Status finish_mutation(const core::Result<http::Response>& result,
                               std::initializer_list<int> success, std::string_view operation);

  http::HttpTransport& transport_;
  TokenCredential& credential_;
  core::TimeSource& time_;
  const AciClientSettings settings_;
  ClientRequestIdGenerator request_ids_;
  LroPoller poller_;
};

}  // namespace frankenetes::azure
