#include "etcd/data_loss.h"

#include <cstdio>

namespace frankenetes::etcd {

std::string format_etcd_id(std::uint64_t id) {
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(id));
  return buffer;
}

std::optional<DataLoss> detect_data_loss(const DataIdentity& before, const DataIdentity& now) {
  const std::string revisions =
      "revision " + std::to_string(before.revision) + " -> " + std::to_string(now.revision);
  if (now.cluster_id != before.cluster_id) {
    return DataLoss{DataLossKind::kClusterReplaced,
                    "cluster id changed from " + format_etcd_id(before.cluster_id) + " to " +
                        format_etcd_id(now.cluster_id) + " (" + revisions + ")"};
  }
  if (now.revision < before.revision) {
    return DataLoss{DataLossKind::kRevisionWentBack,
                    "revision went back from " + std::to_string(before.revision) + " to " +
                        std::to_string(now.revision) + " (cluster " +
                        format_etcd_id(now.cluster_id) + ")"};
  }
  return std::nullopt;
}

}  // namespace frankenetes::etcd
