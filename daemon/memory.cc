#include "daemon/memory.h"

#include <malloc.h>
#include <sys/resource.h>

#include <algorithm>

#include <cstdlib>
#include <utility>

namespace frankenetes::daemon {

void tune_allocator() {
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) mallopt(M_ARENA_MAX, 2);
  if (std::getenv("MALLOC_MMAP_THRESHOLD_") == nullptr) mallopt(M_MMAP_THRESHOLD, 256 * 1024);
}

unsigned long raise_descriptor_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  constexpr rlim_t kCeiling = rlim_t{1} << 20;
  const rlim_t wanted = std::min(limit.rlim_max, kCeiling);
  if (limit.rlim_cur < wanted) {
    rlimit raised = limit;
    raised.rlim_cur = wanted;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return static_cast<unsigned long>(limit.rlim_cur);
}

FreeMemoryReleaser::FreeMemoryReleaser(std::chrono::steady_clock::duration every,
                                       std::function<void()> release)
    : every_(every),
      release_(release ? std::move(release) : std::function<void()>([] { malloc_trim(0); })) {}

void FreeMemoryReleaser::maybe_release(std::chrono::steady_clock::time_point now) {
  if (released_ && now - last_ < every_) return;
  released_ = true;
  last_ = now;
  release_();
}

}  // namespace frankenetes::daemon
