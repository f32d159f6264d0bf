#include "azure/credential_command_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "azure/credential_token_response.h"

extern char** environ;

namespace frankenetes::azure {
namespace {

class Pipe {
 public:
  Pipe() {
    if (::pipe2(fds_, O_CLOEXEC) != 0) fds_[0] = fds_[1] = -1;
  }
  ~Pipe() {
    close_read();
    close_write();
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;

  bool ok() const { return fds_[0] >= 0; }
  int read_end() const { return fds_[0]; }
  int write_end() const { return fds_[1]; }
  void close_read() { close_fd(fds_[0]); }
  void close_write() { close_fd(fds_[1]); }

 private:
  static void close_fd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
  int fds_[2]{-1, -1};
};

int exit_code(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

int reap(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return exit_code(status);
}

// The process closed its output but may still be running (or have left a child holding
// nothing): wait for its exit only until the deadline.
std::optional<int> reap_until(pid_t pid, std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    int status = 0;
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) return exit_code(status);
    if (done < 0 && errno != EINTR) return -1;
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    ::usleep(5000);
  }
}

}  // namespace

core::Result<CommandOutput> ProcessCommandRunner::run(const std::vector<std::string>& argv,
                                                      std::chrono::milliseconds timeout) {
  if (argv.empty()) return credential_error(core::ErrorKind::kInvalidConfig, "empty command");
  const std::string& program = argv.front();
  Pipe out;
  Pipe err;
  if (!out.ok() || !err.ok()) {
    return credential_error(core::ErrorKind::kTransient,
                            "cannot create pipes for " + program + ": " + std::strerror(errno));
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out.write_end(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err.write_end(), STDERR_FILENO);
  // The daemon's own descriptors (listening sockets, connections) are none of the child's
  // business, whether or not whoever opened them remembered O_CLOEXEC (glibc >= 2.34).
  posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1);
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int spawned =
      ::posix_spawnp(&pid, program.c_str(), &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    return credential_error(core::ErrorKind::kInvalidConfig,
                            "cannot run " + program + ": " + std::strerror(spawned));
  }
  out.close_write();
  err.close_write();

  CommandOutput result;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool out_open = true;
  bool err_open = true;
  std::string failure;
  core::ErrorKind failure_kind = core::ErrorKind::kTransient;
  while (out_open || err_open) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      failure = program + " did not finish within " + std::to_string(timeout.count()) + " ms";
      break;
    }
    pollfd fds[2] = {{out_open ? out.read_end() : -1, POLLIN, 0},
                     {err_open ? err.read_end() : -1, POLLIN, 0}};
    const int ready = ::poll(fds, 2, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) {
      failure = "waiting for " + program + " failed: " + std::strerror(errno);
      break;
    }
    bool* open_flags[2] = {&out_open, &err_open};
    std::string* sinks[2] = {&result.stdout_text, &result.stderr_text};
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buffer[4096];
      const auto n = ::read(fds[i].fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        *open_flags[i] = false;
        continue;
      }
      sinks[i]->append(buffer, static_cast<std::size_t>(n));
      if (sinks[i]->size() > kMaxCommandOutput) {
        failure = program + " wrote more than " + std::to_string(kMaxCommandOutput) + " bytes";
        failure_kind = core::ErrorKind::kTerminal;
      }
    }
    if (!failure.empty()) break;
  }
  if (failure.empty()) {
    if (const auto code = reap_until(pid, deadline)) {
      result.exit_code = *code;
      return result;
    }
    failure = program + " did not finish within " + std::to_string(timeout.count()) + " ms";
  }
  ::kill(pid, SIGKILL);
  reap(pid);
  return credential_error(failure_kind, failure);
}

}  // namespace frankenetes::azure
