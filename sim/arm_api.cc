#include "sim/arm_api.h"

#include <nlohmann/json.hpp>

#include "sim/aci_codec.h"
#include "core/strings.h"

namespace frankenetes::sim {

namespace {

bool ieq(const std::string& a, const char* b) { return core::to_lower(a) == core::to_lower(b); }

std::vector<std::string> segments(const std::string& path) {
  std::vector<std::string> out;
  for (auto& s : core::split(path, '/')) {
    if (!s.empty()) out.push_back(s);
  }
  return out;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

http::Response json(int status, const nlohmann::json& body) {
  http::Response r;
  r.status = status;
  r.body = body.dump();
  return r;
}

http::Response empty(int status) {
  http::Response r;
  r.status = status;
  return r;
}

}  // namespace

const std::vector<std::string>& supported_aci_api_versions() {
  static const std::vector<std::string> kVersions = {
      "2017-08-01-preview", "2017-10-01-preview", "2017-12-01-preview", "2018-02-01-preview",
      "2018-04-01",         "2018-06-01",         "2018-09-01",         "2018-10-01",
      "2019-12-01",         "2020-11-01",         "2021-03-01",         "2021-07-01",
      "2021-09-01",         "2021-10-01",         "2022-09-01",         "2022-10-01-preview",
      "2023-02-01-preview", "2023-05-01",         "2023-05-15-preview", "2024-05-01-preview",
      "2025-09-01"};
  return kVersions;
}

std::string classify_arm_operation(const http::Request& request) {
  const auto& path = request.path;
  if (core::starts_with(path, "/client/v4/")) return "cloudflare";
  if (core::icontains(path, "/providers/Microsoft.Network/dnsZones")) return "dns";
  const auto segs = segments(path);
  const auto n = segs.size();
  const auto& m = request.method;
  if (n == 8 && ieq(segs[4], "locations") && ieq(segs[6], "operations")) return "operation";
  if (n == 5 && ieq(segs[4], "containerGroups")) return "list";
  if (n == 7 && ieq(segs[6], "containerGroups")) return "list";
  if (n == 8 && ieq(segs[6], "containerGroups")) {
    if (m == "GET") return "get";
    if (m == "PUT") return "put";
    if (m == "PATCH") return "patch";
    if (m == "DELETE") return "delete";
  }
  if (n == 9 && ieq(segs[6], "containerGroups")) return core::to_lower(segs[8]);
  if (n == 11 && ieq(segs[6], "containerGroups") && ieq(segs[10], "logs")) return "logs";
  return "unknown";
}

ArmApi::ArmApi(ArmSettings settings, AciModel& model, Identity& identity, ArmThrottle& throttle,
               FaultInjector& faults, GroupFaults& group_faults, const core::TimeSource& time,
               Random& random)
    : settings_(std::move(settings)), model_(model), identity_(identity), throttle_(throttle),
      faults_(faults), group_faults_(group_faults), time_(time), random_(random) {}

http::Response ArmApi::error(int status, const std::string& code, const std::string& message) {
  return json(status, arm_error_body(code, message));
}

void ArmApi::stamp(http::Response& r, const http::Request& request) {
  r.headers["x-ms-request-id"] = settings_.region + ":" + make_guid(random_);
  const auto correlation = request.header("x-ms-correlation-request-id");
  r.headers["x-ms-correlation-request-id"] = correlation.empty() ? make_guid(random_) : correlation;
  std::string region_upper = settings_.region;
  for (auto& c : region_upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  r.headers["x-ms-routing-request-id"] =
      region_upper + ":" + format_time_compact(time_.system_time()) + ":" + make_guid(random_);
  if (const auto client = request.header("x-ms-client-request-id"); !client.empty()) {
    r.headers["x-ms-client-request-id"] = client;
  }
  r.headers["Cache-Control"] = "no-cache";
  r.headers["Pragma"] = "no-cache";
  r.headers["Expires"] = "-1";
  if (!r.body.empty() && !r.headers.count("Content-Type")) {
    r.headers["Content-Type"] = "application/json; charset=utf-8";
  }
}

http::Response ArmApi::unauthorized(const TokenCheck& check) {
  std::string code = "InvalidAuthenticationToken";
  std::string message = "The access token is invalid.";
  switch (check.status) {
    case TokenStatus::kMissing:
      code = "AuthenticationFailed";
      message = "Authentication failed. The 'Authorization' header is missing.";
      break;
    case TokenStatus::kMalformed:
      code = "AuthenticationFailed";
      message = "Authentication failed. The 'Authorization' header is provided in an invalid format.";
      break;
    case TokenStatus::kExpired:
      code = "ExpiredAuthenticationToken";
      message = "The access token expiry UTC time '" + format_time_seconds(check.expires) +
                "' is earlier than current UTC time '" + format_time_seconds(time_.system_time()) + "'.";
      break;
    case TokenStatus::kWrongAudience:
      code = "InvalidAuthenticationTokenAudience";
      message = "The access token has been obtained for wrong audience or resource '" + check.audience +
                "'. It should exactly match with one of the allowed audiences "
                "'https://management.core.windows.net/','https://management.core.windows.net',"
                "'https://management.azure.com/','https://management.azure.com'.";
      break;
    default:
      break;
  }
  auto r = error(401, code, message);
  std::string description = message;
  for (auto& c : description) {
    if (c == '"') c = '\'';
  }
  r.headers["WWW-Authenticate"] = "Bearer authorization_uri=\"" + identity_.settings().authority + "/" +
                                  settings_.tenant_id + "\", error=\"invalid_token\", error_description=\"" +
                                  description + "\"";
  r.headers["x-ms-failure-cause"] = "gateway";
  return r;
}

http::Response ArmApi::not_found(const std::string& rg, const std::string& name) {
  return error(404, "ResourceNotFound",
               "The Resource 'Microsoft.ContainerInstance/containerGroups/" + name +
                   "' under resource group '" + rg +
                   "' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix");
}

bool ArmApi::resource_group_exists(const std::string& rg) const {
  return settings_.resource_groups.empty() ||
         settings_.resource_groups.count(core::to_lower(rg)) > 0;
}

std::string ArmApi::async_url(const std::string& location, const std::string& id) const {
  return settings_.base_url + "/subscriptions/" + settings_.subscription_id +
         "/providers/Microsoft.ContainerInstance/locations/" + location + "/operations/" + id +
         "?api-version=2018-06-01";
}

ArmReply ArmApi::handle(const http::Request& request) {
  ArmReply reply;
  reply.operation = classify_arm_operation(request);
  const auto now = time_.monotonic_time();

  if (reply.operation == "cloudflare") {
    reply.api = "cloudflare";
    const auto fault = faults_.decide("cloudflare", now, random_);
    reply.delay = fault.delay;
    if (fault.fail) {
      reply.response = json(fault.status, {{"success", false},
                                           {"errors", {{{"code", 10000}, {"message", fault.message}}}},
                                           {"messages", nlohmann::json::array()},
                                           {"result", nullptr}});
      reply.response.headers["Content-Type"] = "application/json";
      if (fault.retry_after_seconds) reply.response.headers["Retry-After"] = std::to_string(*fault.retry_after_seconds);
      return reply;
    }
    std::optional<http::Response> r;
    if (cloudflare_handler_) r = cloudflare_handler_(request);
    if (!r) {
      r = json(404, {{"success", false},
                     {"errors", {{{"code", 7003}, {"message", "Could not route to " + request.path + ", perhaps your object identifier is invalid?"}}}},
                     {"messages", nlohmann::json::array()},
                     {"result", nullptr}});
      r->headers["Content-Type"] = "application/json";
    }
    reply.response = std::move(*r);
    return reply;
  }

  if (reply.operation == "dns") reply.api = "dns";
  const auto segs = segments(request.path);
  if (segs.size() < 2 || !ieq(segs[0], "subscriptions")) {
    reply.response = error(404, "NotFound", "The requested path '" + request.path + "' does not exist.");
    stamp(reply.response, request);
    return reply;
  }

  model_.advance();
  const auto token = identity_.check(request.header("Authorization"));
  if (token.status != TokenStatus::kValid) {
    reply.response = unauthorized(token);
    stamp(reply.response, request);
    return reply;
  }
  if (core::to_lower(segs[1]) != core::to_lower(settings_.subscription_id)) {
    reply.response = error(404, "SubscriptionNotFound", "The subscription '" + segs[1] + "' could not be found.");
    stamp(reply.response, request);
    return reply;
  }

  const ArmOpType type = request.method == "GET" || request.method == "HEAD" ? ArmOpType::kRead
                         : request.method == "DELETE"                        ? ArmOpType::kDelete
                                                                             : ArmOpType::kWrite;
  const auto take = throttle_.take(type, now);
  const std::string remaining_header =
      std::string("x-ms-ratelimit-remaining-subscription-") + header_suffix(type);
  if (!take.allowed) {
    const char* kind = type == ArmOpType::kRead ? "read" : type == ArmOpType::kDelete ? "delete" : "write";
    reply.response = error(
        429, "TooManyRequests",
        std::string("Number of '") + kind + "' requests for subscription '" + settings_.subscription_id +
            "' actor '" + token.client_id + "' exceeded. Please try again after '" +
            std::to_string(take.retry_after_seconds) +
            "' seconds after additional tokens are available. Refer to https://aka.ms/arm-throttling for additional information.");
    reply.response.headers["Retry-After"] = std::to_string(take.retry_after_seconds);
    reply.response.headers[remaining_header] = "0";
    reply.response.headers["x-ms-failure-cause"] = "gateway";
    stamp(reply.response, request);
    return reply;
  }

  const auto fault = faults_.decide(reply.operation, now, random_);
  reply.delay = fault.delay;
  if (fault.fail) {
    reply.response = error(fault.status, fault.code, fault.message);
    reply.fault = "armFault";
    if (fault.retry_after_seconds) reply.response.headers["Retry-After"] = std::to_string(*fault.retry_after_seconds);
  } else if (reply.operation == "dns") {
    std::optional<http::Response> r;
    if (dns_handler_) r = dns_handler_(request);
    reply.response = r ? std::move(*r)
                       : error(404, "ResourceNotFound", "The DNS resource '" + request.path + "' was not found.");
  } else {
    reply.response = dispatch(request, segs, reply);
    if (reply.from_proxy) return reply;
  }
  reply.response.headers[remaining_header] = std::to_string(take.remaining);
  stamp(reply.response, request);
  return reply;
}

http::Response ArmApi::dispatch(const http::Request& request, const std::vector<std::string>& segs,
                                ArmReply& reply) {
  const auto api_version = request.query_param("api-version");
  if (!api_version || api_version->empty()) {
    return error(400, "MissingApiVersionParameter",
                 "The api-version query parameter (?api-version=) is required for all requests.");
  }
  const auto& versions = supported_aci_api_versions();
  if (std::find(versions.begin(), versions.end(), *api_version) == versions.end()) {
    return error(400, "NoRegisteredProviderFound",
                 "No registered resource provider found for location '" + settings_.region +
                     "' and API version '" + *api_version +
                     "' for type 'containerGroups'. The supported api-versions are '" + join(versions) +
                     "'. The supported locations are '" + settings_.region + "'.");
  }
  const auto n = segs.size();
  const auto& m = request.method;
  const auto method_not_allowed = [&] {
    return error(405, "MethodNotAllowed", "The requested method '" + m + "' is not allowed on '" + request.path + "'.");
  };
  if (n >= 4 && !ieq(segs[2], "resourceGroups")) {
    if (n >= 5 && ieq(segs[2], "providers") && ieq(segs[3], "Microsoft.ContainerInstance")) {
      if (n == 5 && ieq(segs[4], "containerGroups")) {
        return m == "GET" ? list(request, std::nullopt, *api_version) : method_not_allowed();
      }
      if (n == 8 && ieq(segs[4], "locations") && ieq(segs[6], "operations")) {
        return m == "GET" ? operation_status(segs[7]) : method_not_allowed();
      }
    }
  }
  if (n >= 7 && ieq(segs[2], "resourceGroups") && ieq(segs[4], "providers") &&
      ieq(segs[5], "Microsoft.ContainerInstance") && ieq(segs[6], "containerGroups")) {
    const auto& rg = segs[3];
    if (!resource_group_exists(rg)) {
      return error(404, "ResourceGroupNotFound", "Resource group '" + rg + "' could not be found.");
    }
    if (n == 7) return m == "GET" ? list(request, rg, *api_version) : method_not_allowed();
    const auto& name = segs[7];
    if (n == 8) {
      if (m == "GET") return get(rg, name, *api_version, reply);
      if (m == "PUT") return put(request, rg, name, *api_version);
      if (m == "PATCH") return patch(request, rg, name, *api_version);
      if (m == "DELETE") return remove(rg, name, reply);
      return method_not_allowed();
    }
    if (n == 9 && (ieq(segs[8], "restart") || ieq(segs[8], "stop") || ieq(segs[8], "start"))) {
      return m == "POST" ? action(core::to_lower(segs[8]), rg, name) : method_not_allowed();
    }
    if (n == 11 && ieq(segs[8], "containers") && ieq(segs[10], "logs")) {
      return m == "GET" ? logs(request, rg, name, segs[9]) : method_not_allowed();
    }
  }
  return error(404, "InvalidResourceType",
               "The resource type could not be found in the namespace 'Microsoft.ContainerInstance' for api version '" +
                   *api_version + "'.");
}

http::Response ArmApi::list(const http::Request& request, const std::optional<std::string>& rg,
                            const std::string& api_version) {
  std::string after;
  if (const auto skip = request.query_param("$skipToken"); skip && !skip->empty()) {
    bool ok = false;
    after = base64url_decode(*skip, &ok);
    if (!ok) return error(400, "InvalidSkipToken", "The provided skip token '" + *skip + "' is invalid.");
  }
  std::string next;
  const auto items = model_.page(rg, after, std::max<std::size_t>(settings_.page_size, 1), &next);
  RenderOptions options{settings_.subscription_id, settings_.tenant_id, api_version, false};
  auto value = nlohmann::json::array();
  for (const auto* g : items) value.push_back(render_group(*g, options));
  nlohmann::json body = {{"value", value}};
  if (!next.empty()) {
    body["nextLink"] = settings_.base_url + request.path + "?api-version=" + api_version +
                       "&$skipToken=" + http::percent_encode_component(base64url_encode(next));
  }
  return json(200, body);
}

http::Response ArmApi::get(const std::string& rg, const std::string& name, const std::string& api_version,
                           ArmReply& reply) {
  const auto* g = model_.find(rg, name);
  if (!g) return not_found(rg, name);
  const auto fault = group_faults_.take_get(g->key());
  reply.fault = fault.label();
  if (fault.not_found == NotFoundBody::kArm) return not_found(rg, name);
  if (fault.not_found == NotFoundBody::kHtml) {
    // A reverse proxy or gateway in front of ARM answering for it: its own page, none of
    // ARM's headers, nothing a client can read as "the resource does not exist".
    reply.from_proxy = true;
    http::Response r;
    r.status = 404;
    r.headers["Content-Type"] = "text/html";
    r.body = kProxyNotFoundHtml;
    return r;
  }
  RenderOptions options{settings_.subscription_id, settings_.tenant_id, api_version, true};
  options.restart_count = !fault.omit_restart_count;
  return json(200, render_group(*g, options));
}

http::Response ArmApi::put(const http::Request& request, const std::string& rg, const std::string& name,
                           const std::string& api_version) {
  auto body = nlohmann::json::parse(request.body, nullptr, false);
  if (body.is_discarded()) {
    return error(400, "InvalidRequestContent",
                 "The request content was invalid and cannot be deserialized: 'Unexpected character encountered while parsing value. Path '', line 1, position 1.'.");
  }
  if (auto problem = validate_container_group(body, name)) {
    return error(problem->status, problem->code, problem->message);
  }
  if (const auto* existing = model_.find(rg, name)) {
    if (existing->phase == GroupPhase::kDeleting) {
      return error(409, "Conflict", "The container group '" + name +
                                        "' is being deleted. Retry the request after the delete operation has completed.");
    }
    const auto location = normalize_location(body["location"].get<std::string>());
    if (location != existing->location) {
      return error(400, "InvalidResourceLocation",
                   "The resource '" + name + "' already exists in location '" + existing->location +
                       "' in resource group '" + rg +
                       "'. A resource with the same name cannot be created in location '" + location +
                       "'. Please select a new resource name.");
    }
  }
  // The stored body never carries read-only fields a client may echo back from a GET.
  body.erase("id");
  body.erase("name");
  body.erase("type");
  if (body["properties"].is_object()) {
    body["properties"].erase("provisioningState");
    body["properties"].erase("instanceView");
    if (body["properties"].contains("ipAddress") && body["properties"]["ipAddress"].is_object()) {
      body["properties"]["ipAddress"].erase("ip");
      body["properties"]["ipAddress"].erase("fqdn");
    }
  }
  const auto outcome = model_.create_or_update(rg, name, std::move(body));
  auto r = json(outcome.created ? 201 : 200,
                render_group(*outcome.group, {settings_.subscription_id, settings_.tenant_id, api_version, false}));
  if (!outcome.operation_id.empty()) {
    r.headers["Azure-AsyncOperation"] = async_url(outcome.group->location, outcome.operation_id);
  }
  return r;
}

http::Response ArmApi::patch(const http::Request& request, const std::string& rg, const std::string& name,
                             const std::string& api_version) {
  const auto body = nlohmann::json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return error(400, "InvalidRequestContent", "The request content was invalid and cannot be deserialized.");
  }
  if (!model_.find(rg, name)) return not_found(rg, name);
  if (body.contains("tags")) {
    if (!body["tags"].is_object()) {
      return error(400, "InvalidRequestContent", "The request content was invalid and cannot be deserialized: 'tags'.");
    }
    model_.update_tags(rg, name, body["tags"]);
  }
  return json(200, render_group(*model_.find(rg, name),
                                {settings_.subscription_id, settings_.tenant_id, api_version, false}));
}

http::Response ArmApi::remove(const std::string& rg, const std::string& name, ArmReply& reply) {
  std::optional<core::Duration> slow;
  if (const auto* existing = model_.find(rg, name); existing && existing->phase != GroupPhase::kDeleting) {
    slow = group_faults_.take_delete(existing->key());
    if (slow) reply.fault = "slowDelete";
  }
  const auto outcome = model_.remove(rg, name, slow);
  if (outcome.result == ActionResult::kNotFound) return empty(204);
  auto r = empty(202);
  const auto* g = model_.find(rg, name);
  r.headers["Azure-AsyncOperation"] = async_url(g ? g->location : settings_.region, outcome.operation_id);
  return r;
}

http::Response ArmApi::action(const std::string& verb, const std::string& rg, const std::string& name) {
  ActionOutcome outcome;
  if (verb == "restart") outcome = model_.restart(rg, name);
  else if (verb == "stop") outcome = model_.stop(rg, name);
  else outcome = model_.start(rg, name);
  switch (outcome.result) {
    case ActionResult::kNotFound:
    case ActionResult::kUnknownContainer:
      return not_found(rg, name);
    case ActionResult::kStopped:
      // Real message (Azure/azure-cli#8136); the code is our choice (UNVERIFIED).
      return error(409, "ContainerGroupStopped",
                   "Container Group '" + name + "' in resource group '" + rg + "' is stopped");
    case ActionResult::kConflict:
      return error(409, "Conflict", "The container group '" + name + "' is being deleted.");
    case ActionResult::kNoOp:
      return empty(204);
    case ActionResult::kDone:
      break;
  }
  const auto* g = model_.find(rg, name);
  if (verb == "stop") return empty(204);
  auto r = empty(verb == "restart" ? 204 : 202);
  if (!outcome.operation_id.empty() && g) r.headers["Azure-AsyncOperation"] = async_url(g->location, outcome.operation_id);
  return r;
}

http::Response ArmApi::logs(const http::Request& request, const std::string& rg, const std::string& name,
                            const std::string& container) {
  const auto* g = model_.find(rg, name);
  if (!g) return not_found(rg, name);
  const Container* c = nullptr;
  for (const auto& each : g->containers) {
    if (each.name == container) c = &each;
  }
  if (!c) {
    return error(404, "ContainerNotFound",
                 "The container '" + container + "' could not be found in container group '" + name + "'.");
  }
  std::optional<int> tail;
  if (const auto t = request.query_param("tail")) {
    try {
      tail = std::stoi(*t);
    } catch (...) {
      return error(400, "InvalidRequestContent", "The tail value '" + *t + "' is not a number.");
    }
  }
  return json(200, {{"content", model_.logs(*g, *c, tail)}});
}

http::Response ArmApi::operation_status(const std::string& id) {
  const auto* op = model_.operation(id);
  if (!op) {
    return error(404, "OperationNotFound", "The operation '" + id + "' could not be found.");
  }
  return json(200, render_operation(*op, model_.find_key(op->group_key), settings_.subscription_id));
}

}  // namespace frankenetes::sim
