#pragma once
// ProcessCollector: the standard process_* metrics (as Prometheus' client_golang and
// client_python export them) read from /proc/self on every scrape. prometheus-cpp core has no
// such collector. Linux only.

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <string>
#include <vector>

namespace frankenetes::status {

class ProcessCollector final : public prometheus::Collectable {
 public:
  std::vector<prometheus::MetricFamily> Collect() const override;
};

// The parsed pieces of /proc, exposed for tests.
struct ProcessStats {
  double cpu_seconds = 0;        // utime + stime
  double start_time_seconds = 0; // since the Unix epoch
  double resident_bytes = 0;
  double virtual_bytes = 0;
  double open_fds = 0;
  double max_fds = 0;
};
// `stat` is /proc/self/stat, `boot_time` the btime line value of /proc/stat.
bool parse_proc_stat(const std::string& stat, long ticks_per_second, long page_size,
                     double boot_time_seconds, ProcessStats& out);
ProcessStats read_process_stats();

}  // namespace frankenetes::status
