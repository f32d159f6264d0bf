#include "azure/credential_command_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <optional>
#include <string_view>
#include <system_error>

#include "azure/credential_token_response.h"

namespace frankenetes::azure {
namespace {

class Pipe {
 public:
  Pipe() {
    if (::pipe2(fds_.data(), O_CLOEXEC) != 0) fds_[0] = fds_[1] = -1;
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
  std::array<int, 2> fds_{-1, -1};
};

std::string errno_text(int error) { return std::generic_category().message(error); }

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
std::optional<int> reap_until(pid_t pid, core::MonotonicTime deadline,
                              const core::TimeSource& time) {
  for (;;) {
    int status = 0;
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) return exit_code(status);
    if (done < 0 && errno != EINTR) return -1;
    if (time.monotonic_time() >= deadline) return std::nullopt;
    ::usleep(5000);
  }
}

// What `az account get-access-token` needs, and nothing else:
// - PATH: the CLI is a shell script that finds python3;
// - HOME, AZURE_CONFIG_DIR: where its login (~/.azure, or the directory named) lives;
//   AZURE_EXTENSION_DIR: its extensions, when moved elsewhere;
// - the proxy variables (either case): Python's requests honours them, and on a host that
//   reaches Entra only through a proxy the CLI fails without them;
// - REQUESTS_CA_BUNDLE, SSL_CERT_FILE, SSL_CERT_DIR: a TLS-inspecting proxy's trust anchor;
// - LANG, LC_ALL, LC_CTYPE: Python's text encoding (a C locale garbles non-ASCII paths);
// - TMPDIR: Python's temporary files.
// Everything else stays behind: AZURE_CLIENT_SECRET, FRANKENETES_* and whatever else the
// daemon's environment carries may be secrets the CLI has no use for.
constexpr std::array<std::string_view, 17> kCommandEnvironment{
    "PATH",        "HOME",        "AZURE_CONFIG_DIR", "AZURE_EXTENSION_DIR", "HTTP_PROXY",
    "HTTPS_PROXY", "NO_PROXY",    "http_proxy",       "https_proxy",         "no_proxy",
    "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR", "LANG", "LC_ALL", "LC_CTYPE",
    "TMPDIR"};

}  // namespace

std::vector<std::string> minimal_command_environment(const char* const* environment) {
  std::vector<std::string> kept;
  for (auto entry = environment; entry && *entry; ++entry) {
    const std::string_view variable(*entry);
    const auto equals = variable.find('=');
    if (equals == std::string_view::npos) continue;
    const auto name = variable.substr(0, equals);
    for (const auto allowed : kCommandEnvironment) {
      if (name == allowed) {
        kept.emplace_back(variable);
        break;
      }
    }
  }
  return kept;
}

core::Result<CommandOutput> ProcessCommandRunner::run(const std::vector<std::string>& argv,
                                                      std::chrono::milliseconds timeout) {
  if (argv.empty()) return core::make_error(core::ErrorKind::kInvalidConfig, "empty command");
  const std::string& program = argv.front();
  Pipe out;
  Pipe err;
  if (!out.ok() || !err.ok()) {
    return core::make_error(core::ErrorKind::kTransient,
                            "cannot create pipes for " + program + ": " + errno_text(errno));
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
  // posix_spawnp looks the program up on the daemon's PATH; the child gets only these.
  auto environment_entries = minimal_command_environment(environ);
  std::vector<char*> environment;
  environment.reserve(environment_entries.size() + 1);
  for (auto& entry : environment_entries) environment.push_back(entry.data());
  environment.push_back(nullptr);
  pid_t pid = -1;
  const int spawned = ::posix_spawnp(&pid, program.c_str(), &actions, nullptr, args.data(),
                                     environment.data());
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    return core::make_error(core::ErrorKind::kInvalidConfig,
                            "cannot run " + program + ": " + errno_text(spawned));
  }
  out.close_write();
  err.close_write();

  CommandOutput result;
  const auto deadline = time_.monotonic_time() + timeout;
  struct Stream {
    int fd = -1;
    std::string* sink = nullptr;
    bool open = true;
  };
  std::array<Stream, 2> streams{
      {{out.read_end(), &result.stdout_text}, {err.read_end(), &result.stderr_text}}};
  std::string failure;
  core::ErrorKind failure_kind = core::ErrorKind::kTransient;
  while (streams[0].open || streams[1].open) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - time_.monotonic_time());
    if (left.count() <= 0) {
      failure = program + " did not finish within " + std::to_string(timeout.count()) + " ms";
      break;
    }
    std::array<pollfd, 2> fds{};
    for (std::size_t i = 0; i < streams.size(); ++i) {
      fds[i] = {streams[i].open ? streams[i].fd : -1, POLLIN, 0};  // poll skips negative fds
    }
    const int ready = ::poll(fds.data(), fds.size(), static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) {
      failure = "waiting for " + program + " failed: " + errno_text(errno);
      break;
    }
    for (std::size_t i = 0; i < streams.size(); ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      std::array<char, 4096> buffer{};
      const auto n = ::read(fds[i].fd, buffer.data(), buffer.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        streams[i].open = false;
        continue;
      }
      streams[i].sink->append(buffer.data(), static_cast<std::size_t>(n));
      if (streams[i].sink->size() > kMaxCommandOutput) {
        failure = program + " wrote more than " + std::to_string(kMaxCommandOutput) + " bytes";
        failure_kind = core::ErrorKind::kTerminal;
      }
    }
    if (!failure.empty()) break;
  }
  if (failure.empty()) {
    if (const auto code = reap_until(pid, deadline, time_)) {
      result.exit_code = *code;
      return result;
    }
    failure = program + " did not finish within " + std::to_string(timeout.count()) + " ms";
  }
  ::kill(pid, SIGKILL);
  reap(pid);
  return core::make_error(failure_kind, failure);
}

}  // namespace frankenetes::azure
