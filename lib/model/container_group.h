#pragma once
// What the daemon knows about an ACI container group, as value types. Filled by the azure
// codecs from ARM JSON (LIST gives ContainerGroupSummary, GET gives ContainerGroupView),
// consumed by the pure planner. Pure: no JSON, no I/O. Strings that Azure leaves open
// (instanceView.state, currentState.state) stay strings: unknown values must survive and be
// treated as "not healthy, keep polling" (ACI's state vocabularies grow without notice).

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/time_source.h"

namespace frankenetes::model {

// One entry of a group's instanceView.events[] (ACI aggregates repeats in `count`).
struct Event {
  std::string name;     // Pulling, Pulled, Created, Started, Killing, BackOff, FailedMount, …
  std::string type;     // Normal | Warning
  std::string message;
  int count = 1;
  std::optional<core::SystemTime> first_timestamp;
  std::optional<core::SystemTime> last_timestamp;

  bool operator==(const Event&) const = default;
};

// currentState / previousState of a container.
struct ContainerState {
  std::string state;          // Running | Terminated | Waiting | other strings ACI invents
  std::string detail_status;  // "", Completed, Error, "CrashLoopBackOff: Back-off restarting failed"
  std::optional<int> exit_code;             // Terminated only
  std::optional<core::SystemTime> start_time;
  std::optional<core::SystemTime> finish_time;  // Terminated only

  bool operator==(const ContainerState&) const = default;
};

// volumeMounts[] of a container: where a group volume appears in its filesystem.
struct VolumeMount {
  std::string name;
  std::string mount_path;

  bool operator==(const VolumeMount&) const = default;
};

// volumes[] of a group. Only azureFile survives a stop/start or a recreate of the group
// (ACI volume docs): emptyDir, secret and gitRepo live and die with the deployment.
enum class VolumeKind { kAzureFile, kEmptyDir, kSecret, kGitRepo, kOther };

struct Volume {
  std::string name;
  VolumeKind kind = VolumeKind::kOther;

  bool operator==(const Volume&) const = default;
};

struct ContainerView {
  std::string name;
  std::string image;
  // instanceView.restartCount: nullopt when absent, null, not an integer or negative. Unknown
  // is never 0: a missing count must not look like a reset (or a crash loop).
  std::optional<int> restart_count;
  std::vector<std::string> command;                     // properties.command
  std::vector<std::pair<std::string, std::string>> env;  // environmentVariables name -> value
  std::vector<VolumeMount> volume_mounts;
  std::optional<ContainerState> current_state;
  std::optional<ContainerState> previous_state;
  // The earliest firstTimestamp among the container's instanceView.events: when this
  // deployment of it began (ACI starts the list anew with each deployment, which is how
  // plan/history.cc tells a new container from a count that went down). nullopt: no event
  // with a timestamp. Only this of the events is kept: at 4000 groups the events themselves
  // were 3.5 MB of the daemon's heap, for one timestamp each.
  std::optional<core::SystemTime> deployed_at;

  bool operator==(const ContainerView&) const = default;
};

// A group as LIST returns it: identity, provisioning and network, never runtime health.
// provisioning_state stays "Succeeded" for a stopped group (azure-sdk-for-js #14176).
struct ContainerGroupSummary {
  std::string id;               // full ARM resource id
  std::string name;
  std::string resource_group;   // parsed from id
  std::string location;
  std::string provisioning_state;
  std::string restart_policy;   // Always | OnFailure | Never
  std::optional<std::string> ip;    // properties.ipAddress.ip
  std::optional<std::string> fqdn;  // properties.ipAddress.fqdn

  bool operator==(const ContainerGroupSummary&) const = default;
};

// A group as GET returns it: the summary plus instanceView.
// volumes[].azureFile of a group: which Azure Files share a volume is (the key is never read).
struct AzureFileShare {
  std::string share_name;
  std::string storage_account;  // "" when the payload did not say

  bool operator==(const AzureFileShare&) const = default;
};

struct ContainerGroupView {
  ContainerGroupSummary summary;
  std::string state;  // instanceView.state: Pending | Running | Stopped | Failed | Succeeded | …; "" if absent
  std::vector<Event> events;
  std::vector<ContainerView> containers;
  std::vector<Volume> volumes;
  // The azureFile volumes' shares, by volume name (a restore writes etcd's data into them).
  std::map<std::string, AzureFileShare> azure_file_shares;

  bool operator==(const ContainerGroupView&) const = default;
};

}  // namespace frankenetes::model
