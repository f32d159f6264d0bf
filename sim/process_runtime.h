#pragma once
// ProcessRuntime: process mode's ContainerRuntime. Each container instance is a child
// process (real etcd, or the member stub) in its own process group, with PR_SET_PDEATHSIG so
// nothing outlives the sim. Container output goes to a log file (ARM's container logs read it).
// Files live under the state directory:
//   shares/<storageAccount>/<share>/         azureFile volumes (persist across recreation)
//   groups/<rg>/<name>/rootfs/<container>/   the container's own filesystem
//   groups/<rg>/<name>/volumes/<volume>/     emptyDir and other volumes
//   groups/<rg>/<name>/logs/<container>.log  output of the current instance (.previous.log)
// The model decides; this class only starts, signals and reaps processes. reap() must be
// called periodically (the sim's tick): it reports exits to the model.

#include <map>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

#include "sim/aci_model.h"
#include "sim/container_command.h"

namespace frankenetes::sim {

struct ProcessRuntimeOptions {
  std::string state_dir;
  std::string self_exe;
  std::string control_url;
  std::string etcd_binary = "/usr/bin/etcd";
};

// In a child between fork and exec: closes every descriptor above stderr (close_range, or
// /proc/self/fd when it is unavailable or `allow_close_range` is false, as tests force).
void close_descriptors_above_stderr(bool allow_close_range = true);

class ProcessRuntime final : public ContainerRuntime {
 public:
  explicit ProcessRuntime(ProcessRuntimeOptions options);
  ~ProcessRuntime() override;

  void set_control_url(std::string url) { options_.control_url = std::move(url); }

  void launch(const ContainerGroup& group, const Container& container) override;
  void kill(const ContainerGroup& group, const Container& container) override;
  void set_hung(const ContainerGroup& group, const Container& container, bool hung) override;
  void reset_filesystem(const ContainerGroup& group) override;
  void group_removed(const std::string& group_key) override;
  std::string logs(const ContainerGroup& group, const Container& container, std::optional<int> tail) override;

  // Reaps exited children and reports them to `model`; starts launches that waited for an
  // old instance to die.
  void reap(AciModel& model);
  // SIGTERM to every process group, SIGKILL after `grace`, reap all.
  void shutdown(std::chrono::milliseconds grace);
  std::size_t running() const { return processes_.size(); }
  std::optional<pid_t> pid_of(const std::string& group_key, const std::string& container) const;

 private:
  struct Process {
    pid_t pid = 0;
    std::string group_key;
    std::string container;
    std::uint64_t instance = 0;
    bool killed = false;
  };
  struct Pending {
    LaunchPlan plan;
    std::string log_file;
    std::string group_key;
    std::string container;
    std::uint64_t instance = 0;
  };
  std::string group_dir(const std::string& group_key) const;
  void spawn(const Pending& p);
  Process* find(const std::string& group_key, const std::string& container);

  ProcessRuntimeOptions options_;
  std::map<pid_t, Process> processes_;
  std::vector<Pending> pending_;
};

}  // namespace frankenetes::sim
