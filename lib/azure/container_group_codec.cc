#include "azure/container_group_codec.h"

#include "azure/arm_paths.h"
#include "azure/json_fields.h"
#include "core/timestamps.h"

namespace frankenetes::azure {
namespace {

namespace jf = json_fields;
using jf::json;

core::Error malformed(std::string detail) {
  return core::make_error(core::ErrorKind::kTerminal,
                          "malformed container group JSON: " + std::move(detail));
}

// The members that hold a group's structure (properties, instanceView, containers): absent or
// null reads as absent, like any optional field, but present with another type is a body that
// is not a container group. Read as absent, it would look like a group with no state and no
// containers, which the planner would act on.
core::Result<const json*> structure(const json& obj, std::string_view key, bool want_array) {
  const json* m = jf::member(obj, key);
  if (m == nullptr || m->is_null()) return static_cast<const json*>(nullptr);
  if (want_array ? m->is_array() : m->is_object()) return m;
  return malformed("\"" + std::string(key) + "\" is " + m->type_name() + ", expected " +
                   (want_array ? "an array" : "an object"));
}

std::optional<core::SystemTime> timestamp(const json& obj, std::string_view key) {
  const auto text = jf::optional_string(obj, key);
  return text ? core::parse_iso8601(*text) : std::nullopt;
}

std::vector<model::Event> parse_events(const json& obj) {
  std::vector<model::Event> events;
  const json* list = jf::array(obj, "events");
  if (list == nullptr) return events;
  for (const auto& e : *list) {
    if (!e.is_object()) continue;
    model::Event event;
    event.name = jf::string_or_empty(e, "name");
    event.type = jf::string_or_empty(e, "type");
    event.message = jf::string_or_empty(e, "message");
    event.count = jf::optional_int(e, "count").value_or(1);
    event.first_timestamp = timestamp(e, "firstTimestamp");
    event.last_timestamp = timestamp(e, "lastTimestamp");
    events.push_back(std::move(event));
  }
  return events;
}

std::optional<core::SystemTime> earliest_event(const json& obj) {
  std::optional<core::SystemTime> earliest;
  const json* list = jf::array(obj, "events");
  if (list == nullptr) return earliest;
  for (const auto& e : *list) {
    if (!e.is_object()) continue;
    const auto first = timestamp(e, "firstTimestamp");
    if (first && (!earliest || *first < *earliest)) earliest = first;
  }
  return earliest;
}

std::optional<model::ContainerState> parse_state(const json& obj, std::string_view key) {
  const json* s = jf::object(obj, key);
  if (s == nullptr) return std::nullopt;
  model::ContainerState state;
  state.state = jf::string_or_empty(*s, "state");
  state.detail_status = jf::string_or_empty(*s, "detailStatus");
  state.exit_code = jf::optional_int(*s, "exitCode");
  state.start_time = timestamp(*s, "startTime");
  state.finish_time = timestamp(*s, "finishTime");
  return state;
}

// Strings of an array field; other entries are skipped (a command is never half-known:
// any non-string entry makes the whole command unknown, i.e. empty).
std::vector<std::string> string_array(const json& obj, std::string_view key) {
  std::vector<std::string> out;
  const json* list = jf::array(obj, key);
  if (list == nullptr) return out;
  for (const auto& entry : *list) {
    if (!entry.is_string()) return {};
    out.push_back(entry.get<std::string>());
  }
  return out;
}

std::vector<model::VolumeMount> parse_volume_mounts(const json& props) {
  std::vector<model::VolumeMount> mounts;
  const json* list = jf::array(props, "volumeMounts");
  if (list == nullptr) return mounts;
  for (const auto& m : *list) {
    auto name = jf::optional_string(m, "name");
    auto path = jf::optional_string(m, "mountPath");
    if (name && path) mounts.push_back({std::move(*name), std::move(*path)});
  }
  return mounts;
}

std::vector<std::pair<std::string, std::string>> parse_env(const json& props) {
  std::vector<std::pair<std::string, std::string>> env;
  const json* list = jf::array(props, "environmentVariables");
  if (list == nullptr) return env;
  for (const auto& e : *list) {
    auto name = jf::optional_string(e, "name");
    // secureValue is never returned by ARM; only plain values say anything.
    auto value = jf::optional_string(e, "value");
    if (name && value) env.emplace_back(std::move(*name), std::move(*value));
  }
  return env;
}

std::vector<model::Volume> parse_volumes(const json& props,
                                         std::map<std::string, model::AzureFileShare>& shares) {
  std::vector<model::Volume> volumes;
  const json* list = jf::array(props, "volumes");
  if (list == nullptr) return volumes;
  for (const auto& v : *list) {
    auto name = jf::optional_string(v, "name");
    if (!name) continue;
    model::Volume volume{std::move(*name), model::VolumeKind::kOther};
    if (const json* af = jf::object(v, "azureFile"); af != nullptr) {
      volume.kind = model::VolumeKind::kAzureFile;
      if (auto share = jf::optional_string(*af, "shareName")) {
        shares[volume.name] =
            model::AzureFileShare{std::move(*share), jf::string_or_empty(*af, "storageAccountName")};
      }
    } else if (jf::member(v, "emptyDir") != nullptr) {
      volume.kind = model::VolumeKind::kEmptyDir;
    } else if (jf::member(v, "secret") != nullptr) {
      volume.kind = model::VolumeKind::kSecret;
    } else if (jf::member(v, "gitRepo") != nullptr) {
      volume.kind = model::VolumeKind::kGitRepo;
    }
    volumes.push_back(std::move(volume));
  }
  return volumes;
}

model::ContainerView parse_container(const json& c) {
  model::ContainerView view;
  view.name = jf::string_or_empty(c, "name");
  const json* props = jf::object(c, "properties");
  if (props == nullptr) return view;
  view.image = jf::string_or_empty(*props, "image");
  view.command = string_array(*props, "command");
  view.env = parse_env(*props);
  view.volume_mounts = parse_volume_mounts(*props);
  if (const json* iv = jf::object(*props, "instanceView")) {
    // Absent, null, wrong type or negative: unknown, never 0.
    view.restart_count = jf::optional_int(*iv, "restartCount");
    if (view.restart_count && *view.restart_count < 0) view.restart_count.reset();
    view.current_state = parse_state(*iv, "currentState");
    view.previous_state = parse_state(*iv, "previousState");
    view.deployed_at = earliest_event(*iv);
  }
  return view;
}

core::Result<model::ContainerGroupSummary> parse_summary(const json& group) {
  if (!group.is_object()) return malformed("a container group is not a JSON object");
  model::ContainerGroupSummary summary;
  summary.id = jf::string_or_empty(group, "id");
  summary.name = jf::string_or_empty(group, "name");
  if (summary.name.empty()) return malformed("container group without a name");
  summary.resource_group = resource_group_of_id(summary.id);
  summary.location = jf::string_or_empty(group, "location");
  const auto properties = structure(group, "properties", /*want_array=*/false);
  if (!properties.ok()) return properties.error();
  if (const json* props = *properties) {
    summary.provisioning_state = jf::string_or_empty(*props, "provisioningState");
    summary.restart_policy = jf::string_or_empty(*props, "restartPolicy");
    if (const json* ip = jf::object(*props, "ipAddress")) {
      summary.ip = jf::optional_string(*ip, "ip");
      summary.fqdn = jf::optional_string(*ip, "fqdn");
    }
  }
  return summary;
}

}  // namespace

core::Result<ContainerGroupPage> parse_container_group_list(std::string_view body) {
  std::string parse_error;
  const auto doc = jf::parse(body, parse_error);
  if (!doc) return malformed(parse_error);
  if (!doc->is_object()) return malformed("list response is not a JSON object");
  const json* value = jf::array(*doc, "value");
  if (value == nullptr) return malformed("list response has no value[] array");
  ContainerGroupPage page;
  for (const auto& entry : *value) {
    auto summary = parse_summary(entry);
    if (!summary.ok()) return summary.error();
    page.groups.push_back(std::move(summary).value());
  }
  // nextLink may be absent, null or "" on the last page.
  if (auto next = jf::optional_string(*doc, "nextLink"); next && !next->empty()) {
    page.next_link = std::move(next);
  }
  return page;
}

namespace {

core::Result<model::ContainerGroupView> parse_group(std::string_view body, bool require_name) {
  std::string parse_error;
  const auto doc = jf::parse(body, parse_error);
  if (!doc) return malformed(parse_error);
  model::ContainerGroupView view;
  if (require_name) {
    auto summary = parse_summary(*doc);
    if (!summary.ok()) return summary.error();
    view.summary = std::move(summary).value();
  } else if (!doc->is_object()) {
    return malformed("a container group is not a JSON object");
  }
  const auto properties = structure(*doc, "properties", /*want_array=*/false);
  if (!properties.ok()) return properties.error();
  const json* props = *properties;
  if (props == nullptr) return view;
  const auto instance_view = structure(*props, "instanceView", /*want_array=*/false);
  if (!instance_view.ok()) return instance_view.error();
  if (const json* iv = *instance_view) {
    view.state = jf::string_or_empty(*iv, "state");
    view.events = parse_events(*iv);
  }
  const auto containers_field = structure(*props, "containers", /*want_array=*/true);
  if (!containers_field.ok()) return containers_field.error();
  if (const json* containers = *containers_field) {
    for (const auto& c : *containers) {
      if (c.is_object()) view.containers.push_back(parse_container(c));
    }
  }
  view.volumes = parse_volumes(*props, view.azure_file_shares);
  return view;
}

}  // namespace

core::Result<model::ContainerGroupView> parse_container_group(std::string_view body) {
  return parse_group(body, /*require_name=*/true);
}

core::Result<model::ContainerGroupView> parse_container_group_spec(std::string_view body) {
  return parse_group(body, /*require_name=*/false);
}

}  // namespace frankenetes::azure
