#include "status/process_collector.h"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace frankenetes::status {
namespace {

std::string read_file(const char* path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

double boot_time_seconds() {
  std::ifstream in("/proc/stat");
  std::string key;
  while (in >> key) {
    if (key == "btime") {
      double v = 0;
      in >> v;
      return v;
    }
    in.ignore(1 << 20, '\n');
  }
  return 0;
}

prometheus::MetricFamily gauge(const char* name, const char* help, double value,
                               prometheus::MetricType type = prometheus::MetricType::Gauge) {
  prometheus::MetricFamily family;
  family.name = name;
  family.help = help;
  family.type = type;
  prometheus::ClientMetric m;
  if (type == prometheus::MetricType::Counter) {
    m.counter.value = value;
  } else {
    m.gauge.value = value;
  }
  family.metric.push_back(m);
  return family;
}

}  // namespace

bool parse_proc_stat(const std::string& stat, long ticks_per_second, long page_size,
                     double boot_time, ProcessStats& out) {
  // The command name (field 2) is in parentheses and may contain spaces or ')': fields after
  // it start after the LAST ')' (proc(5)).
  const auto close = stat.rfind(')');
  if (close == std::string::npos || ticks_per_second <= 0) return false;
  std::istringstream rest(stat.substr(close + 2));
  std::vector<std::string> f;  // f[0] is field 3 (state)
  std::string token;
  while (rest >> token) f.push_back(token);
  if (f.size() < 22) return false;
  try {
    const double utime = std::stod(f[11]);       // field 14
    const double stime = std::stod(f[12]);       // field 15
    const double starttime = std::stod(f[19]);   // field 22, ticks after boot
    const double vsize = std::stod(f[20]);       // field 23, bytes
    const double rss_pages = std::stod(f[21]);   // field 24, pages
    out.cpu_seconds = (utime + stime) / static_cast<double>(ticks_per_second);
    out.start_time_seconds = boot_time + starttime / static_cast<double>(ticks_per_second);
    out.virtual_bytes = vsize;
    out.resident_bytes = rss_pages * static_cast<double>(page_size);
  } catch (const std::exception&) {
    return false;
  }
  return true;
}

ProcessStats read_process_stats() {
  ProcessStats stats;
  parse_proc_stat(read_file("/proc/self/stat"), sysconf(_SC_CLK_TCK), sysconf(_SC_PAGESIZE),
                  boot_time_seconds(), stats);
  std::error_code ec;
  double fds = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
       it.increment(ec)) {
    ++fds;
  }
  stats.open_fds = fds;
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) stats.max_fds = static_cast<double>(limit.rlim_cur);
  return stats;
}

std::vector<prometheus::MetricFamily> ProcessCollector::Collect() const {
  const auto s = read_process_stats();
  return {
      gauge("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
            s.cpu_seconds, prometheus::MetricType::Counter),
      gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
            s.start_time_seconds),
      gauge("process_resident_memory_bytes", "Resident memory size in bytes.", s.resident_bytes),
      gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", s.virtual_bytes),
      gauge("process_open_fds", "Number of open file descriptors.", s.open_fds),
      gauge("process_max_fds", "Maximum number of open file descriptors.", s.max_fds),
  };
}

}  // namespace frankenetes::status
