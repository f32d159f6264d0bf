#include "sim/request_log.h"

#include <algorithm>

#include "sim/ids.h"

namespace frankenetes::sim {

void RequestLog::add(RequestLogEntry entry) {
  entry.seq = next_seq_++;
  entries_.push_back(std::move(entry));
  while (entries_.size() > capacity_) entries_.pop_front();
}

void RequestLog::clear() { entries_.clear(); }

std::uint64_t RequestLog::first_seq() const { return entries_.empty() ? next_seq_ : entries_.front().seq; }

nlohmann::json RequestLog::query(const RequestLogFilter& f) const {
  auto list = nlohmann::json::array();
  std::size_t count = 0;
  // Sequence numbers are consecutive from front to back, so `since` is an index: a benchmark
  // counting the calls of the last seconds pays for those, not for the whole log.
  std::size_t start = 0;
  if (f.since_seq && !entries_.empty() && *f.since_seq >= entries_.front().seq) {
    start = static_cast<std::size_t>(std::min<std::uint64_t>(*f.since_seq - entries_.front().seq + 1, entries_.size()));
  }
  for (auto it = entries_.begin() + static_cast<std::ptrdiff_t>(start); it != entries_.end(); ++it) {
    const auto& e = *it;
    if (f.api && e.api != *f.api) continue;
    if (f.operation && e.operation != *f.operation) continue;
    if (f.method && e.method != *f.method) continue;
    if (f.status && e.status != *f.status) continue;
    if (f.fault && e.fault != *f.fault) continue;
    if (f.since_seq && e.seq <= *f.since_seq) continue;
    if (f.path_contains && e.path.find(*f.path_contains) == std::string::npos) continue;
    ++count;
    if (list.size() >= f.limit) continue;
    list.push_back({{"seq", e.seq},
                    {"time", format_time_7(e.time)},
                    {"api", e.api},
                    {"operation", e.operation},
                    {"method", e.method},
                    {"path", e.path},
                    {"status", e.status},
                    {"userAgent", e.user_agent},
                    {"requestId", e.request_id},
                    {"durationMs", e.duration_ms},
                    {"fault", e.fault}});
  }
  return {{"count", count}, {"firstSeq", first_seq()}, {"lastSeq", last_seq()}, {"entries", list}};
}

}  // namespace frankenetes::sim
