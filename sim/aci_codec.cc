#include "sim/aci_codec.h"

#include <regex>
#include <set>

namespace frankenetes::sim {

namespace {

nlohmann::json render_state(const ContainerState& s) {
  nlohmann::json out = {{"state", s.state}, {"startTime", format_time_seconds(s.start_time)}};
  if (s.exit_code) out["exitCode"] = *s.exit_code;
  if (s.finish_time) out["finishTime"] = format_time_seconds(*s.finish_time);
  out["detailStatus"] = s.detail_status;
  return out;
}

nlohmann::json render_events(const std::vector<Event>& events) {
  auto out = nlohmann::json::array();
  for (const auto& e : events) {
    out.push_back({{"count", e.count},
                   {"firstTimestamp", format_time_seconds(e.first_timestamp)},
                   {"lastTimestamp", format_time_seconds(e.last_timestamp)},
                   {"name", e.name},
                   {"message", e.message},
                   {"type", e.type}});
  }
  return out;
}

// Write-only values never come back from ARM (reference §1.3 "Secrets are write-only").
void strip_container_secrets(nlohmann::json& props) {
  if (props.contains("environmentVariables") && props["environmentVariables"].is_array()) {
    for (auto& env : props["environmentVariables"]) {
      if (env.is_object()) env.erase("secureValue");
    }
  }
}

ArmError invalid_content(const std::string& what, const std::string& path) {
  return {400, "InvalidRequestContent",
          "The request content was invalid and cannot be deserialized: '" + what + " Path '" +
              path + "'.'."};
}

ArmError missing(const std::string& property, const std::string& path) {
  return invalid_content("Required property '" + property + "' not found in JSON.", path);
}

}  // namespace

nlohmann::json arm_error_body(const std::string& code, const std::string& message) {
  return {{"error", {{"code", code}, {"message", message}}}};
}

std::string container_group_id(const std::string& subscription_id, const std::string& resource_group,
                                const std::string& name) {
  return "/subscriptions/" + subscription_id + "/resourceGroups/" + resource_group +
         "/providers/Microsoft.ContainerInstance/containerGroups/" + name;
}

nlohmann::json render_group(const ContainerGroup& group, const RenderOptions& options) {
  const auto& body = group.body;
  nlohmann::json out;
  out["id"] = container_group_id(options.subscription_id, group.resource_group, group.name);
  out["location"] = group.location;
  if (body.contains("tags")) out["tags"] = body["tags"];
  if (body.contains("zones")) out["zones"] = body["zones"];
  if (body.contains("identity") && body["identity"].is_object()) {
    auto identity = body["identity"];
    if (!group.principal_id.empty()) {
      identity["principalId"] = group.principal_id;
      identity["tenantId"] = options.tenant_id;
    }
    if (identity.contains("userAssignedIdentities") && identity["userAssignedIdentities"].is_object()) {
      for (auto& [id, value] : identity["userAssignedIdentities"].items()) {
        (void)id;
        value = {{"principalId", "00000000-0000-0000-0000-00000000a001"},
                 {"clientId", "00000000-0000-0000-0000-00000000a002"}};
      }
    }
    out["identity"] = identity;
  }
  out["name"] = group.name;

  // Everything but the PUT's containers (rendered from the model below) and instance view:
  // copying those only to replace them was most of a GET's cost.
  nlohmann::json props = nlohmann::json::object();
  if (const auto it = body.find("properties"); it != body.end() && it->is_object()) {
    for (const auto& [key, value] : it->items()) {
      if (key != "containers" && key != "instanceView") props[key] = value;
    }
  }
  auto containers = nlohmann::json::array();
  for (const auto& c : group.containers) {
    auto cprops = c.properties;
    strip_container_secrets(cprops);
    cprops.erase("instanceView");
    if (options.instance_view) {
      nlohmann::json view = nlohmann::json::object();
      if (options.restart_count) view["restartCount"] = c.restart_count;
      if (c.current) view["currentState"] = render_state(*c.current);
      if (c.previous) view["previousState"] = render_state(*c.previous);
      view["events"] = render_events(c.events);
      cprops["instanceView"] = view;
    }
    containers.push_back({{"name", c.name}, {"properties", cprops}});
  }
  props["containers"] = containers;
  if (props.contains("initContainers") && props["initContainers"].is_array()) {
    for (auto& ic : props["initContainers"]) {
      if (ic.contains("properties")) strip_container_secrets(ic["properties"]);
    }
  }
  if (props.contains("imageRegistryCredentials") && props["imageRegistryCredentials"].is_array()) {
    for (auto& cred : props["imageRegistryCredentials"]) {
      if (cred.is_object()) cred.erase("password");
    }
  }
  if (props.contains("volumes") && props["volumes"].is_array()) {
    for (auto& v : props["volumes"]) {
      if (!v.is_object()) continue;
      if (v.contains("azureFile") && v["azureFile"].is_object()) v["azureFile"].erase("storageAccountKey");
      if (v.contains("secret")) v["secret"] = nlohmann::json::object();
    }
  }
  if (props.contains("diagnostics") && props["diagnostics"].is_object() &&
      props["diagnostics"].contains("logAnalytics") && props["diagnostics"]["logAnalytics"].is_object()) {
    props["diagnostics"]["logAnalytics"].erase("workspaceKey");
  }
  if (props.contains("ipAddress") && props["ipAddress"].is_object()) {
    auto& ip = props["ipAddress"];
    if (ip.contains("ports") && ip["ports"].is_array()) {
      for (auto& p : ip["ports"]) {
        if (p.is_object() && !p.contains("protocol")) p["protocol"] = "TCP";
      }
    }
    if (group.ip.empty()) ip.erase("ip");
    else ip["ip"] = group.ip;
    const auto fqdn = group.fqdn();
    if (!fqdn.empty()) ip["fqdn"] = fqdn;
  }
  props["provisioningState"] = group.provisioning_state;
  if (options.api_version >= "2025-09-01") props["isCreatedFromStandbyPool"] = false;
  props.erase("instanceView");
  if (options.instance_view) {
    props["instanceView"] = {{"events", render_events(group.events)},
                             {"state", group.instance_state()}};
  }
  out["properties"] = props;
  out["type"] = "Microsoft.ContainerInstance/containerGroups";
  return out;
}

nlohmann::json render_operation(const AsyncOperation& op, const ContainerGroup* group,
                                const std::string& subscription_id) {
  nlohmann::json out;
  out["id"] = container_group_id(subscription_id, op.resource_group, op.group_name);
  out["status"] = op.status;
  out["startTime"] = format_time_7(op.start_time);
  if (op.end_time) out["endTime"] = format_time_7(*op.end_time);
  nlohmann::json properties = nlohmann::json::object();
  if (group) properties["events"] = render_events(group->events);
  out["properties"] = properties;
  if (!op.error_code.empty()) out["error"] = {{"code", op.error_code}, {"message", op.error_message}};
  return out;
}

std::optional<ArmError> validate_container_group(const nlohmann::json& body, const std::string& name) {
  static const std::regex kName("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
  static const std::regex kLabel("^[a-z]([-a-z0-9]*[a-z0-9])?$");
  if (name.size() > 63 || !std::regex_match(name, kName)) {
    return ArmError{400, "InvalidResourceName",
                    "The container group name '" + name +
                        "' is invalid. The name must contain no more than 63 characters and only "
                        "lowercase alphanumeric characters and '-', and must start and end with an "
                        "alphanumeric character."};
  }
  if (!body.is_object()) return invalid_content("Unexpected JSON token; expected an object.", "");
  if (!body.contains("location") || !body["location"].is_string() ||
      body["location"].get<std::string>().empty()) {
    return ArmError{400, "LocationRequired", "The location property is required for this definition."};
  }
  if (body.contains("tags") && !body["tags"].is_object()) {
    return invalid_content("Error converting value to type 'Dictionary`2'.", "tags");
  }
  if (!body.contains("properties")) return missing("properties", "");
  const auto& props = body["properties"];
  if (!props.is_object()) return invalid_content("Unexpected JSON token; expected an object.", "properties");
  if (!props.contains("containers")) return missing("containers", "properties");
  if (!props.contains("osType")) return missing("osType", "properties");
  if (!props["osType"].is_string() ||
      (props["osType"] != "Linux" && props["osType"] != "Windows")) {
    return invalid_content("Error converting value to type 'OperatingSystemTypes'.", "properties.osType");
  }
  const auto& containers = props["containers"];
  if (!containers.is_array()) {
    return invalid_content("Unexpected JSON token; expected an array.", "properties.containers");
  }
  if (containers.empty()) {
    return ArmError{400, "InvalidContainerGroupProperties",
                    "The container group '" + name + "' must contain at least one container."};
  }
  if (containers.size() > 60) {
    return ArmError{400, "ContainerGroupContainersExceedLimit",
                    "The container group '" + name + "' has more than 60 containers."};
  }
  std::set<std::string> names;
  for (std::size_t i = 0; i < containers.size(); ++i) {
    const auto& c = containers[i];
    const std::string path = "properties.containers[" + std::to_string(i) + "]";
    if (!c.is_object()) return invalid_content("Unexpected JSON token; expected an object.", path);
    if (!c.contains("name") || !c["name"].is_string()) return missing("name", path);
    const auto cname = c["name"].get<std::string>();
    if (cname.size() > 63 || !std::regex_match(cname, kName)) {
      return ArmError{400, "InvalidContainerName",
                      "The container name '" + cname +
                          "' in container group '" + name +
                          "' is invalid. The name must contain only lowercase alphanumeric "
                          "characters and '-'."};
    }
    if (!names.insert(cname).second) {
      return ArmError{400, "DuplicateContainerName",
                      "Container group '" + name + "' has duplicate container name '" + cname + "'."};
    }
    if (!c.contains("properties") || !c["properties"].is_object()) return missing("properties", path);
    const auto& cp = c["properties"];
    const auto ppath = path + ".properties";
    if (!cp.contains("image")) return missing("image", ppath);
    if (!cp["image"].is_string() || cp["image"].get<std::string>().empty()) {
      return ArmError{400, "InvalidImage", "The image of container '" + cname + "' is empty."};
    }
    if (!cp.contains("resources")) return missing("resources", ppath);
    if (!cp["resources"].is_object() || !cp["resources"].contains("requests")) {
      return missing("requests", ppath + ".resources");
    }
    const auto& req = cp["resources"]["requests"];
    if (!req.is_object() || !req.contains("cpu")) return missing("cpu", ppath + ".resources.requests");
    if (!req.contains("memoryInGB")) return missing("memoryInGB", ppath + ".resources.requests");
    if (!req["cpu"].is_number() || !req["memoryInGB"].is_number()) {
      return invalid_content("Could not convert string to double.", ppath + ".resources.requests");
    }
    if (cp.contains("command") && !cp["command"].is_array()) {
      return invalid_content("Unexpected JSON token; expected an array.", ppath + ".command");
    }
    if (cp.contains("ports") && !cp["ports"].is_array()) {
      return invalid_content("Unexpected JSON token; expected an array.", ppath + ".ports");
    }
  }
  if (props.contains("restartPolicy")) {
    const auto& rp = props["restartPolicy"];
    if (!rp.is_string() || (rp != "Always" && rp != "OnFailure" && rp != "Never")) {
      return invalid_content("Error converting value to type 'ContainerGroupRestartPolicy'.",
                             "properties.restartPolicy");
    }
  }
  if (props.contains("ipAddress")) {
    const auto& ip = props["ipAddress"];
    if (!ip.is_object()) return invalid_content("Unexpected JSON token; expected an object.", "properties.ipAddress");
    if (!ip.contains("ports")) return missing("ports", "properties.ipAddress");
    if (!ip.contains("type")) return missing("type", "properties.ipAddress");
    if (!ip["ports"].is_array()) {
      return invalid_content("Unexpected JSON token; expected an array.", "properties.ipAddress.ports");
    }
    for (const auto& p : ip["ports"]) {
      if (!p.is_object() || !p.contains("port") || !p["port"].is_number_integer()) {
        return missing("port", "properties.ipAddress.ports");
      }
    }
    if (ip.contains("dnsNameLabel")) {
      if (!ip["dnsNameLabel"].is_string() ||
          !std::regex_match(ip["dnsNameLabel"].get<std::string>(), kLabel) ||
          ip["dnsNameLabel"].get<std::string>().size() > 63) {
        return ArmError{400, "InvalidDnsNameLabel",
                        "The DNS name label '" + ip["dnsNameLabel"].dump() +
                            "' is invalid. It must match '^[a-z]([-a-z0-9]*[a-z0-9])?$'."};
      }
    }
  }
  if (props.contains("volumes") && !props["volumes"].is_array()) {
    return invalid_content("Unexpected JSON token; expected an array.", "properties.volumes");
  }
  return std::nullopt;
}

}  // namespace frankenetes::sim
