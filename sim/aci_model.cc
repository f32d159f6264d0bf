#include "sim/aci_model.h"

#include <algorithm>
#include <cctype>
#include <sstream>

#include "core/strings.h"

namespace frankenetes::sim {

namespace {

constexpr const char* kCrashLoopDetail = "CrashLoopBackOff: Back-off restarting failed";

std::string key_of(const std::string& resource_group, const std::string& name) {
  return core::to_lower(resource_group) + "/" + core::to_lower(name);
}

std::string string_at(const nlohmann::json& j, const char* key, const std::string& fallback = {}) {
  if (j.is_object()) {
    const auto it = j.find(key);
    if (it != j.end() && it->is_string()) return it->get<std::string>();
  }
  return fallback;
}

}  // namespace

core::Duration AciSettings::scaled(core::Duration d) const {
  return core::Duration(static_cast<core::Duration::rep>(static_cast<double>(d.count()) * time_scale));
}

std::string Container::image() const { return string_at(properties, "image"); }

std::string ContainerGroup::key() const { return key_of(resource_group, name); }

std::string ContainerGroup::restart_policy() const {
  return string_at(body.value("properties", nlohmann::json::object()), "restartPolicy", "Always");
}

bool ContainerGroup::wants_public_ip() const {
  const auto& props = body.value("properties", nlohmann::json::object());
  const auto it = props.find("ipAddress");
  if (it == props.end() || !it->is_object()) return false;
  return core::to_lower(string_at(*it, "type", "Public")) == "public";
}

std::string ContainerGroup::dns_name_label() const {
  const auto& props = body.value("properties", nlohmann::json::object());
  const auto it = props.find("ipAddress");
  if (it == props.end()) return {};
  return string_at(*it, "dnsNameLabel");
}

std::string ContainerGroup::fqdn() const {
  const auto label = dns_name_label();
  if (label.empty()) return {};
  return label + "." + location + ".azurecontainer.io";
}

std::string ContainerGroup::instance_state() const {
  switch (phase) {
    case GroupPhase::kProvisioning:
    case GroupPhase::kRestarting:
      return "Pending";
    case GroupPhase::kRunning:
      return "Running";
    case GroupPhase::kStopped:
    case GroupPhase::kDeleting:
      return "Stopped";
    case GroupPhase::kSucceeded:
      return "Succeeded";
    case GroupPhase::kFailed:
      return "Failed";
  }
  return "Pending";
}

std::string normalize_location(const std::string& location) {
  std::string out;
  for (char c : location) {
    if (c != ' ') out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

void add_event(std::vector<Event>& events, const std::string& name, const std::string& type,
               const std::string& message, core::SystemTime when) {
  for (auto& e : events) {
    if (e.name == name && e.message == message) {
      ++e.count;
      e.last_timestamp = when;
      return;
    }
  }
  events.push_back(Event{name, type, message, 1, when, when});
}

std::string VirtualRuntime::logs(const ContainerGroup& group, const Container& container,
                                 std::optional<int> tail) {
  std::vector<std::string> lines;
  lines.push_back("frankenetes-sim virtual container " + group.name + "/" + container.name +
                  " (image " + container.image() + ")");
  for (int i = 0; i < container.restart_count; ++i) {
    lines.push_back("restart " + std::to_string(i + 1));
  }
  std::size_t from = 0;
  if (tail && *tail >= 0 && static_cast<std::size_t>(*tail) < lines.size()) {
    from = lines.size() - static_cast<std::size_t>(*tail);
  }
  std::string out;
  for (std::size_t i = from; i < lines.size(); ++i) out += lines[i] + "\n";
  return out;
}

AciModel::AciModel(AciSettings settings, const core::TimeSource& time, ContainerRuntime& runtime,
                   Random& random, IpPool ip_pool)
    : settings_(settings), time_(time), runtime_(runtime), random_(random),
      ip_pool_(std::move(ip_pool)) {}

AciModel::Instant AciModel::now() const { return {time_.monotonic_time(), time_.system_time()}; }

AciModel::Instant AciModel::at(core::MonotonicTime due) const {
  const auto n = now();
  const auto late = n.mono - due;
  return {due, n.sys - std::chrono::duration_cast<core::SystemTime::duration>(late)};
}

const ContainerGroup* AciModel::find(const std::string& resource_group,
                                     const std::string& name) const {
  return find_key(key_of(resource_group, name));
}

const ContainerGroup* AciModel::find_key(const std::string& key) const {
  const auto it = groups_.find(key);
  return it == groups_.end() ? nullptr : &it->second;
}

const ContainerGroup* AciModel::find_by_ip(const std::string& ip) const {
  const auto it = by_ip_.find(ip);
  return it == by_ip_.end() ? nullptr : find_key(it->second);
}

ContainerGroup* AciModel::find_mut(const std::string& resource_group, const std::string& name) {
  const auto it = groups_.find(key_of(resource_group, name));
  return it == groups_.end() ? nullptr : &it->second;
}

Container* AciModel::find_container(ContainerGroup& group, const std::string& name) {
  for (auto& c : group.containers) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

std::vector<const ContainerGroup*> AciModel::page(const std::optional<std::string>& resource_group,
                                                  std::string after_key, std::size_t limit,
                                                  std::string* next_key) const {
  std::vector<const ContainerGroup*> out;
  next_key->clear();
  const std::string prefix = resource_group ? core::to_lower(*resource_group) + "/" : std::string();
  auto it = after_key.empty() ? groups_.lower_bound(prefix) : groups_.upper_bound(after_key);
  for (; it != groups_.end(); ++it) {
    if (!prefix.empty() && it->first.compare(0, prefix.size(), prefix) != 0) break;
    if (out.size() == limit) {
      *next_key = out.back()->key();
      break;
    }
    out.push_back(&it->second);
  }
  return out;
}

std::vector<const ContainerGroup*> AciModel::all() const {
  std::vector<const ContainerGroup*> out;
  out.reserve(groups_.size());
  for (const auto& [key, g] : groups_) out.push_back(&g);
  return out;
}

const AsyncOperation* AciModel::operation(const std::string& id) const {
  const auto it = operations_.find(id);
  return it == operations_.end() ? nullptr : &it->second;
}

std::string AciModel::new_operation(const ContainerGroup& group, OperationKind kind) {
  if (operations_.size() > 20000) {
    for (auto it = operations_.begin(); it != operations_.end();) {
      it = it->second.status == "InProgress" ? std::next(it) : operations_.erase(it);
    }
  }
  AsyncOperation op;
  op.id = make_guid(random_);
  op.group_key = group.key();
  op.resource_group = group.resource_group;
  op.group_name = group.name;
  op.location = group.location;
  op.kind = kind;
  op.deployment = group.deployment;
  op.start_time = time_.system_time();
  const auto id = op.id;
  in_progress_[op.group_key].push_back(id);
  operations_.emplace(id, std::move(op));
  return id;
}

void AciModel::finish_operations(const ContainerGroup& group, const Instant& when,
                                 const std::string& status, const std::string& error_code,
                                 const std::string& error_message, bool include_delete) {
  const auto pending = in_progress_.find(group.key());
  if (pending == in_progress_.end()) return;
  auto& ids = pending->second;
  std::erase_if(ids, [&](const std::string& id) {
    const auto it = operations_.find(id);
    if (it == operations_.end() || it->second.status != "InProgress") return true;
    auto& op = it->second;
    if (op.kind == OperationKind::kDelete && !include_delete) return false;
    op.status = status;
    op.end_time = when.sys;
    op.error_code = error_code;
    op.error_message = error_message;
    return true;
  });
  if (ids.empty()) in_progress_.erase(pending);
}

void AciModel::touch(const ContainerGroup& group) { active_.insert(group.key()); }

void AciModel::build_containers(ContainerGroup& group) {
  group.containers.clear();
  const auto& props = group.body["properties"];
  const auto now_sys = time_.system_time();
  for (const auto& c : props["containers"]) {
    Container container;
    container.name = c.value("name", "");
    container.properties = c.value("properties", nlohmann::json::object());
    container.current = ContainerState{"Waiting", now_sys, std::nullopt, std::nullopt, ""};
    group.containers.push_back(std::move(container));
  }
}

void AciModel::assign_new_ip(ContainerGroup& group, const std::optional<std::string>& wanted) {
  const std::string old = group.ip;
  if (!old.empty()) by_ip_.erase(old);
  group.ip.clear();
  if (!group.wants_public_ip()) {
    if (!old.empty()) ip_pool_.release(old);
    return;
  }
  if (wanted && ip_pool_.claim(*wanted)) {
    group.ip = *wanted;
  } else if (auto ip = ip_pool_.allocate()) {
    group.ip = *ip;
  }
  if (!group.ip.empty()) by_ip_[group.ip] = group.key();
  // Release after allocating so the old address cannot come straight back.
  if (!old.empty()) ip_pool_.release(old);
}

void AciModel::release_ip(ContainerGroup& group) {
  if (!group.ip.empty()) {
    ip_pool_.release(group.ip);
    by_ip_.erase(group.ip);
  }
  group.ip.clear();
}

void AciModel::begin_deployment(ContainerGroup& group, const Instant& when, core::Duration delay,
                                bool /*pull_events*/) {
  ++group.deployment;
  group.phase = GroupPhase::kProvisioning;
  group.provisioning_state = "Pending";
  const auto scaled_delay = settings_.scaled(delay);
  group.creating_at = when.mono + scaled_delay / 2;
  group.ready_at = when.mono + scaled_delay;
  group.delete_at.reset();
  touch(group);
}

void AciModel::mark_creating(ContainerGroup& group, const Instant& when) {
  group.creating_at.reset();
  group.provisioning_state = "Creating";
  for (auto& c : group.containers) {
    add_event(c.events, "Pulling", "Normal", "pulling image \"" + c.image() + "\"", when.sys);
    add_event(c.events, "Pulled", "Normal", "Successfully pulled image \"" + c.image() + "\"",
              when.sys);
  }
}

void AciModel::mark_ready(ContainerGroup& group, const Instant& when) {
  group.creating_at.reset();
  group.ready_at.reset();
  group.provisioning_state = "Succeeded";
  group.phase = GroupPhase::kRunning;
  for (auto& c : group.containers) start_container(group, c, when);
  finish_operations(group, when, "Succeeded");
}

void AciModel::start_container(ContainerGroup& group, Container& c, const Instant& when) {
  ++c.instance;
  c.phase = ContainerPhase::kRunning;
  c.running_since = when.mono;
  c.current = ContainerState{"Running", when.sys, std::nullopt, std::nullopt, ""};
  c.hung = false;
  add_event(c.events, "Created", "Normal", "Created container", when.sys);
  add_event(c.events, "Started", "Normal", "Started container", when.sys);
  if (c.crash.always || c.crash.remaining > 0) {
    c.crash_at = when.mono + settings_.scaled(settings_.crash_run_time);
  } else {
    c.crash_at.reset();
  }
  runtime_.launch(group, c);
  touch(group);
}

void AciModel::kill_all(ContainerGroup& group, const Instant& when, const std::string& detail) {
  for (auto& c : group.containers) {
    if (c.phase == ContainerPhase::kRunning) {
      runtime_.kill(group, c);
      add_event(c.events, "Killing", "Normal", "Killing container with id " + c.name + ".",
                when.sys);
    }
    if (c.phase == ContainerPhase::kRunning || c.phase == ContainerPhase::kBackOff) {
      const auto start = c.current ? c.current->start_time : when.sys;
      c.current = ContainerState{"Terminated", start, 0, when.sys, detail};
    }
    c.phase = ContainerPhase::kTerminated;
    c.crash_at.reset();
  }
}

void AciModel::on_exit(ContainerGroup& group, Container& c, int exit_code, const Instant& when) {
  c.crash_at.reset();
  const auto start = c.current ? c.current->start_time : when.sys;
  ContainerState terminated{"Terminated", start, exit_code, when.sys,
                            exit_code == 0 ? "Completed" : "Error"};
  const auto policy = group.restart_policy();
  const bool restart = policy == "Always" || (policy == "OnFailure" && exit_code != 0);
  if (restart && group.phase == GroupPhase::kRunning) {
    // kubelet semantics: the back-off resets once a container ran long enough.
    if (when.mono - c.running_since >= settings_.scaled(settings_.backoff_reset_after)) {
      c.backoff_attempt = 0;
    }
    const auto delay = settings_.scaled(core::backoff_delay(settings_.backoff, c.backoff_attempt));
    c.backoff_attempt = std::min<std::uint32_t>(c.backoff_attempt + 1, 30);
    c.previous = terminated;
    c.current = ContainerState{"Waiting", when.sys, std::nullopt, std::nullopt, kCrashLoopDetail};
    c.phase = ContainerPhase::kBackOff;
    c.next_start = when.mono + delay;
    add_event(c.events, "BackOff", "Warning", "Back-off restarting failed container", when.sys);
    touch(group);
    return;
  }
  c.current = terminated;
  c.phase = ContainerPhase::kTerminated;
  update_terminal_phase(group);
}

void AciModel::update_terminal_phase(ContainerGroup& group) {
  if (group.phase != GroupPhase::kRunning) return;
  bool all_done = true;
  bool all_ok = true;
  for (const auto& c : group.containers) {
    if (c.phase != ContainerPhase::kTerminated) all_done = false;
    if (c.current && c.current->exit_code.value_or(0) != 0) all_ok = false;
  }
  if (all_done) group.phase = all_ok ? GroupPhase::kSucceeded : GroupPhase::kFailed;
}

AciModel::PutOutcome AciModel::create_or_update(const std::string& resource_group,
                                                const std::string& name, nlohmann::json body,
                                                bool already_deployed) {
  const auto when = now();
  const auto key = key_of(resource_group, name);
  auto it = groups_.find(key);
  if (it != groups_.end()) {
    auto& g = it->second;
    const bool changed = g.body["properties"] != body["properties"];
    g.body = std::move(body);
    if (!changed && g.phase != GroupPhase::kStopped) {
      auto id = new_operation(g, OperationKind::kUpdate);
      auto& op = operations_[id];
      if (g.phase == GroupPhase::kRunning || g.phase == GroupPhase::kSucceeded ||
          g.phase == GroupPhase::kFailed) {
        op.status = "Succeeded";
        op.end_time = when.sys;
        auto& pending = in_progress_[g.key()];  // new_operation() put it last
        pending.pop_back();
        if (pending.empty()) in_progress_.erase(g.key());
      }
      return {false, &g, id};
    }
    kill_all(g, when, "Completed");
    finish_operations(g, when, "Canceled", "OperationCanceled",
                      "The operation was canceled by a newer update of the container group.");
    runtime_.reset_filesystem(g);
    build_containers(g);
    const bool move = g.ip.empty() ||
                      std::uniform_real_distribution<double>(0, 1)(random_) <
                          settings_.restart_new_ip_probability;
    if (move || !g.wants_public_ip()) assign_new_ip(g);
    begin_deployment(g, when, settings_.provisioning_delay, true);
    return {false, &g, new_operation(g, OperationKind::kUpdate)};
  }

  ContainerGroup g;
  g.resource_group = resource_group;
  g.name = name;
  g.location = normalize_location(string_at(body, "location"));
  g.body = std::move(body);
  if (g.body.contains("identity") && g.body["identity"].is_object() &&
      core::to_lower(string_at(g.body["identity"], "type")).find("systemassigned") !=
          std::string::npos) {
    g.principal_id = make_guid(random_);
  }
  build_containers(g);
  assign_new_ip(g);
  auto [pos, inserted] = groups_.emplace(key, std::move(g));
  auto& group = pos->second;
  runtime_.reset_filesystem(group);
  if (already_deployed) {
    ++group.deployment;
    auto id = new_operation(group, OperationKind::kCreate);
    mark_creating(group, when);
    mark_ready(group, when);
    return {true, &group, id};
  }
  begin_deployment(group, when, settings_.provisioning_delay, true);
  return {true, &group, new_operation(group, OperationKind::kCreate)};
}

ActionOutcome AciModel::remove(const std::string& resource_group, const std::string& name,
                               std::optional<core::Duration> duration) {
  auto* g = find_mut(resource_group, name);
  if (!g) return {ActionResult::kNotFound, {}};
  const auto when = now();
  if (g->phase != GroupPhase::kDeleting) {
    kill_all(*g, when, "Completed");
    finish_operations(*g, when, "Canceled", "OperationCanceled",
                      "The container group is being deleted.");
    g->phase = GroupPhase::kDeleting;
    g->provisioning_state = "Deleting";
    g->creating_at.reset();
    g->ready_at.reset();
    g->delete_at = when.mono + duration.value_or(settings_.scaled(settings_.delete_delay));
    touch(*g);
  }
  return {ActionResult::kDone, new_operation(*g, OperationKind::kDelete)};
}

void AciModel::erase_group(const std::string& key, const Instant& when) {
  auto it = groups_.find(key);
  if (it == groups_.end()) return;
  auto& g = it->second;
  release_ip(g);
  finish_operations(g, when, "Succeeded", {}, {}, true);
  runtime_.group_removed(key);
  groups_.erase(it);
  active_.erase(key);
}

ActionOutcome AciModel::restart(const std::string& resource_group, const std::string& name) {
  auto* g = find_mut(resource_group, name);
  if (!g) return {ActionResult::kNotFound, {}};
  if (g->phase == GroupPhase::kDeleting) return {ActionResult::kConflict, {}};
  if (g->phase == GroupPhase::kStopped) return {ActionResult::kStopped, {}};
  const bool new_ip = std::uniform_real_distribution<double>(0, 1)(random_) <
                      settings_.restart_new_ip_probability;
  return move_or_restart(*g, new_ip, std::nullopt);
}

ActionOutcome AciModel::move_ip(const std::string& resource_group, const std::string& name,
                                const std::optional<std::string>& ip) {
  auto* g = find_mut(resource_group, name);
  if (!g) return {ActionResult::kNotFound, {}};
  if (g->phase == GroupPhase::kDeleting) return {ActionResult::kConflict, {}};
  if (g->phase == GroupPhase::kStopped) return {ActionResult::kStopped, {}};
  return move_or_restart(*g, true, ip);
}

ActionOutcome AciModel::move_or_restart(ContainerGroup& g, bool new_ip,
                                        const std::optional<std::string>& ip) {
  const auto when = now();
  kill_all(g, when, "Completed");
  finish_operations(g, when, "Canceled", "OperationCanceled",
                    "The operation was canceled by a restart of the container group.");
  for (auto& c : g.containers) {
    c.phase = ContainerPhase::kWaiting;
    c.backoff_attempt = 0;
    add_event(c.events, "Pulling", "Normal", "pulling image \"" + c.image() + "\"", when.sys);
    add_event(c.events, "Pulled", "Normal", "Successfully pulled image \"" + c.image() + "\"",
              when.sys);
  }
  if (new_ip) assign_new_ip(g, ip);
  ++g.deployment;
  g.phase = GroupPhase::kRestarting;
  g.creating_at.reset();
  g.ready_at = when.mono + settings_.scaled(settings_.restart_delay);
  touch(g);
  return {ActionResult::kDone, new_operation(g, OperationKind::kRestart)};
}

ActionOutcome AciModel::stop(const std::string& resource_group, const std::string& name) {
  auto* g = find_mut(resource_group, name);
  if (!g) return {ActionResult::kNotFound, {}};
  if (g->phase == GroupPhase::kDeleting) return {ActionResult::kConflict, {}};
  if (g->phase == GroupPhase::kStopped) return {ActionResult::kNoOp, {}};
  const auto when = now();
  kill_all(*g, when, "Completed");
  finish_operations(*g, when, "Canceled", "OperationCanceled", "The container group was stopped.");
  g->phase = GroupPhase::kStopped;
  // A stopped group's compute is deallocated: it keeps provisioningState Succeeded (as LIST
  // shows on Azure) but loses its IP.
  if (g->provisioning_state != "Failed") g->provisioning_state = "Succeeded";
  g->creating_at.reset();
  g->ready_at.reset();
  release_ip(*g);
  return {ActionResult::kDone, {}};
}

ActionOutcome AciModel::start(const std::string& resource_group, const std::string& name) {
  auto* g = find_mut(resource_group, name);
  if (!g) return {ActionResult::kNotFound, {}};
  if (g->phase == GroupPhase::kDeleting) return {ActionResult::kConflict, {}};
  if (g->phase != GroupPhase::kStopped && g->phase != GroupPhase::kSucceeded &&
      g->phase != GroupPhase::kFailed) {
    return {ActionResult::kNoOp, {}};
  }
  const auto when = now();
  // Start is a new deployment: new host, new IP, new container filesystems, fresh counters.
  runtime_.reset_filesystem(*g);
  build_containers(*g);
  assign_new_ip(*g);
  begin_deployment(*g, when, settings_.provisioning_delay, true);
  return {ActionResult::kDone, new_operation(*g, OperationKind::kStart)};
}

bool AciModel::update_tags(const std::string& resource_group, const std::string& name,
                           nlohmann::json tags) {
  auto* g = find_mut(resource_group, name);
  if (!g) return false;
  g->body["tags"] = std::move(tags);
  return true;
}

std::string AciModel::logs(const ContainerGroup& group, const Container& container,
                           std::optional<int> tail) {
  return runtime_.logs(group, container, tail);
}

void AciModel::container_exited(const std::string& group_key, const std::string& container,
                                std::uint64_t instance, int exit_code) {
  auto it = groups_.find(group_key);
  if (it == groups_.end()) return;
  auto* c = find_container(it->second, container);
  if (!c || c->instance != instance || c->phase != ContainerPhase::kRunning) return;
  on_exit(it->second, *c, exit_code, now());
}

ActionResult AciModel::crash(const std::string& resource_group, const std::string& name,
                             const std::string& container, int exit_code, int times, bool always) {
  auto* g = find_mut(resource_group, name);
  if (!g) return ActionResult::kNotFound;
  auto* c = find_container(*g, container);
  if (!c) return ActionResult::kUnknownContainer;
  c->crash.exit_code = exit_code;
  c->crash.always = always;
  c->crash.remaining = always ? 0 : std::max(times, 1);
  if (c->phase == ContainerPhase::kRunning) {
    if (!always) --c->crash.remaining;
    runtime_.kill(*g, *c);
    on_exit(*g, *c, exit_code, now());
  }
  return ActionResult::kDone;
}

ActionResult AciModel::clear_crash(const std::string& resource_group, const std::string& name,
                                   const std::string& container) {
  auto* g = find_mut(resource_group, name);
  if (!g) return ActionResult::kNotFound;
  auto* c = find_container(*g, container);
  if (!c) return ActionResult::kUnknownContainer;
  c->crash = CrashPlan{};
  c->crash_at.reset();
  return ActionResult::kDone;
}

ActionResult AciModel::hang(const std::string& resource_group, const std::string& name,
                            const std::string& container, bool hung) {
  auto* g = find_mut(resource_group, name);
  if (!g) return ActionResult::kNotFound;
  auto* c = find_container(*g, container);
  if (!c) return ActionResult::kUnknownContainer;
  c->hung = hung;
  if (c->phase == ContainerPhase::kRunning) runtime_.set_hung(*g, *c, hung);
  return ActionResult::kDone;
}

std::optional<std::string> AciModel::resolve_fqdn(const std::string& fqdn) const {
  std::string wanted = core::to_lower(fqdn);
  if (!wanted.empty() && wanted.back() == '.') wanted.pop_back();
  for (const auto& [key, g] : groups_) {
    if (!g.ip.empty() && core::to_lower(g.fqdn()) == wanted) return g.ip;
  }
  return std::nullopt;
}

std::optional<core::MonotonicTime> AciModel::next_due(const ContainerGroup& g) const {
  std::optional<core::MonotonicTime> best;
  const auto consider = [&](const std::optional<core::MonotonicTime>& t) {
    if (t && (!best || *t < *best)) best = t;
  };
  consider(g.creating_at);
  consider(g.ready_at);
  consider(g.delete_at);
  for (const auto& c : g.containers) {
    if (c.phase == ContainerPhase::kBackOff) consider(c.next_start);
    if (c.phase == ContainerPhase::kRunning) consider(c.crash_at);
  }
  return best;
}

bool AciModel::process_one(ContainerGroup& g, core::MonotonicTime limit) {
  const auto due = next_due(g);
  if (!due || *due > limit) return false;
  const auto when = at(*due);
  if (g.delete_at && *g.delete_at == *due) {
    erase_group(g.key(), when);
    return false;  // g is gone
  }
  if (g.creating_at && *g.creating_at == *due) {
    mark_creating(g, when);
    return true;
  }
  if (g.ready_at && *g.ready_at == *due) {
    mark_ready(g, when);
    return true;
  }
  for (auto& c : g.containers) {
    if (c.phase == ContainerPhase::kBackOff && c.next_start == *due) {
      ++c.restart_count;
      add_event(c.events, "Pulled", "Normal",
                "Container image \"" + c.image() + "\" already present on machine", when.sys);
      start_container(g, c, when);
      return true;
    }
    if (c.phase == ContainerPhase::kRunning && c.crash_at && *c.crash_at == *due) {
      if (!c.crash.always && c.crash.remaining > 0) --c.crash.remaining;
      runtime_.kill(g, c);
      on_exit(g, c, c.crash.exit_code, when);
      return true;
    }
  }
  return false;
}

void AciModel::advance() {
  const auto limit = time_.monotonic_time();
  const std::vector<std::string> keys(active_.begin(), active_.end());
  for (const auto& key : keys) {
    for (;;) {
      auto it = groups_.find(key);
      if (it == groups_.end()) {
        active_.erase(key);
        break;
      }
      if (!next_due(it->second)) {
        active_.erase(key);
        break;
      }
      if (!process_one(it->second, limit)) break;
    }
  }
}

}  // namespace frankenetes::sim
