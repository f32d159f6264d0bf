#pragma once
// AciModel: the container-group store and the behaviour of Azure Container Instances that
// frankenetes-sim reproduces: provisioning Pending → Creating → Succeeded, group and container
// instance views, restart policies with kubelet-like crash-loop back-off, events with counts,
// public IPs that survive a restart but not a stop/start or a recreate, async operations.
//
// Pure and single-threaded: time comes from a TimeSource, processes from a ContainerRuntime
// (process mode forks real programs, virtual mode keeps state only). Timers are processed by
// advance(), which applies every due transition at the instant it was due, so a test can
// advance a fake clock by an hour and see the whole crash loop. It knows nothing about HTTP
// or ARM JSON (aci_codec renders groups, arm_api routes requests).

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/backoff.h"
#include "core/time_source.h"
#include "sim/ids.h"
#include "sim/ip_pool.h"

namespace frankenetes::sim {

struct AciSettings {
  // Every platform delay and back-off below is multiplied by time_scale (0.01 = 100× faster).
  double time_scale = 1.0;
  core::Duration provisioning_delay{std::chrono::seconds(4)};  // PUT/start → Succeeded
  core::Duration restart_delay{std::chrono::seconds(2)};       // restart → containers running
  core::Duration delete_delay{std::chrono::seconds(1)};        // DELETE → gone
  core::BackoffPolicy backoff{std::chrono::seconds(10), std::chrono::minutes(5), 2.0};
  core::Duration backoff_reset_after{std::chrono::minutes(10)};
  // How long a container with an injected crash runs before it dies again.
  core::Duration crash_run_time{std::chrono::seconds(1)};
  // Probability that a restart (POST restart) also moves the group to a new IP.
  double restart_new_ip_probability = 0.0;

  core::Duration scaled(core::Duration d) const;
};

struct Event {
  std::string name;
  std::string type;  // "Normal" | "Warning"
  std::string message;
  int count = 1;
  core::SystemTime first_timestamp;
  core::SystemTime last_timestamp;
};

struct ContainerState {
  std::string state;  // Running | Terminated | Waiting
  core::SystemTime start_time;
  std::optional<int> exit_code;
  std::optional<core::SystemTime> finish_time;
  std::string detail_status;
};

enum class ContainerPhase { kWaiting, kRunning, kBackOff, kTerminated };

struct CrashPlan {
  int remaining = 0;    // crashes still to inject on the next starts
  bool always = false;  // crash on every start until cleared
  int exit_code = 1;
};

struct Container {
  std::string name;
  nlohmann::json properties;  // as PUT, secrets included (the codec strips them)
  ContainerPhase phase = ContainerPhase::kWaiting;
  int restart_count = 0;
  std::optional<ContainerState> current;
  std::optional<ContainerState> previous;
  std::vector<Event> events;
  std::uint64_t instance = 0;  // bumps on every start; the runtime reports exits against it
  core::MonotonicTime running_since{};
  core::MonotonicTime next_start{};  // while in back-off
  std::uint32_t backoff_attempt = 0;
  std::optional<core::MonotonicTime> crash_at;
  CrashPlan crash;
  bool hung = false;

  std::string image() const;
};

enum class GroupPhase { kProvisioning, kRestarting, kRunning, kStopped, kSucceeded, kFailed, kDeleting };

struct ContainerGroup {
  std::string resource_group;  // as first written
  std::string name;
  std::string location;  // normalised: "westeurope"
  nlohmann::json body;   // the PUT body (location, tags, zones, identity, properties incl. secrets)
  std::vector<Container> containers;
  std::string provisioning_state = "Pending";
  GroupPhase phase = GroupPhase::kProvisioning;
  std::string ip;  // "" while it has none (stopped, private, deleting)
  std::vector<Event> events;
  std::uint64_t deployment = 0;  // bumps on create, update, restart, start
  std::string principal_id;      // for SystemAssigned identities
  std::optional<core::MonotonicTime> creating_at;  // Pending → Creating
  std::optional<core::MonotonicTime> ready_at;     // → Succeeded, containers start
  std::optional<core::MonotonicTime> delete_at;

  std::string key() const;  // "rg/name", lower case
  std::string restart_policy() const;
  bool wants_public_ip() const;
  std::string dns_name_label() const;
  std::string fqdn() const;  // "" without a label
  std::string instance_state() const;  // group instanceView.state
};

enum class OperationKind { kCreate, kUpdate, kRestart, kStart, kDelete };

struct AsyncOperation {
  std::string id;
  std::string group_key;
  std::string resource_group;
  std::string group_name;
  std::string location;
  OperationKind kind = OperationKind::kCreate;
  std::uint64_t deployment = 0;
  core::SystemTime start_time;
  std::optional<core::SystemTime> end_time;
  std::string status = "InProgress";  // InProgress | Succeeded | Failed | Canceled
  std::string error_code;
  std::string error_message;
};

// What runs containers. The model calls it synchronously; the runtime reports exits back
// through AciModel::container_exited().
class ContainerRuntime {
 public:
  virtual ~ContainerRuntime() = default;
  virtual void launch(const ContainerGroup& group, const Container& container) = 0;
  // Stop the container's current instance (the model has already recorded the outcome).
  virtual void kill(const ContainerGroup& group, const Container& container) = 0;
  virtual void set_hung(const ContainerGroup& group, const Container& container, bool hung) = 0;
  // The group gets new containers (recreate, stop/start, update): container-local files go.
  virtual void reset_filesystem(const ContainerGroup& group) = 0;
  virtual void group_removed(const std::string& group_key) = 0;
  // Container output; `tail` limits to the last N lines.
  virtual std::string logs(const ContainerGroup& group, const Container& container,
                           std::optional<int> tail) = 0;
};

// Virtual mode: no processes; containers run until the model (or a fault) says otherwise.
class VirtualRuntime final : public ContainerRuntime {
 public:
  void launch(const ContainerGroup&, const Container&) override {}
  void kill(const ContainerGroup&, const Container&) override {}
  void set_hung(const ContainerGroup&, const Container&, bool) override {}
  void reset_filesystem(const ContainerGroup&) override {}
  void group_removed(const std::string&) override {}
  std::string logs(const ContainerGroup& group, const Container& container,
                   std::optional<int> tail) override;
};

enum class ActionResult {
  kDone,            // accepted; an operation id may be attached
  kNoOp,            // nothing to do (start on a running group → 204)
  kNotFound,
  kStopped,         // restart on a stopped group
  kConflict,        // group is being deleted
  kUnknownContainer,
};

struct ActionOutcome {
  ActionResult result = ActionResult::kDone;
  std::string operation_id;  // empty when there is no async operation
};

class AciModel {
 public:
  AciModel(AciSettings settings, const core::TimeSource& time, ContainerRuntime& runtime,
           Random& random, IpPool ip_pool);

  const AciSettings& settings() const { return settings_; }
  void set_restart_new_ip_probability(double p) { settings_.restart_new_ip_probability = p; }

  // Applies every transition that is due. Call before reading state.
  void advance();

  const ContainerGroup* find(const std::string& resource_group, const std::string& name) const;
  const ContainerGroup* find_key(const std::string& key) const;
  // The group that holds public IP `ip` now; null when none does (stopped, moved, deleted).
  const ContainerGroup* find_by_ip(const std::string& ip) const;
  std::size_t size() const { return groups_.size(); }

  // One page of groups in key order, starting after `after_key` (exclusive; "" = from the
  // start), optionally limited to one resource group. `next_key` is set when more remain.
  std::vector<const ContainerGroup*> page(const std::optional<std::string>& resource_group,
                                          std::string after_key, std::size_t limit,
                                          std::string* next_key) const;
  std::vector<const ContainerGroup*> all() const;

  struct PutOutcome {
    bool created = false;
    const ContainerGroup* group = nullptr;
    std::string operation_id;
  };
  // `body` must have passed validate_container_group(). `already_deployed` makes the group
  // Succeeded/Running at once (scenario groups that exist when the sim starts).
  PutOutcome create_or_update(const std::string& resource_group, const std::string& name,
                              nlohmann::json body, bool already_deployed = false);
  // `duration` replaces the (scaled) delete delay for this deletion: a slow-delete fault.
  // A deletion already under way keeps its end time.
  ActionOutcome remove(const std::string& resource_group, const std::string& name,
                       std::optional<core::Duration> duration = std::nullopt);
  ActionOutcome restart(const std::string& resource_group, const std::string& name);
  ActionOutcome stop(const std::string& resource_group, const std::string& name);
  ActionOutcome start(const std::string& resource_group, const std::string& name);

  const AsyncOperation* operation(const std::string& id) const;
  // PATCH: tags only, no redeployment. False when absent.
  bool update_tags(const std::string& resource_group, const std::string& name, nlohmann::json tags);
  std::string logs(const ContainerGroup& group, const Container& container, std::optional<int> tail);

  // Runtime callback: the process of `instance` ended.
  void container_exited(const std::string& group_key, const std::string& container,
                        std::uint64_t instance, int exit_code);

  // Faults (control API).
  ActionResult crash(const std::string& resource_group, const std::string& name,
                     const std::string& container, int exit_code, int times, bool always);
  ActionResult clear_crash(const std::string& resource_group, const std::string& name,
                           const std::string& container);
  ActionResult hang(const std::string& resource_group, const std::string& name,
                    const std::string& container, bool hung);
  // Platform maintenance: the group restarts in place on a new IP (`ip` if given and free).
  ActionOutcome move_ip(const std::string& resource_group, const std::string& name,
                        const std::optional<std::string>& ip);

  // Current IP for an ACI FQDN (<label>.<region>.azurecontainer.io), if any group has it.
  std::optional<std::string> resolve_fqdn(const std::string& fqdn) const;

 private:
  struct Instant {
    core::MonotonicTime mono;
    core::SystemTime sys;
  };
  Instant now() const;
  Instant at(core::MonotonicTime due) const;

  ContainerGroup* find_mut(const std::string& resource_group, const std::string& name);
  Container* find_container(ContainerGroup& group, const std::string& name);
  std::string new_operation(const ContainerGroup& group, OperationKind kind);
  void finish_operations(const ContainerGroup& group, const Instant& when, const std::string& status,
                         const std::string& error_code = {}, const std::string& error_message = {},
                         bool include_delete = false);
  void build_containers(ContainerGroup& group);
  void begin_deployment(ContainerGroup& group, const Instant& when, core::Duration delay,
                        bool pull_events);
  void mark_creating(ContainerGroup& group, const Instant& when);
  void mark_ready(ContainerGroup& group, const Instant& when);
  void start_container(ContainerGroup& group, Container& c, const Instant& when);
  void kill_all(ContainerGroup& group, const Instant& when, const std::string& detail);
  void on_exit(ContainerGroup& group, Container& c, int exit_code, const Instant& when);
  void update_terminal_phase(ContainerGroup& group);
  void assign_new_ip(ContainerGroup& group, const std::optional<std::string>& wanted = {});
  void release_ip(ContainerGroup& group);
  void erase_group(const std::string& key, const Instant& when);
  ActionOutcome move_or_restart(ContainerGroup& group, bool new_ip,
                                const std::optional<std::string>& ip);
  std::optional<core::MonotonicTime> next_due(const ContainerGroup& group) const;
  bool process_one(ContainerGroup& group, core::MonotonicTime limit);
  void touch(const ContainerGroup& group);

  AciSettings settings_;
  const core::TimeSource& time_;
  ContainerRuntime& runtime_;
  Random& random_;
  IpPool ip_pool_;
  std::map<std::string, ContainerGroup> groups_;  // by key()
  std::set<std::string> active_;                   // keys with pending timers
  std::unordered_map<std::string, std::string> by_ip_;  // group IP → key
  std::map<std::string, AsyncOperation> operations_;
  // Group key → ids of its operations that may still be InProgress (finish_operations() is
  // called on every deployment step, so it must not scan every operation of every group).
  std::unordered_map<std::string, std::vector<std::string>> in_progress_;
};

void add_event(std::vector<Event>& events, const std::string& name, const std::string& type,
               const std::string& message, core::SystemTime when);

// "West Europe" → "westeurope"
std::string normalize_location(const std::string& location);

}  // namespace frankenetes::sim
