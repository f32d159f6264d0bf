#pragma once
// StatusBoard: where the pieces of the status snapshot meet, and the one place the HTTP
// thread reads it from. The reconciler's PlanReporter hands over the members after every plan
// (scheduler thread), the DnsReporter the DNS names after every DNS pass (DNS worker), both
// record events; the ARM read budget is sampled from `Settings::arm` whenever the snapshot is
// rebuilt. Updates only store their piece (the members as a PlanStatusSource: how to build
// them, not the members themselves); the immutable StatusSnapshot is built by the first
// snapshot() after a change (under the mutex) and shared until the next one, so renderers never
// see a half-updated value and a reconcile pass never builds thousands of members for a page
// nobody is reading (at 4000 members, rebuilding on every event was a quarter of the daemon's
// CPU, and holding the members' view between passes, built anew each pass, 5 MB of its heap
// and twice that while the next replaced it).
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
    // The coordination leases now; empty: no coordination section.
    std::function<CoordinationStatus()> coordination = {};
  };

  StatusBoard(const core::TimeSource& time, Settings settings);

  void planned(PlanStatusSource build) override;
  void dns_records(std::vector<DnsRecordStatus> records) override;
  void event(StatusEvent event) override;
  // server.adminTokenFile set or not (start and reload).
  void set_admin_enabled(bool enabled);

  // The latest snapshot, built now if anything changed since the last call; never null.
  std::shared_ptr<const StatusSnapshot> snapshot() const;

 private:
  std::shared_ptr<const StatusSnapshot> build_locked() const;

  const core::TimeSource& time_;
  const Settings settings_;
  const core::SystemTime started_at_;
  mutable std::mutex mutex_;
  PlanStatusSource plan_;  // empty until the first plan
  std::vector<DnsRecordStatus> dns_;
  std::deque<StatusEvent> events_;
  bool admin_enabled_ = false;
  // The snapshot built since the last change; null when a change has made it stale.
  mutable std::shared_ptr<const StatusSnapshot> published_;
};

}  // namespace frankenetes::status
