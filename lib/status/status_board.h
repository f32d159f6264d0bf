#pragma once
// StatusBoard: where the pieces of the status snapshot meet, and the one place the HTTP
// thread reads it from. The reconciler's PlanReporter hands over the members after every plan
// (scheduler thread), the DnsReporter the DNS names after every DNS pass (DNS worker), both
// record events; the ARM read budget is sampled from `Settings::arm` whenever the snapshot is
// rebuilt. Each update rebuilds an immutable StatusSnapshot and swaps it in under a mutex, so
// snapshot() is a shared_ptr copy and the renderers never see a half-updated value.
// Thread-safe. Holds no Asio or Beast: the admin router asks it through a callable.

#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "core/time_source.h"
#include "status/recorders.h"
#include "status/status_snapshot.h"

namespace frankenetes::status {

class StatusBoard final : public StatusRecorder {
 public:
  struct Settings {
    BuildInfo build;
    // ARM's remaining-request budget as the daemon knows it now; empty: nothing known.
    std::function<ArmStatus()> arm;
  };

  StatusBoard(const core::TimeSource& time, Settings settings);

  void planned(PlanStatus status) override;
  void dns_records(std::vector<DnsRecordStatus> records) override;
  void event(StatusEvent event) override;
  // server.adminTokenFile set or not (start and reload).
  void set_admin_enabled(bool enabled);

  // The latest snapshot; never null.
  std::shared_ptr<const StatusSnapshot> snapshot() const;

 private:
  void publish_locked();

  const core::TimeSource& time_;
  const Settings settings_;
  const core::SystemTime started_at_;
  mutable std::mutex mutex_;
  std::optional<PlanStatus> plan_;
  std::vector<DnsRecordStatus> dns_;
  std::deque<StatusEvent> events_;
  bool admin_enabled_ = false;
  std::shared_ptr<const StatusSnapshot> published_;
};

}  // namespace frankenetes::status
