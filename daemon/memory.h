#pragma once
// How the daemon keeps glibc's malloc from holding memory it no longer uses (and, the other
// per-process resource that grows with the clusters watched, its descriptor limit).
//
// glibc keeps freed memory in its arenas: a thread's arena grows for the largest pass it has
// seen and never shrinks except at its top, and large buffers (a /metrics body, a zone list
// page) move from mmap into the heap once one of that size has been freed (the dynamic mmap
// threshold). At 2000 container groups that was a third of the daemon's RSS: 80 MiB before
// malloc_trim(0), 52 MiB after (bench/scale, N=500).

#include <chrono>
#include <functional>
#include <utility>

namespace frankenetes::daemon {

// At start: at most two arenas (the daemon's threads mostly wait on I/O, so they hardly
// contend; MALLOC_ARENA_MAX still wins), and buffers of 256 KiB and more always mmap'd, so
// that freeing one returns it (MALLOC_MMAP_THRESHOLD_ still wins). One arena was tried
// (bench/scale N=1000, 2026-12-04): peak RSS 1.5–3 MiB lower, but the hang p99 went over its
// target in two of three runs (17.2, 19.1 s) against none of four with two arenas — too few
// runs to tell noise from cause, so two it stays until that is measured properly.
void tune_allocator();

// Raises the soft limit on open descriptors to the hard one (at most 1 << 20) and returns the
// soft limit now in force. Each probed member keeps a kept-alive connection and the
// asynchronous probe clients have many in flight, so a few thousand members need more than
// the usual soft limit of 1024 (systemd's default; its hard limit is 524288) — running out
// would fail probes as connection errors. Children the daemon spawns close every descriptor
// above stderr, so the higher limit costs them nothing.
unsigned long raise_descriptor_limit();

// Returns free heap pages to the system (malloc_trim) at most once per `every`; called after
// each observation pass. Cheap: a walk over the free lists, and a page fault later for each
// page that is used again.
class FreeMemoryReleaser {
 public:
  // `release`: what releasing is (tests count it); by default malloc_trim(0).
  explicit FreeMemoryReleaser(std::chrono::steady_clock::duration every,
                              std::function<void()> release = {});
  void maybe_release(std::chrono::steady_clock::time_point now);

 private:
  const std::chrono::steady_clock::duration every_;
  const std::function<void()> release_;
  std::chrono::steady_clock::time_point last_{};
  bool released_ = false;
};

}  // namespace frankenetes::daemon
