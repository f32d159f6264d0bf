#include "status/status_board.h"

#include <map>
#include <string_view>
#include <utility>

namespace frankenetes::status {

StatusBoard::StatusBoard(const core::TimeSource& time, Settings settings)
    : time_(time), settings_(std::move(settings)), started_at_(time.system_time()) {}

void StatusBoard::planned(PlanStatusSource build) {
  PlanStatusSource previous;  // released after the lock: it may hold the last reference to a pass
  std::lock_guard lock(mutex_);
  previous = std::exchange(plan_, std::move(build));
  published_.reset();
}

void StatusBoard::dns_records(std::vector<DnsRecordStatus> records) {
  std::lock_guard lock(mutex_);
  dns_ = std::move(records);
  published_.reset();
}

void StatusBoard::event(StatusEvent event) {
  event.at = time_.system_time();
  std::lock_guard lock(mutex_);
  events_.push_back(std::move(event));
  while (events_.size() > kMaxStatusEvents) events_.pop_front();
  published_.reset();
}

void StatusBoard::set_admin_enabled(bool enabled) {
  std::lock_guard lock(mutex_);
  admin_enabled_ = enabled;
  published_.reset();
}

std::shared_ptr<const StatusSnapshot> StatusBoard::snapshot() const {
  std::lock_guard lock(mutex_);
  if (!published_) published_ = build_locked();
  return published_;
}

std::shared_ptr<const StatusSnapshot> StatusBoard::build_locked() const {
  auto next = std::make_shared<StatusSnapshot>();
  next->generated_at = time_.system_time();
  next->build = settings_.build;
  next->started_at = started_at_;
  next->admin_enabled = admin_enabled_;
  if (plan_) next->plan = plan_();
  if (next->plan) {
    // The DNS pipeline's view of a name wins over the plan's (which knows only the config).
    // Indexed: with thousands of members a pairwise search ran on every publish.
    std::map<std::pair<std::string_view, std::string_view>, const DnsStatus*> dns;
    for (const auto& record : dns_) dns[{record.cluster, record.member}] = &record.status;
    for (auto& cluster : next->plan->clusters) {
      for (auto& member : cluster.members) {
        if (const auto it = dns.find({cluster.name, member.name}); it != dns.end()) {
          member.dns = *it->second;
        }
      }
    }
  }
  if (settings_.arm) next->arm = settings_.arm();
  if (settings_.coordination) next->coordination = settings_.coordination();
  next->events.assign(events_.begin(), events_.end());
  return next;
}

}  // namespace frankenetes::status
