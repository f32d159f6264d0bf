#include "etcd/data_layout.h"

#include <algorithm>
#include <sstream>
#include <utility>
#include <vector>

#include "core/strings.h"

namespace frankenetes::etcd {
namespace {

std::vector<std::string> tokens(const std::vector<std::string>& command) {
  std::vector<std::string> out;
  for (const auto& arg : command) {
    std::istringstream words(arg);
    std::string word;
    while (words >> word) {
      // Quotes of a shell command line: --data-dir='/etcd/data'
      std::erase_if(word, [](char c) { return c == '\'' || c == '"'; });
      out.push_back(word);
    }
  }
  return out;
}

std::optional<std::string> flag(const std::vector<std::string>& words, const std::string& name) {
  std::optional<std::string> value;  // the last occurrence wins, as with Go's flag package
  for (std::size_t i = 0; i < words.size(); ++i) {
    for (const auto& prefix : {"--" + name, "-" + name}) {
      if (words[i] == prefix && i + 1 < words.size()) value = words[i + 1];
      if (words[i].starts_with(prefix + "=")) value = words[i].substr(prefix.size() + 1);
    }
  }
  return value;
}

std::optional<std::string> env(const model::ContainerView& c, const std::string& name) {
  for (const auto& [key, value] : c.env) {
    if (key == name) return value;
  }
  return std::nullopt;
}

bool runs_etcd(const model::ContainerView& c) {
  for (const auto& word : tokens(c.command)) {
    if (word == "etcd" || word.ends_with("/etcd") || word.starts_with("--data-dir") ||
        word.starts_with("--wal-dir")) {
      return true;
    }
  }
  return false;
}

// A path "below" a mount: equal, or a descendant (never "/etcdfoo" for mount "/etcd").
bool under(const std::string& path, std::string mount) {
  while (mount.size() > 1 && mount.back() == '/') mount.pop_back();
  if (mount == "/") return path.starts_with("/");
  return path == mount || path.starts_with(mount + "/");
}

DirectoryPlacement place(const std::string& path, const model::ContainerView& c,
                         const model::ContainerGroupView& group) {
  DirectoryPlacement placement{path, Durability::kEphemeral, "", ""};
  if (!path.starts_with("/")) return placement;  // relative to the working directory: container
  // The deepest mount wins (a share at /etcd and an emptyDir at /etcd/tmp).
  std::size_t best = 0;
  for (const auto& mount : c.volume_mounts) {
    if (!under(path, mount.mount_path) || mount.mount_path.size() < best) continue;
    best = mount.mount_path.size();
    placement.volume = mount.name;
    placement.mount_path = mount.mount_path;
    placement.durability = Durability::kUnknown;  // a mount of a volume the group does not list
    for (const auto& volume : group.volumes) {
      if (volume.name != mount.name) continue;
      placement.durability = volume.kind == model::VolumeKind::kAzureFile ? Durability::kPersistent
                                                                          : Durability::kEphemeral;
    }
  }
  return placement;
}

std::string describe_one(const char* what, const DirectoryPlacement& p) {
  std::string out = std::string(what) + " " + p.path + " ";
  switch (p.durability) {
    case Durability::kPersistent: return out + "on azureFile volume " + p.volume;
    case Durability::kEphemeral:
      return out + (p.volume.empty() ? "in the container filesystem"
                                     : "on volume " + p.volume + ", which dies with the group");
    case Durability::kUnknown: return out + "on volume " + p.volume + " of unknown kind";
  }
  return out;
}

}  // namespace

std::string DataLayout::describe() const {
  return describe_one("data-dir", data_dir) + "; " + describe_one("wal-dir", wal_dir);
}

std::optional<DataLayout> analyze_etcd_layout(const model::ContainerGroupView& group) {
  const model::ContainerView* container = nullptr;
  for (const auto& c : group.containers) {
    if (runs_etcd(c)) {
      container = &c;
      break;
    }
  }
  if (container == nullptr) {
    for (const auto& c : group.containers) {
      if (c.image.find("etcd") != std::string::npos) {
        container = &c;
        break;
      }
    }
  }
  if (container == nullptr && group.containers.size() == 1) container = &group.containers.front();
  if (container == nullptr || (container->command.empty() && container->image.empty())) {
    return std::nullopt;
  }
  const auto words = tokens(container->command);
  auto name = flag(words, "name");
  if (!name) name = env(*container, "ETCD_NAME");
  auto data_dir = flag(words, "data-dir");
  if (!data_dir) data_dir = env(*container, "ETCD_DATA_DIR");
  if (!data_dir) data_dir = name.value_or("default") + ".etcd";
  auto wal_dir = flag(words, "wal-dir");
  if (!wal_dir) wal_dir = env(*container, "ETCD_WAL_DIR");
  if (!wal_dir || wal_dir->empty()) wal_dir = *data_dir + "/member/wal";
  std::vector<std::string> restore_flags;
  for (const auto& [flag_name, env_name] :
       {std::pair<std::string, std::string>{"name", "ETCD_NAME"},
        {"initial-cluster", "ETCD_INITIAL_CLUSTER"},
        {"initial-cluster-token", "ETCD_INITIAL_CLUSTER_TOKEN"},
        {"initial-advertise-peer-urls", "ETCD_INITIAL_ADVERTISE_PEER_URLS"}}) {
    auto value = flag(words, flag_name);
    if (!value) value = env(*container, env_name);
    if (!value) continue;
    restore_flags.push_back("--" + flag_name);
    restore_flags.push_back(*value);
  }
  // etcd itself defaults --initial-cluster to <name>=<initial advertise peer URLs> when only
  // --name is given; etcdctl would default to "default=…" and refuse the name.
  const auto has = [&](const std::string& f) {
    return std::find(restore_flags.begin(), restore_flags.end(), f) != restore_flags.end();
  };
  if (has("--name") && !has("--initial-cluster")) {
    const auto name_at = std::find(restore_flags.begin(), restore_flags.end(), "--name") + 1;
    std::string peers = "http://localhost:2380";
    if (const auto p = std::find(restore_flags.begin(), restore_flags.end(),
                                 "--initial-advertise-peer-urls");
        p != restore_flags.end()) {
      peers = *(p + 1);
    }
    std::string cluster;
    for (const auto& peer : core::split(peers, ',')) {
      if (!cluster.empty()) cluster += ",";
      cluster += *name_at + "=" + peer;
    }
    restore_flags.push_back("--initial-cluster");
    restore_flags.push_back(cluster);
  }
  return DataLayout{place(*data_dir, *container, group), place(*wal_dir, *container, group),
                    std::move(restore_flags)};
}

core::Result<RestoreTarget> restore_target(const model::ContainerGroupView& group) {
  auto fail = [](std::string why) {
    return core::make_error(core::ErrorKind::kTerminal, "cannot restore etcd here: " + why);
  };
  const auto layout = analyze_etcd_layout(group);
  if (!layout) return fail("no etcd container with a command or image in the group");
  const auto& data = layout->data_dir;
  if (data.durability != Durability::kPersistent) {
    return fail(describe_one("data-dir", data) + ", not on an Azure Files share");
  }
  const auto share = group.azure_file_shares.find(data.volume);
  if (share == group.azure_file_shares.end() || share->second.share_name.empty()) {
    return fail("the group does not name the share of azureFile volume " + data.volume);
  }
  std::string mount = data.mount_path;
  while (mount.size() > 1 && mount.back() == '/') mount.pop_back();
  std::string path = mount == "/" ? data.path.substr(1) : data.path.substr(std::min(data.path.size(), mount.size() + 1));
  while (!path.empty() && path.back() == '/') path.pop_back();
  if (path.empty()) {
    return fail("data-dir " + data.path + " is the mount point of share " +
                share->second.share_name + " itself; a restore would replace the whole share");
  }
  return RestoreTarget{share->second.storage_account, share->second.share_name, path,
                       layout->restore_flags};
}

}  // namespace frankenetes::etcd
