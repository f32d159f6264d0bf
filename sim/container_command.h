#pragma once
// How process mode runs an ACI container on this machine. Pure: from the image, the
// container's command and the group's IP and volumes to a LaunchPlan (argv, env, cwd,
// directories to create).
//
// - etcd images (quay.io/coreos/etcd, registry.k8s.io/etcd, k8s.gcr.io/etcd,
//   gcr.io/etcd-development/etcd) run the real etcd binary with the group's command line:
//   listen/advertise/peer URLs are rebound to the group's IP (0.0.0.0 and localhost are not
//   unique on one host), FQDNs in advertise URLs are kept, paths are mapped through the
//   volume mounts (azureFile shares persist per share; everything else lives in the
//   container's own filesystem, wiped when the group is recreated or started anew).
// - Kubernetes images (hyperkube, kube-apiserver, kube-controller-manager, kube-scheduler)
//   run `frankenetes-sim member-stub` on the ports the command implies, with the dependency
//   URLs (--etcd-servers, --master) it must check for health.
// - Any other image runs the stub on the container's declared ports.

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace frankenetes::sim {

enum class MemberRole { kEtcd, kApiserver, kControllerManager, kScheduler, kGeneric };
const char* to_string(MemberRole role);

// Container path → host path, through volume mounts (longest mount path wins), else under
// the container's root directory.
struct PathMapper {
  std::string rootfs;
  std::vector<std::pair<std::string, std::string>> mounts;  // mountPath → host dir
  std::string map(const std::string& container_path) const;
};

struct LaunchPlan {
  MemberRole role = MemberRole::kGeneric;
  std::vector<std::string> argv;
  std::vector<std::string> env;  // "NAME=value"
  std::string cwd;
  std::vector<std::string> directories;  // to create before exec
};

struct LaunchContext {
  std::string image;
  std::vector<std::string> command;  // the container's command (may be empty)
  nlohmann::json container_properties;
  std::string ip;
  std::string name;  // "rg/group/container", for the stub's logs
  PathMapper paths;
  std::string etcd_binary = "/usr/bin/etcd";
  std::string self_exe;      // frankenetes-sim, for member-stub
  std::string control_url;   // the sim's control API, for name resolution
};

MemberRole classify(const std::string& image, const std::vector<std::string>& command);
LaunchPlan plan_launch(const LaunchContext& context);

// One "--flag[=value]" argument as Go's flag package reads it.
struct Flag {
  std::string name;  // without dashes
  std::string value;
  bool has_value = false;
};
// Parses flags after argv[0]; `bool_flags` never take the next token as their value.
std::vector<Flag> parse_flags(const std::vector<std::string>& args, const std::vector<std::string>& bool_flags);

// "http://0.0.0.0:2379,http://x:1" → hosts replaced by `ip` (all hosts, or only
// unspecified/loopback ones when `only_unspecified`).
std::string rebind_urls(const std::string& urls, const std::string& ip, bool only_unspecified);

}  // namespace frankenetes::sim
