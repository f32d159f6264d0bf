#include "sim/process_runtime.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace frankenetes::sim {

namespace fs = std::filesystem;

namespace {

std::string safe(const std::string& s) {
  std::string out;
  for (char c : s) out.push_back((std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.') ? c : '_');
  return out.empty() ? "_" : out;
}

}  // namespace

// The sim's listening sockets, accepted connections, log and state files are none of a
// container's business, and a container holding a listening socket keeps the port bound
// after the sim is gone (ss -tlnp shows it under the container's name). Not every descriptor
// the sim opens has O_CLOEXEC, so close them all. Only async-signal-safe calls: a fork()ed
// child of a threaded process must not allocate. close_range(2) is Linux 5.9+; before that,
// walk /proc/self/fd with getdents64 into a stack buffer (opendir would allocate).
void close_descriptors_above_stderr(bool allow_close_range) {
#ifdef SYS_close_range
  if (allow_close_range && syscall(SYS_close_range, 3U, ~0U, 0U) == 0) return;
#else
  (void)allow_close_range;
#endif
  const int dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) {
    // No /proc: close the whole possible range.
    const long max = sysconf(_SC_OPEN_MAX);
    for (int fd = 3; fd < (max > 0 ? max : 65536); ++fd) close(fd);
    return;
  }
  // Entries are read in batches; closing while reading is fine, as each batch has been
  // read before its descriptors are closed, and a closed descriptor never reappears.
  alignas(8) char buffer[4096];
  for (;;) {
    const long n = syscall(SYS_getdents64, dir, buffer, sizeof buffer);
    if (n <= 0) break;
    for (long offset = 0; offset < n;) {
      // struct linux_dirent64: d_ino (8), d_off (8), d_reclen (2), d_type (1), d_name.
      unsigned short reclen = 0;
      std::memcpy(&reclen, buffer + offset + 16, sizeof reclen);
      const char* name = buffer + offset + 19;
      int fd = 0;
      bool number = *name != '\0';
      for (const char* c = name; *c; ++c) {
        if (*c < '0' || *c > '9') {
          number = false;
          break;
        }
        fd = fd * 10 + (*c - '0');
      }
      if (number && fd > 2 && fd != dir) close(fd);
      offset += reclen;
    }
  }
  close(dir);
}

ProcessRuntime::ProcessRuntime(ProcessRuntimeOptions options) : options_(std::move(options)) {}

ProcessRuntime::~ProcessRuntime() { shutdown(std::chrono::milliseconds(1000)); }

std::string ProcessRuntime::group_dir(const std::string& group_key) const {
  const auto slash = group_key.find('/');
  return options_.state_dir + "/groups/" + safe(group_key.substr(0, slash)) + "/" + safe(group_key.substr(slash + 1));
}

ProcessRuntime::Process* ProcessRuntime::find(const std::string& group_key, const std::string& container) {
  for (auto& [pid, p] : processes_) {
    if (p.group_key == group_key && p.container == container && !p.killed) return &p;
  }
  return nullptr;
}

std::optional<pid_t> ProcessRuntime::pid_of(const std::string& group_key, const std::string& container) const {
  for (const auto& [pid, p] : processes_) {
    if (p.group_key == group_key && p.container == container && !p.killed) return pid;
  }
  return std::nullopt;
}

void ProcessRuntime::launch(const ContainerGroup& group, const Container& container) {
  const auto dir = group_dir(group.key());
  LaunchContext ctx;
  ctx.image = container.image();
  if (container.properties.contains("command") && container.properties["command"].is_array()) {
    for (const auto& w : container.properties["command"]) {
      if (w.is_string()) ctx.command.push_back(w.get<std::string>());
    }
  }
  ctx.container_properties = container.properties;
  ctx.ip = group.ip.empty() ? "127.0.0.1" : group.ip;
  ctx.name = group.resource_group + "/" + group.name + "/" + container.name;
  ctx.paths.rootfs = dir + "/rootfs/" + safe(container.name);
  ctx.etcd_binary = options_.etcd_binary;
  ctx.self_exe = options_.self_exe;
  ctx.control_url = options_.control_url;
  // Volumes: azureFile persists per share; the rest is per group.
  std::map<std::string, std::string> volume_dirs;
  const auto& props = group.body.value("properties", nlohmann::json::object());
  if (props.contains("volumes") && props["volumes"].is_array()) {
    for (const auto& v : props["volumes"]) {
      if (!v.is_object() || !v.contains("name")) continue;
      const auto name = v["name"].get<std::string>();
      if (v.contains("azureFile") && v["azureFile"].is_object()) {
        const auto& af = v["azureFile"];
        volume_dirs[name] = options_.state_dir + "/shares/" + safe(af.value("storageAccountName", "account")) + "/" +
                            safe(af.value("shareName", name));
      } else {
        volume_dirs[name] = dir + "/volumes/" + safe(name);
      }
    }
  }
  if (container.properties.contains("volumeMounts") && container.properties["volumeMounts"].is_array()) {
    for (const auto& m : container.properties["volumeMounts"]) {
      if (!m.is_object() || !m.contains("name") || !m.contains("mountPath")) continue;
      const auto it = volume_dirs.find(m["name"].get<std::string>());
      if (it == volume_dirs.end()) continue;
      ctx.paths.mounts.emplace_back(m["mountPath"].get<std::string>(), it->second);
      fs::create_directories(it->second);
    }
  }
  Pending p;
  p.plan = plan_launch(ctx);
  p.log_file = dir + "/logs/" + safe(container.name) + ".log";
  p.group_key = group.key();
  p.container = container.name;
  p.instance = container.instance;
  // The previous instance must be gone first: the new one binds the same IP and ports.
  for (const auto& [pid, proc] : processes_) {
    if (proc.group_key == p.group_key && proc.container == p.container) {
      pending_.push_back(std::move(p));
      return;
    }
  }
  spawn(p);
}

void ProcessRuntime::spawn(const Pending& p) {
  std::error_code ec;
  for (const auto& d : p.plan.directories) fs::create_directories(d, ec);
  fs::create_directories(fs::path(p.log_file).parent_path(), ec);
  if (fs::exists(p.log_file)) fs::rename(p.log_file, p.log_file.substr(0, p.log_file.size() - 4) + ".previous.log", ec);
  std::vector<char*> argv;
  for (const auto& a : p.plan.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const auto& e : p.plan.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) return;  // the model sees the container as running; nothing we can do here
  if (pid == 0) {
    // Child: own process group (so kill(-pid) reaches grandchildren), die with the sim.
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    const int log = open(p.log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    const int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (devnull >= 0) dup2(devnull, 0);
    if (log >= 0) {
      dup2(log, 1);
      dup2(log, 2);
    }
    close_descriptors_above_stderr();
    if (!p.plan.cwd.empty() && chdir(p.plan.cwd.c_str()) != 0) _exit(126);
    execve(argv[0], argv.data(), envp.data());
    const std::string msg = std::string("exec ") + argv[0] + ": " + std::strerror(errno) + "\n";
    (void)!write(2, msg.data(), msg.size());
    _exit(127);
  }
  setpgid(pid, pid);
  processes_[pid] = Process{pid, p.group_key, p.container, p.instance, false};
}

void ProcessRuntime::kill(const ContainerGroup& group, const Container& container) {
  const auto key = group.key();
  // A pending launch of this container is void now.
  std::erase_if(pending_, [&](const Pending& p) { return p.group_key == key && p.container == container.name; });
  for (auto& [pid, p] : processes_) {
    if (p.group_key == key && p.container == container.name && !p.killed) {
      ::kill(-pid, SIGKILL);
      p.killed = true;
    }
  }
}

void ProcessRuntime::set_hung(const ContainerGroup& group, const Container& container, bool hung) {
  if (auto* p = find(group.key(), container.name)) ::kill(-p->pid, hung ? SIGSTOP : SIGCONT);
}

void ProcessRuntime::reset_filesystem(const ContainerGroup& group) {
  std::error_code ec;
  const auto dir = group_dir(group.key());
  fs::remove_all(dir + "/rootfs", ec);
  fs::remove_all(dir + "/volumes", ec);
}

void ProcessRuntime::group_removed(const std::string& group_key) {
  std::error_code ec;
  std::erase_if(pending_, [&](const Pending& p) { return p.group_key == group_key; });
  for (auto& [pid, p] : processes_) {
    if (p.group_key == group_key && !p.killed) {
      ::kill(-pid, SIGKILL);
      p.killed = true;
    }
  }
  fs::remove_all(group_dir(group_key), ec);
}

std::string ProcessRuntime::logs(const ContainerGroup& group, const Container& container, std::optional<int> tail) {
  std::ifstream in(group_dir(group.key()) + "/logs/" + safe(container.name) + ".log");
  std::stringstream buf;
  buf << in.rdbuf();
  std::string text = buf.str();
  constexpr std::size_t kMax = 4u << 20;  // ACI caps logs at 4 MB
  if (text.size() > kMax) text = text.substr(text.size() - kMax);
  if (tail && *tail >= 0) {
    std::size_t pos = text.size();
    if (pos > 0 && text[pos - 1] == '\n') --pos;
    int lines = 0;
    while (pos > 0) {
      if (text[pos - 1] == '\n' && ++lines == *tail) break;
      --pos;
    }
    text = text.substr(pos);
  }
  return text;
}

void ProcessRuntime::reap(AciModel& model) {
  for (;;) {
    int status = 0;
    const pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid <= 0) break;
    const auto it = processes_.find(pid);
    if (it == processes_.end()) continue;
    const Process proc = it->second;
    processes_.erase(it);
    // Anything left in the process group (etcd has none; shells might) goes too.
    ::kill(-pid, SIGKILL);
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (!proc.killed) model.container_exited(proc.group_key, proc.container, proc.instance, code);
    // Start what waited for this instance to die.
    for (auto p = pending_.begin(); p != pending_.end(); ++p) {
      if (p->group_key == proc.group_key && p->container == proc.container) {
        const Pending next = *p;
        pending_.erase(p);
        spawn(next);
        break;
      }
    }
  }
}

void ProcessRuntime::shutdown(std::chrono::milliseconds grace) {
  pending_.clear();
  if (processes_.empty()) return;
  for (auto& [pid, p] : processes_) {
    ::kill(-pid, SIGCONT);
    ::kill(-pid, SIGTERM);
  }
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (!processes_.empty() && std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    const pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid > 0) {
      processes_.erase(pid);
      continue;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  for (auto& [pid, p] : processes_) ::kill(-pid, SIGKILL);
  for (auto& [pid, p] : processes_) waitpid(pid, nullptr, 0);
  processes_.clear();
}

}  // namespace frankenetes::sim
