#pragma once
// This process's resident memory, for bench/etcd_snapshot: VmRSS now and the peak since a
// reset. The peak is the kernel's VmHWM, reset by writing "5" to /proc/self/clear_refs
// (Linux 4.0+); where that write is refused, a thread samples VmRSS every 2 ms instead (and
// can miss a spike shorter than that, which the table then says).
//
//   PeakRss peak;                // resets the high-water mark
//   run();
//   peak.kib();                  // the highest VmRSS since construction
//
// glibc keeps freed memory in its arenas, where a later allocation reuses it without raising
// RSS; release_freed_memory() (malloc_trim) hands it back first, so a measurement that
// follows cannot hide its allocations in what an earlier phase left behind.

#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>

namespace frankenetes::bench {

// A "Vm…:" line of /proc/self/status, in KiB.
inline std::uint64_t status_kib(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stoull(line.substr(field.size() + 1));
  }
  throw std::runtime_error("/proc/self/status has no " + field + " line");
}

inline std::uint64_t rss_kib() { return status_kib("VmRSS"); }

inline void release_freed_memory() { malloc_trim(0); }

class PeakRss {
 public:
  PeakRss() {
    std::ofstream clear("/proc/self/clear_refs");
    clear << "5";
    clear.flush();
    // A reset that worked leaves VmHWM at VmRSS (give or take a page faulted in meanwhile).
    high_water_mark_ = clear.good() && status_kib("VmHWM") <= rss_kib() + 64;
    if (!high_water_mark_) {
      sampled_ = rss_kib();
      sampler_ = std::thread([this] {
        while (!stop_.load()) {
          sampled_ = std::max(sampled_.load(), rss_kib());
          std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
      });
    }
  }
  ~PeakRss() { stop(); }
  PeakRss(const PeakRss&) = delete;
  PeakRss& operator=(const PeakRss&) = delete;

  std::uint64_t kib() {
    if (high_water_mark_) return status_kib("VmHWM");
    stop();
    return std::max(sampled_.load(), rss_kib());
  }
  // "VmHWM" or "VmRSS sampled every 2 ms".
  const char* method() const { return high_water_mark_ ? "VmHWM" : "VmRSS sampled every 2 ms"; }

 private:
  void stop() {
    stop_ = true;
    if (sampler_.joinable()) sampler_.join();
  }

  bool high_water_mark_ = false;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> sampled_{0};
  std::thread sampler_;
};

}  // namespace frankenetes::bench
