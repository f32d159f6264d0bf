#include "daemon/systemd_notifier.h"

#include <systemd/sd-daemon.h>

namespace frankenetes::daemon {

void SystemdNotifier::ready(const std::string& status) const {
  last_status_ = status;
  sd_notifyf(0, "READY=1\nSTATUS=%s", status.c_str());
}

void SystemdNotifier::status(const std::string& status) const {
  if (status == last_status_) return;
  last_status_ = status;
  sd_notifyf(0, "STATUS=%s", status.c_str());
}

void SystemdNotifier::reloading() const { sd_notify(0, "RELOADING=1"); }

void SystemdNotifier::stopping() const { sd_notify(0, "STOPPING=1"); }

void SystemdNotifier::watchdog() const { sd_notify(0, "WATCHDOG=1"); }

std::optional<std::chrono::microseconds> SystemdNotifier::watchdog_interval() const {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
  // systemd's advice (sd_watchdog_enabled(3)): notify at half the timeout.
  return std::chrono::microseconds(usec / 2);
}

}  // namespace frankenetes::daemon
