#include "state/state_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace frankenetes::state {
namespace {

// A state file holds a few records per member; anything near this is not ours.
constexpr std::size_t kMaxStateBytes = 16 * 1024 * 1024;

core::Error io_error(const std::string& what, int err) {
  return core::make_error(core::ErrorKind::kTerminal, what + ": " + std::strerror(err));
}

// Writes all of `data` to `fd`, retrying short writes and EINTR.
bool write_all(int fd, const std::string& data) {
  std::size_t done = 0;
  while (done < data.size()) {
    const auto n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

std::string read_pid(int fd) {
  char buffer[32] = {};
  const auto n = ::pread(fd, buffer, sizeof(buffer) - 1, 0);
  if (n <= 0) return "unknown";
  std::string pid(buffer, static_cast<std::size_t>(n));
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
  return pid.empty() ? "unknown" : pid;
}

}  // namespace

StateStore::~StateStore() {
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

core::Result<std::unique_ptr<StateStore>> StateStore::open(const std::string& directory,
                                                           const core::TimeSource& time) {
  std::error_code ec;
  std::filesystem::create_directories(directory, ec);
  if (ec) {
    return core::make_error(core::ErrorKind::kInvalidConfig,
                            "cannot create state directory " + directory + ": " + ec.message());
  }
  ::chmod(directory.c_str(), 0700);  // best effort: systemd's StateDirectory= sets it too
  const std::string lock_path = directory + "/lock";
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return io_error("cannot open " + lock_path, errno);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    const auto holder = read_pid(fd);
    ::close(fd);
    core::Error error;
    error.kind = core::ErrorKind::kTerminal;  // exit 1: could not start, the config is fine
    error.message = err == EWOULDBLOCK
                        ? "state directory " + directory + " is in use by another frankenetesd (pid " +
                              holder + "): one daemon per state directory"
                        : "cannot lock " + lock_path + ": " + std::strerror(err);
    return error;
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) < 0) {
    const int err = errno;
    ::close(fd);
    return io_error("cannot write " + lock_path, err);
  }
  return std::unique_ptr<StateStore>(new StateStore(directory, fd, time));
}

LoadedState StateStore::load() {
  LoadedState loaded;
  const auto path = state_file();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      loaded.status = LoadStatus::kMissing;
      loaded.problem = path + " does not exist";
    } else {
      loaded.status = LoadStatus::kUnreadable;
      loaded.problem = "cannot open " + path + ": " + std::strerror(errno);
    }
    return loaded;
  }
  std::string text;
  char buffer[65536];
  bool too_large = false;
  for (;;) {
    const auto n = ::read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
    if (text.size() > kMaxStateBytes) {
      too_large = true;
      break;
    }
  }
  ::close(fd);
  if (too_large) {
    loaded.status = LoadStatus::kUnreadable;
    loaded.problem = path + " is larger than " + std::to_string(kMaxStateBytes) + " bytes";
    return loaded;
  }
  auto decoded = decode_state(text, time_.system_time(), time_.monotonic_time());
  if (!decoded.ok()) {
    loaded.status = LoadStatus::kUnreadable;
    loaded.problem = path + ": " + decoded.error().message;
    // Kept for a person (it may name a pending operation); the next write starts afresh.
    const auto aside = path + ".unreadable";
    if (::rename(path.c_str(), aside.c_str()) == 0) loaded.problem += "; kept as " + aside;
    return loaded;
  }
  loaded.status = LoadStatus::kLoaded;
  loaded.state = std::move(decoded).value();
  std::lock_guard lock(mutex_);
  history_ = persistent_part(loaded.state.history);
  operations_.clear();
  for (const auto& op : loaded.state.operations) operations_[op.member] = op;
  paused_ = loaded.state.paused;
  return loaded;
}

// Each change is kept only when its write succeeded, so the file and what the store holds
// never drift apart (a failed write is retried by the caller's next change).
core::Status StateStore::save_history(const plan::History& history) {
  std::lock_guard lock(mutex_);
  const auto change = compare_persistent(history, history_);
  if (change == PersistentChange::kSame) return {};
  if (change == PersistentChange::kEtcdProgress && last_write_ &&
      time_.monotonic_time() - *last_write_ < kEtcdProgressWriteInterval) {
    return {};
  }
  auto part = persistent_part(history);
  std::swap(history_, part);
  auto written = write_locked();
  if (!written.ok()) std::swap(history_, part);
  return written;
}

core::Status StateStore::put_operation(const RecreateOperation& operation) {
  std::lock_guard lock(mutex_);
  const auto before = operations_;
  operations_[operation.member] = operation;
  auto written = write_locked();
  if (!written.ok()) operations_ = before;
  return written;
}

core::Status StateStore::remove_operation(const model::MemberKey& member) {
  std::lock_guard lock(mutex_);
  const auto before = operations_;
  if (operations_.erase(member) == 0) return {};
  auto written = write_locked();
  if (!written.ok()) operations_ = before;
  return written;
}

std::vector<RecreateOperation> StateStore::operations() const {
  std::lock_guard lock(mutex_);
  std::vector<RecreateOperation> out;
  for (const auto& [key, op] : operations_) out.push_back(op);
  return out;
}

core::Status StateStore::set_paused(const model::MemberKey& member, bool paused) {
  std::lock_guard lock(mutex_);
  if (paused_.contains(member) == paused) return {};
  const auto before = paused_;
  if (paused) {
    paused_.insert(member);
  } else {
    paused_.erase(member);
  }
  auto written = write_locked();
  if (!written.ok()) paused_ = before;
  return written;
}

std::set<model::MemberKey> StateStore::paused() const {
  std::lock_guard lock(mutex_);
  return paused_;
}

core::Status StateStore::write_locked() {
  PersistedState state;
  state.history = history_;
  for (const auto& [key, op] : operations_) state.operations.push_back(op);
  state.paused = paused_;
  const auto text = encode_state(state, time_.system_time(), time_.monotonic_time());
  const auto path = state_file();
  const auto tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return io_error("cannot write " + tmp, errno);
  if (!write_all(fd, text) || ::fsync(fd) != 0) {
    const int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return io_error("cannot write " + tmp, err);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return io_error("cannot rename " + tmp + " to " + path, err);
  }
  // The rename is durable only once the directory entry is.
  const int dir = ::open(directory_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  last_write_ = time_.monotonic_time();
  return {};
}

}  // namespace frankenetes::state
