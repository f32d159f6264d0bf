#include "sim/ip_pool_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "sim/errors.h"

namespace frankenetes::sim {

std::string IpPoolLock::default_lock_dir() {
  const char* tmp = std::getenv("TMPDIR");
  return std::string(tmp && *tmp ? tmp : "/tmp") + "/frankenetes-sim-ip-pools";
}

core::Result<IpPoolLock> IpPoolLock::acquire(const std::string& lock_dir, unsigned start) {
  std::error_code ec;
  if (std::filesystem::create_directories(lock_dir, ec)) {
    // Shared by every user's sims, like /tmp: anyone creates files, only owners remove them.
    chmod(lock_dir.c_str(), 01777);
  }
  if (ec) return config_error("--ip-pool auto: cannot create " + lock_dir + ": " + ec.message());
  constexpr unsigned kCount = kLastOctet - kFirstOctet + 1;
  std::string last_error;
  for (unsigned i = 0; i < kCount; ++i) {
    const unsigned octet = kFirstOctet + (start + i) % kCount;
    const auto path = lock_dir + "/127." + std::to_string(octet) + ".lock";
    // Read-only is enough for flock, and lets other users open files this user created.
    const int fd = open(path.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
      last_error = path + ": " + std::strerror(errno);
      continue;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
      return IpPoolLock(fd, "127." + std::to_string(octet) + ".0.0/16");
    }
    last_error = path + ": " + (errno == EWOULDBLOCK ? "in use" : std::strerror(errno));
    close(fd);
  }
  return config_error("--ip-pool auto: no free /16 among 127." + std::to_string(kFirstOctet) + "-" +
                      std::to_string(kLastOctet) + ".0.0 (last: " + last_error + ")");
}

IpPoolLock::IpPoolLock(IpPoolLock&& other) noexcept : fd_(other.fd_), cidr_(std::move(other.cidr_)) {
  other.fd_ = -1;
}

IpPoolLock& IpPoolLock::operator=(IpPoolLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = other.fd_;
    cidr_ = std::move(other.cidr_);
    other.fd_ = -1;
  }
  return *this;
}

IpPoolLock::~IpPoolLock() {
  if (fd_ >= 0) close(fd_);  // releases the flock
}

}  // namespace frankenetes::sim
