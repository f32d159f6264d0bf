#include "daemon/history_hand_over.h"

#include <algorithm>

#include "log/event.h"
#include "state/cluster_history.h"
#include "storage/blob_client.h"

namespace frankenetes::daemon {
namespace {

// A cluster's history is a few KiB; anything past this is not one we wrote.
constexpr std::uint64_t kMaxHistoryBytes = 1 << 20;

}  // namespace

core::Result<std::optional<std::string>> BlobHistoryBlobs::read(const std::string& name) {
  auto range = blobs_.get_range(name, 0, kMaxHistoryBytes);
  if (!range.ok()) {
    if (range.error().kind == core::ErrorKind::kNotFound) return std::optional<std::string>();
    return range.error();
  }
  return std::optional<std::string>(std::move(range.value().body));
}

core::Status BlobHistoryBlobs::write(const std::string& name, std::string text) {
  storage::PutOptions options;
  options.content_type = "application/json";
  auto written = blobs_.put_blob(name, std::move(text), options);
  if (!written.ok()) return written.error();
  return {};
}

std::string history_blob_name(const std::string& cluster) { return "state/" + cluster + ".json"; }

HistoryHandOver::HistoryHandOver(HistoryBlobs& blobs, const core::TimeSource& time,
                                 std::string replica, MayAct holds)
    : blobs_(blobs), time_(time), replica_(std::move(replica)), holds_(std::move(holds)) {}

void HistoryHandOver::set_merge(Merge merge) { merge_ = std::move(merge); }

bool HistoryHandOver::ready(const std::string& cluster) const {
  std::lock_guard lock(mutex_);
  return ready_.contains(cluster);
}

void HistoryHandOver::publish(const std::string& cluster, plan::History part) {
  std::lock_guard lock(mutex_);
  pending_[cluster] = std::move(part);
}

void HistoryHandOver::flush() {
  std::map<std::string, plan::History> pending;
  {
    std::lock_guard lock(mutex_);
    pending.swap(pending_);
  }
  for (auto& [cluster, history] : pending) {
    // Never for a cluster this replica may not act on: its holder's blob is the truth.
    if (!holds_(cluster) || !ready(cluster)) continue;
    const auto text = state::encode_cluster_history(cluster, history, time_.system_time(),
                                                    time_.monotonic_time());
    const auto written = blobs_.write(history_blob_name(cluster), text);
    std::lock_guard lock(mutex_);
    if (written.ok()) {
      if (write_failed_.erase(cluster) > 0) {
        log::info("coordination.history_write_recovered", {{"replica", replica_}, {"cluster", cluster}});
      }
      continue;
    }
    if (write_failed_.insert(cluster).second) {
      log::error("coordination.history_write_failed",
                 {{"replica", replica_},
                  {"cluster", cluster},
                  {"error", written.error().describe()},
                  {"action", "retried at the next tick; a hand-over before then starts from an "
                             "older history"}});
    }
    pending_.try_emplace(cluster, std::move(history));  // unless a newer one came meanwhile
  }
}

void HistoryHandOver::after_tick(const std::vector<std::string>& held) {
  std::vector<std::string> to_load;
  {
    std::lock_guard lock(mutex_);
    const auto gone = [&](const std::string& cluster) {
      return std::find(held.begin(), held.end(), cluster) == held.end();
    };
    std::erase_if(ready_, gone);
    for (const auto& cluster : held) {
      if (!ready_.contains(cluster) && !loading_.contains(cluster)) to_load.push_back(cluster);
    }
    for (const auto& cluster : to_load) loading_.insert(cluster);
  }
  for (const auto& cluster : to_load) load(cluster);
}

void HistoryHandOver::load(const std::string& cluster) {
  const auto name = history_blob_name(cluster);
  const auto text = blobs_.read(name);
  if (!text.ok()) {
    log::warn("coordination.history_read_failed",
              {{"replica", replica_},
               {"cluster", cluster},
               {"blob", name},
               {"error", text.error().describe()},
               {"action", "not acting on the cluster; read again at the next tick"}});
    std::lock_guard lock(mutex_);
    loading_.erase(cluster);
    return;
  }
  std::optional<plan::History> remote;
  if (!text.value()) {
    log::info("coordination.history_missing",
              {{"replica", replica_}, {"cluster", cluster}, {"blob", name},
               {"detail", "no history handed over: acting with the local one"}});
  } else {
    auto decoded = state::decode_cluster_history(*text.value(), cluster, time_.system_time(),
                                                 time_.monotonic_time());
    if (decoded.ok()) {
      remote = std::move(decoded.value());
    } else {
      log::error("coordination.history_unreadable",
                 {{"replica", replica_},
                  {"cluster", cluster},
                  {"blob", name},
                  {"error", decoded.error().message},
                  {"action", "acting with the local history: the ladder, back-off and budget "
                             "of the previous holder are lost"}});
    }
  }
  auto done = [this, cluster] {
    std::lock_guard lock(mutex_);
    loading_.erase(cluster);
    ready_.insert(cluster);
  };
  if (merge_) {
    merge_(cluster, std::move(remote), std::move(done));
  } else {
    done();
  }
}

}  // namespace frankenetes::daemon
