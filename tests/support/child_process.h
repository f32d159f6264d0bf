#pragma once
// Ending a server process a test helper started (bind9_server.h, azurite_server.h): SIGTERM,
// then SIGKILL once `grace` has passed, and always reaped so no zombie outlives the test.

#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <thread>

namespace frankenetes::testing {

// Does nothing for pid <= 0; sets `pid` to -1 when done.
inline void terminate_child(pid_t& pid, std::chrono::seconds grace = std::chrono::seconds(5)) {
  if (pid <= 0) return;
  kill(pid, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  pid = -1;
}

}  // namespace frankenetes::testing
