#pragma once
// Starting and ending the server processes test helpers run (bind9_server.h,
// azurite_server.h, etcd_server.h) and the tools tests call (etcdctl): the child logs to a
// file, inherits no descriptor but stdin/stdout/stderr, and dies with the test process;
// stopping is SIGTERM, then SIGKILL once a grace period has passed, and always a reap, so no
// zombie and no server outlives the test.

#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace frankenetes::testing {

// Under CI (the CI variable set and not empty) a missing server or tool is a failure, not a
// skip: CI must never pass by silently not running a test.
inline bool running_under_ci() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && *ci != '\0';
}

// Runs argv[0] (a path) with `argv`, stdout and stderr appended to nothing but `log_path`
// (truncated first). Descriptors the test process holds (sockets of clients and servers under
// test, most opened without O_CLOEXEC by Asio) are closed in the child, so a server never keeps
// a test's connection or listening port alive. If the test binary dies without stopping it,
// PR_SET_PDEATHSIG takes the child with it. Returns the child's pid, or -1 when fork failed.
inline pid_t spawn_logged(const std::vector<std::string>& argv, const std::string& log_path) {
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  const long max_fd = sysconf(_SC_OPEN_MAX);
  const pid_t pid = fork();
  if (pid != 0) return pid;
  // Only async-signal-safe calls from here: the parent may have other threads.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (std::freopen(log_path.c_str(), "w", stdout) == nullptr) _exit(126);
  dup2(STDOUT_FILENO, STDERR_FILENO);
  if (syscall(SYS_close_range, 3U, ~0U, 0U) != 0) {  // kernels before 5.9: one by one
    for (long fd = 3; fd < max_fd && fd < 65536; ++fd) close(static_cast<int>(fd));
  }
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

// Runs a tool to completion within `timeout` (killed and reaped if it takes longer). Returns its
// exit status, or -1 when it could not be started, was killed by a signal or timed out.
inline int run_logged(const std::vector<std::string>& argv, const std::string& log_path,
                      std::chrono::seconds timeout) {
  pid_t pid = spawn_logged(argv, log_path);
  if (pid < 0) return -1;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      terminate_child(pid, std::chrono::seconds(1));
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Polls `ready()` every 50 ms until it holds or `timeout` has passed, watching the child
// meanwhile. Returns "" when ready, else why not: "<name> exited: <log()>" (the child is reaped
// and `pid` set to -1) or "<name> <not_ready> within <timeout> s: <log()>".
template <class Ready, class Log>
std::string wait_until_ready(pid_t& pid, const std::string& name, const std::string& not_ready,
                             std::chrono::seconds timeout, Ready&& ready, Log&& log) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      pid = -1;
      return name + " exited: " + log();
    }
    if (ready()) return "";
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return name + " " + not_ready + " within " + std::to_string(timeout.count()) + " s: " + log();
}

}  // namespace frankenetes::testing
