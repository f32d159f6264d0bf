#include "azure/aci_client.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "azure/arm_error.h"
#include "azure/async_operation.h"
#include "azure/container_group_codec.h"
#include "core/secret.h"
#include "http/retry_after.h"
#include "http/url.h"

namespace frankenetes::azure {
namespace {

bool contains(std::initializer_list<int> codes, int status) {
  return std::find(codes.begin(), codes.end(), status) != codes.end();
}

core::Error with_context(core::Error error, std::string_view prefix) {
  error.message = std::string(prefix) + ": " + error.message;
  return error;
}

// The secrets a container group body carries (ACI REST "Container Groups - Create Or
// Update"): environment variables' secureValue, image registry passwords, Azure Files account
// keys, and the contents of `secret` volumes. Found wherever they are in the body, so init
// containers and fields this list forgets the parent of are covered too.
void collect_spec_secrets(const nlohmann::json& node, std::vector<core::Secret>& out) {
  if (node.is_array()) {
    for (const auto& item : node) collect_spec_secrets(item, out);
    return;
  }
  if (!node.is_object()) return;
  for (const auto& [key, value] : node.items()) {
    if (value.is_string() &&
        (key == "secureValue" || key == "password" || key == "storageAccountKey")) {
      out.emplace_back(value.get<std::string>());
    } else if (key == "secret" && value.is_object()) {
      for (const auto& [name, content] : value.items()) {
        if (content.is_string()) out.emplace_back(content.get<std::string>());
      }
    } else {
      collect_spec_secrets(value, out);
    }
  }
}

// ARM may quote the body it refused (InvalidRequestContent does), and the error ends up in
// the log and on the status page: no secret of the spec goes with it.
core::Error without_spec_secrets(core::Error error, const nlohmann::json& spec) {
  std::vector<core::Secret> secrets;
  collect_spec_secrets(spec, secrets);
  std::vector<const core::Secret*> pointers;
  for (const auto& secret : secrets) pointers.push_back(&secret);
  error.message = core::redact(std::move(error.message), pointers);
  return error;
}

}  // namespace

AciClient::AciClient(http::HttpTransport& transport, TokenCredential& credential,
                     core::TimeSource& time, core::Sleeper& sleeper, AciClientSettings settings,
                     ClientRequestIdGenerator request_ids)
    : transport_(transport),
      credential_(credential),
      time_(time),
      settings_(std::move(settings)),
      request_ids_(std::move(request_ids)),
      poller_(time, sleeper, settings_.lro) {}

core::Result<http::Response> AciClient::send(std::string_view method, const std::string& url,
                                             std::string body, std::string_view operation) {
  auto token = credential_.get_token(settings_.token_scope);
  if (!token.ok()) {
    // The credential's own message explains the failure; it never contains a token.
    return with_context(token.error(),
                        std::string(operation) + ": no access token (" + credential_.name() + ")");
  }
  http::ClientRequest request;
  request.method = std::string(method);
  request.url = url;
  request.operation = std::string(operation);
  request.timeout = settings_.request_timeout;
  request.headers["Authorization"] = "Bearer " + token->token.reveal();
  request.headers["User-Agent"] =
      settings_.user_agent.empty() ? "frankenetesd/" + settings_.version : settings_.user_agent;
  request.headers["x-ms-client-request-id"] = request_ids_.next();
  request.headers["Accept"] = "application/json";
  if (method == "PUT" || method == "PATCH") {
    request.headers["Content-Type"] = "application/json";
  }
  request.body = std::move(body);
  auto result = without_token(transport_.send(request), token->token);
  if (!result.ok()) return with_context(result.error(), operation);
  return result;
}

core::Result<std::vector<model::ContainerGroupSummary>> AciClient::list_pages(
    std::string url, std::size_t* pages) {
  std::vector<model::ContainerGroupSummary> groups;
  std::set<std::string> seen;
  for (std::size_t page = 0; page < settings_.max_pages; ++page) {
    if (pages != nullptr) *pages = page + 1;
    auto result = send("GET", url, {}, kOpList);
    if (!result.ok()) return result.error();
    const auto& response = result.value();
    if (response.status != 200) return error_from_response(response, kOpList);
    auto parsed = parse_container_group_list(response.body);
    if (!parsed.ok()) return malformed_response_error(response, kOpList, parsed.error().message);
    auto& items = parsed->groups;
    groups.insert(groups.end(), std::make_move_iterator(items.begin()),
                  std::make_move_iterator(items.end()));
    if (!parsed->next_link) return groups;
    seen.insert(url);
    url = *parsed->next_link;
    if (auto ok = check_link(settings_.endpoint.resource_manager, url, "nextLink", kOpList);
        !ok.ok()) {
      return ok.error();
    }
    if (seen.contains(url)) {
      return malformed_response_error(response, kOpList, "nextLink repeats an earlier page");
    }
  }
  core::Error error;
  error.kind = core::ErrorKind::kTerminal;
  error.message = std::string(kOpList) + ": more than " + std::to_string(settings_.max_pages) +
                  " pages; giving up";
  return error;
}

core::Result<std::vector<model::ContainerGroupSummary>> AciClient::list_in_subscription(
    const std::string& subscription_id, std::size_t* pages) {
  return list_pages(container_groups_in_subscription_url(settings_.endpoint, subscription_id),
                    pages);
}

core::Result<std::vector<model::ContainerGroupSummary>> AciClient::list_in_resource_group(
    const std::string& subscription_id, const std::string& resource_group, std::size_t* pages) {
  return list_pages(
      container_groups_in_resource_group_url(settings_.endpoint, subscription_id, resource_group),
      pages);
}

core::Result<model::ContainerGroupView> AciClient::get(const ContainerGroupRef& group) {
  auto result = send("GET", container_group_url(settings_.endpoint, group), {}, kOpGet);
  if (!result.ok()) return result.error();
  const auto& response = result.value();
  if (response.status != 200) return error_from_response(response, kOpGet);
  auto view = parse_container_group(response.body);
  if (!view.ok()) return malformed_response_error(response, kOpGet, view.error().message);
  return view;
}

core::Status AciClient::finish_mutation(const core::Result<http::Response>& result,
                                        std::initializer_list<int> success,
                                        std::string_view operation) {
  if (!result.ok()) return result.error();
  const auto& response = result.value();
  if (!contains(success, response.status)) return error_from_response(response, operation);
  // ACI sends Azure-AsyncOperation even with 204 on restart (reference §1.6): poll whenever a
  // status URL is present, whatever the success code.
  const auto location = lro_location(response.headers);
  if (!location) return {};
  if (auto ok = check_link(settings_.endpoint.resource_manager, location->url,
                           "the operation status URL", operation);
      !ok.ok()) {
    return ok;
  }
  const auto first_delay = http::retry_after(response.headers, time_.system_time());
  return poller_.wait(*location, first_delay, operation,
                      [this](const std::string& url) { return send("GET", url, {}, kOpLroPoll); });
}

core::Status AciClient::restart(const ContainerGroupRef& group) {
  const auto url =
      container_group_action_url(settings_.endpoint, group, ContainerGroupAction::kRestart);
  return finish_mutation(send("POST", url, {}, kOpRestart), {200, 202, 204}, kOpRestart);
}

core::Status AciClient::stop(const ContainerGroupRef& group) {
  const auto url =
      container_group_action_url(settings_.endpoint, group, ContainerGroupAction::kStop);
  return finish_mutation(send("POST", url, {}, kOpStop), {200, 202, 204}, kOpStop);
}

core::Status AciClient::start(const ContainerGroupRef& group) {
  const auto url =
      container_group_action_url(settings_.endpoint, group, ContainerGroupAction::kStart);
  return finish_mutation(send("POST", url, {}, kOpStart), {200, 202, 204}, kOpStart);
}

core::Status AciClient::delete_group(const ContainerGroupRef& group) {
  const auto url = container_group_url(settings_.endpoint, group);
  return finish_mutation(send("DELETE", url, {}, kOpDelete), {200, 202, 204}, kOpDelete);
}

core::Result<model::ContainerGroupView> AciClient::create_or_update(const ContainerGroupRef& group,
                                                                    const std::string& spec_json) {
  const auto spec = nlohmann::json::parse(spec_json, nullptr, /*allow_exceptions=*/false);
  if (spec.is_discarded() || !spec.is_object()) {
    return core::make_error(core::ErrorKind::kInvalidConfig,
                            std::string(kOpCreateOrUpdate) + ": the spec for " + group.to_string() +
                                " is not a JSON object");
  }
  auto result =
      send("PUT", container_group_url(settings_.endpoint, group), spec_json, kOpCreateOrUpdate);
  if (!result.ok()) return without_spec_secrets(result.error(), spec);
  const auto& response = result.value();
  if (response.status != 200 && response.status != 201) {
    return without_spec_secrets(error_from_response(response, kOpCreateOrUpdate), spec);
  }
  if (!lro_location(response.headers)) {
    auto view = parse_container_group(response.body);
    if (!view.ok()) {
      return without_spec_secrets(
          malformed_response_error(response, kOpCreateOrUpdate, view.error().message), spec);
    }
    return view;
  }
  if (auto done = finish_mutation(result, {200, 201}, kOpCreateOrUpdate); !done.ok()) {
    return without_spec_secrets(done.error(), spec);
  }
  // After Succeeded the SDKs GET the resource for its final state; so do we.
  return get(group);
}

core::Result<std::string> AciClient::logs(const ContainerGroupRef& group,
                                          const std::string& container, std::optional<int> tail) {
  auto result = send("GET", container_logs_url(settings_.endpoint, group, container, tail, false),
                     {}, kOpLogs);
  if (!result.ok()) return result.error();
  const auto& response = result.value();
  if (response.status != 200) return error_from_response(response, kOpLogs);
  const auto doc = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("content") ||
      !doc["content"].is_string()) {
    return malformed_response_error(response, kOpLogs, "no string field \"content\"");
  }
  return doc["content"].get<std::string>();
}

}  // namespace frankenetes::azure
