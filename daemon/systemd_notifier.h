#pragma once
// SystemdNotifier: the sd_notify(3) protocol (READY=1, STATUS=, WATCHDOG=1, RELOADING=1,
// STOPPING=1) for Type=notify units. Without NOTIFY_SOCKET every call is a no-op, so the
// daemon runs the same under systemd, in a container or in a terminal.
//
// sd_notify(3) sends on a blocking datagram socket: a receiver that stops reading (a broken
// service manager, a test harness) would eventually block the caller. So STATUS= is sent only
// when its text changes, never once per observation pass.

#include <chrono>
#include <optional>
#include <string>

namespace frankenetes::daemon {

class SystemdNotifier {
 public:
  void ready(const std::string& status) const;
  void status(const std::string& status) const;
  void reloading() const;
  void stopping() const;
  void watchdog() const;
  // The interval at which WATCHDOG=1 must be sent (half of WATCHDOG_USEC), when the service
  // manager asked for it.
  std::optional<std::chrono::microseconds> watchdog_interval() const;

 private:
  mutable std::string last_status_;
};

}  // namespace frankenetes::daemon
