#pragma once
// Starting and ending the server processes test helpers run (bind9_server.h,
// azurite_server.h): the child logs to a file and dies with the test process; stopping is
// SIGTERM, then SIGKILL once a grace period has passed, and always a reap, so no zombie and no
// server outlives the test.

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

namespace frankenetes::testing {

// Runs argv[0] (a path) with `argv`, stdout and stderr appended to nothing but `log_path`
// (truncated first). If the test binary dies without stopping it, PR_SET_PDEATHSIG takes the
// child with it. Returns the child's pid, or -1 when fork failed.
inline pid_t spawn_logged(const std::vector<std::string>& argv, const std::string& log_path) {
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  const pid_t pid = fork();
  if (pid != 0) return pid;
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (std::freopen(log_path.c_str(), "w", stdout) == nullptr) _exit(126);
  dup2(STDOUT_FILENO, STDERR_FILENO);
  execv(args[0], args.data());
  _exit(127);
}

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
