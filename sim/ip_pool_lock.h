#pragma once
// IpPoolLock: `--ip-pool auto`. Picks a /16 of 127.0.0.0/8 that no other frankenetes-sim on
// this machine uses, so that sims started side by side (parallel tests) never hand out the
// same group IP, which in process mode would make two etcds fight over one address. Each
// candidate 127.N.0.0/16 (N from kFirstOctet to kLastOctet, starting at an offset derived
// from the PID) has a lock file in a shared directory; the sim holds an exclusive flock(2) on
// its pool's file for as long as it runs (the kernel drops it when the process ends, however
// it ends). Sims started with an explicit --ip-pool take no lock and are not protected.

#include <string>

#include "core/result.h"

namespace frankenetes::sim {

class IpPoolLock {
 public:
  static constexpr int kFirstOctet = 40;
  static constexpr int kLastOctet = 239;

  // `lock_dir` is created (mode 1777, like /tmp) when missing. `start` picks the first
  // candidate (the PID, so concurrent sims start apart).
  static core::Result<IpPoolLock> acquire(const std::string& lock_dir, unsigned start);
  // The default lock directory: $TMPDIR (else /tmp) + "/frankenetes-sim-ip-pools".
  static std::string default_lock_dir();

  IpPoolLock(IpPoolLock&& other) noexcept;
  IpPoolLock& operator=(IpPoolLock&& other) noexcept;
  IpPoolLock(const IpPoolLock&) = delete;
  IpPoolLock& operator=(const IpPoolLock&) = delete;
  ~IpPoolLock();

  const std::string& cidr() const { return cidr_; }  // "127.N.0.0/16"

 private:
  IpPoolLock(int fd, std::string cidr) : fd_(fd), cidr_(std::move(cidr)) {}
  int fd_ = -1;
  std::string cidr_;
};

}  // namespace frankenetes::sim
