// The sd_notify(3) protocol as systemd reads it: one datagram per message on the AF_UNIX
// socket $NOTIFY_SOCKET names, a path or an abstract name; the watchdog only for its process.

#include "daemon/systemd_notifier.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

namespace frankenetes::daemon {
namespace {

using namespace std::chrono_literals;

// A datagram socket standing in for systemd's, bound to `name` ("/path" or "@abstract").
class Listener {
 public:
  explicit Listener(const std::string& name)
      : fd_(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, name.data(), name.size());
    auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
    if (name.front() == '@')
      address.sun_path[0] = '\0';
    else
      length += 1;
    EXPECT_EQ(::bind(fd_, reinterpret_cast<const sockaddr*>(&address), length), 0)
        << std::strerror(errno);
    const timeval deadline{5, 0};  // a missing datagram fails the test, never hangs it
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &deadline, sizeof(deadline));
  }
  ~Listener() { ::close(fd_); }

  std::string receive() {
    char buffer[4096];
    const auto n = ::recv(fd_, buffer, sizeof(buffer), 0);
    return n < 0 ? "(nothing: " + std::string(std::strerror(errno)) + ")" : std::string(buffer, n);
  }

 private:
  int fd_;
};

class SystemdNotifierTest : public ::testing::Test {
 protected:
  void TearDown() override {
    ::unsetenv("NOTIFY_SOCKET");
    ::unsetenv("WATCHDOG_USEC");
    ::unsetenv("WATCHDOG_PID");
  }
};

TEST_F(SystemdNotifierTest, SendsToAPathSocket) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("fk-notify-" + std::to_string(::getpid()) + ".sock");
  std::filesystem::remove(path);
  Listener listener(path.string());
  ::setenv("NOTIFY_SOCKET", path.c_str(), 1);
  SystemdNotifier notifier;
  notifier.ready("watching 4 members");
  EXPECT_EQ(listener.receive(), "READY=1\nSTATUS=watching 4 members");
  notifier.status("watching 4 members");  // unchanged: not sent again
  notifier.status("1 member unhealthy");
  EXPECT_EQ(listener.receive(), "STATUS=1 member unhealthy");
  notifier.watchdog();
  EXPECT_EQ(listener.receive(), "WATCHDOG=1");
  std::filesystem::remove(path);
}

TEST_F(SystemdNotifierTest, SendsToAnAbstractSocket) {
  const std::string name = "@fk-notify-test-" + std::to_string(::getpid());
  Listener listener(name);
  ::setenv("NOTIFY_SOCKET", name.c_str(), 1);
  SystemdNotifier notifier;
  notifier.stopping();
  EXPECT_EQ(listener.receive(), "STOPPING=1");
}

TEST_F(SystemdNotifierTest, WithoutASocketNothingIsSent) {
  ::unsetenv("NOTIFY_SOCKET");
  EXPECT_FALSE(SystemdNotifier::send("READY=1"));
  ::setenv("NOTIFY_SOCKET", "vsock:2:1234", 1);  // not supported: as if there were none
  EXPECT_FALSE(SystemdNotifier::send("READY=1"));
  ::setenv("NOTIFY_SOCKET", "/nonexistent/dir/notify.sock", 1);
  EXPECT_FALSE(SystemdNotifier::send("READY=1"));
}

TEST_F(SystemdNotifierTest, WatchdogIsHalfTheTimeoutForThisProcessOnly) {
  EXPECT_FALSE(SystemdNotifier::watchdog_interval().has_value());
  ::setenv("WATCHDOG_USEC", "20000000", 1);
  EXPECT_EQ(SystemdNotifier::watchdog_interval(), std::chrono::microseconds(10s));
  ::setenv("WATCHDOG_PID", std::to_string(::getpid()).c_str(), 1);
  EXPECT_EQ(SystemdNotifier::watchdog_interval(), std::chrono::microseconds(10s));
  ::setenv("WATCHDOG_PID", std::to_string(::getpid() + 1).c_str(), 1);  // meant for another
  EXPECT_FALSE(SystemdNotifier::watchdog_interval().has_value());
  ::unsetenv("WATCHDOG_PID");
  for (const char* bad : {"0", "", "ten", "-5", "12x"}) {
    ::setenv("WATCHDOG_USEC", bad, 1);
    EXPECT_FALSE(SystemdNotifier::watchdog_interval().has_value()) << bad;
  }
}

}  // namespace
}  // namespace frankenetes::daemon
