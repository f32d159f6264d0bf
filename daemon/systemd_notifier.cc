#include "daemon/systemd_notifier.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <charconv>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace frankenetes::daemon {
namespace {

std::string_view env(const char* name) {
  const char* value = std::getenv(name);
  return value ? std::string_view(value) : std::string_view();
}

std::optional<std::uint64_t> parse_unsigned(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

bool SystemdNotifier::send(std::string_view message) {
  // $NOTIFY_SOCKET: a path, or "@name" in the abstract namespace. Other kinds (systemd 253's
  // "vsock:") are not supported: the daemon then runs as without a service manager.
  const auto target = env("NOTIFY_SOCKET");
  if (target.empty() || (target.front() != '/' && target.front() != '@')) return false;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (target.size() >= sizeof(address.sun_path)) return false;
  std::memcpy(address.sun_path, target.data(), target.size());
  auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + target.size());
  if (target.front() == '@') {
    address.sun_path[0] = '\0';  // abstract: the name is exactly the bytes after '@'
  } else {
    length += 1;  // a path: with its terminating NUL
  }
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  const auto sent = ::sendto(fd, message.data(), message.size(), MSG_NOSIGNAL,
                             reinterpret_cast<const sockaddr*>(&address), length);
  ::close(fd);
  return sent == static_cast<ssize_t>(message.size());
}

void SystemdNotifier::ready(const std::string& status) const {
  last_status_ = status;
  send("READY=1\nSTATUS=" + status);
}

void SystemdNotifier::status(const std::string& status) const {
  if (status == last_status_) return;
  last_status_ = status;
  send("STATUS=" + status);
}

void SystemdNotifier::reloading() const { send("RELOADING=1"); }

void SystemdNotifier::stopping() const { send("STOPPING=1"); }

void SystemdNotifier::watchdog() const { send("WATCHDOG=1"); }

std::optional<std::chrono::microseconds> SystemdNotifier::watchdog_interval() {
  // sd_watchdog_enabled(3): WATCHDOG_USEC, for this process only when WATCHDOG_PID names it.
  const auto usec = parse_unsigned(env("WATCHDOG_USEC"));
  if (!usec || *usec == 0) return std::nullopt;
  if (const auto pid = env("WATCHDOG_PID"); !pid.empty()) {
    const auto parsed = parse_unsigned(pid);
    if (!parsed || *parsed != static_cast<std::uint64_t>(::getpid())) return std::nullopt;
  }
  // systemd's advice (sd_watchdog_enabled(3)): notify at half the timeout.
  return std::chrono::microseconds(*usec / 2);
}

}  // namespace frankenetes::daemon
