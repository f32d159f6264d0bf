#pragma once
// SystemdNotifier: the sd_notify(3) protocol (READY=1, STATUS=, WATCHDOG=1, RELOADING=1,
// STOPPING=1) for Type=notify units. Without NOTIFY_SOCKET every call is a no-op, so the
// daemon runs the same under systemd, in a container or in a terminal.
//
// Written here rather than taken from libsystemd: the protocol is one datagram per message to
// the AF_UNIX socket $NOTIFY_SOCKET names (systemd documents it as stable for exactly this use),
// while libsystemd brought six more shared libraries (libgcrypt, libgpg-error, libcap, liblz4,
// liblzma, libzstd) and about 1 MB of resident memory into a daemon that must stay small.
//
// sd_notify(3) sends on a blocking datagram socket: a receiver that stops reading (a broken
// service manager, a test harness) would eventually block the caller. So STATUS= is sent only
// when its text changes, never once per observation pass.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace frankenetes::daemon {

class SystemdNotifier {
 public:
  void ready(const std::string& status) const;
  void status(const std::string& status) const;
  void reloading() const;
  void stopping() const;
  void watchdog() const;
  // The interval at which WATCHDOG=1 must be sent (half of WATCHDOG_USEC), when the service
  // manager asked this process for it (WATCHDOG_PID unset or ours).
  static std::optional<std::chrono::microseconds> watchdog_interval();

  // One datagram to $NOTIFY_SOCKET ("/path" or "@abstract"); false when there is none or
  // sending failed (nothing to do about it: systemd then times the unit out and says so).
  static bool send(std::string_view message);

 private:
  mutable std::string last_status_;
};

}  // namespace frankenetes::daemon
