#include "daemon/work_threads.h"

#include <algorithm>
#include <string>

namespace frankenetes::daemon {
namespace {

// Task boundaries log internal.error themselves (reconcile/internal_error.h); this counts.
reconcile::InternalErrorHandler count_internal_errors(status::ErrorMetrics& errors) {
  return [&errors](const std::string& component, const std::string& /*what*/) {
    errors.internal_error(component);
  };
}

}  // namespace

WorkThreads::WorkThreads(status::ErrorMetrics& errors, reconcile::Scheduler* scheduler,
                         bool inline_work)
    : own_scheduler_(
          scheduler ? nullptr
                    : std::make_unique<reconcile::ThreadScheduler>(count_internal_errors(errors))),
      scheduler_(scheduler ? scheduler : own_scheduler_.get()),
      inline_("inline", count_internal_errors(errors)) {
  if (inline_work || scheduler) return;
  const auto pool = [&errors](const char* name, std::size_t threads) {
    return std::make_unique<reconcile::WorkerPool>(name, threads, count_internal_errors(errors));
  };
  reads_ = pool("reads", 2);  // a pass, and the GETs asked for beside it (Reconciler)
  probes_ = pool("probes", kProbeThreads);
  actions_ = pool("actions", 4);
  dns_ = pool("dns", 1);
  snapshots_ = pool("snapshots", 1);
}

WorkThreads::~WorkThreads() = default;

void WorkThreads::start() {
  if (own_scheduler_) own_scheduler_->start();
}

bool WorkThreads::stop(std::chrono::steady_clock::time_point deadline) {
  if (own_scheduler_) own_scheduler_->stop();
  bool clean = true;
  for (auto* pool : {reads_.get(), probes_.get(), actions_.get(), dns_.get(), snapshots_.get()}) {
    if (!pool) continue;
    const auto left = std::max(std::chrono::steady_clock::duration::zero(),
                               deadline - std::chrono::steady_clock::now());
    clean = pool->stop(std::chrono::duration_cast<core::Duration>(left)) && clean;
  }
  return clean;
}

}  // namespace frankenetes::daemon
