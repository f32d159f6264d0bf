#pragma once
// RequestLog: every request the simulated Azure answered (ARM, DNS, Cloudflare, token, IMDS),
// kept in memory so tests and benchmarks can count and assert calls through the control API
// (GET /requests, DELETE /requests). Bounded: the oldest entries fall off past `capacity`
// (frankenetes-sim --request-log-capacity; firstSeq in a query's answer shows where it starts).

#include <cstdint>
#include <deque>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/time_source.h"

namespace frankenetes::sim {

struct RequestLogEntry {
  std::uint64_t seq = 0;
  core::SystemTime time;
  std::string api;        // arm | dns | cloudflare | token | imds
  std::string operation;  // list | get | put | delete | restart | stop | start | logs | operation | …
  std::string method;
  std::string path;  // the request target, query included
  int status = 0;
  std::string user_agent;
  std::string request_id;
  double duration_ms = 0;
  std::string fault;  // the injected fault that shaped the answer ("" = none; see ArmReply::fault)
};

struct RequestLogFilter {
  std::optional<std::string> api;
  std::optional<std::string> operation;
  std::optional<std::string> method;
  std::optional<std::string> path_contains;
  std::optional<int> status;
  std::optional<std::string> fault;  // "" matches entries without a fault
  std::optional<std::uint64_t> since_seq;  // entries with seq > since_seq
  std::size_t limit = 10000;
};

class RequestLog {
 public:
  explicit RequestLog(std::size_t capacity = 100000) : capacity_(capacity) {}
  void add(RequestLogEntry entry);
  void clear();
  std::uint64_t last_seq() const { return next_seq_ - 1; }
  // The oldest entry kept (last_seq() + 1 when empty): a `since` below it lost entries.
  std::uint64_t first_seq() const;
  // {"count": n, "firstSeq": f, "lastSeq": s, "entries": [...]} (count is over all matches,
  // entries capped). O(entries after since_seq) when since_seq is set.
  nlohmann::json query(const RequestLogFilter& filter) const;

 private:
  std::size_t capacity_;
  std::uint64_t next_seq_ = 1;
  std::deque<RequestLogEntry> entries_;
};

}  // namespace frankenetes::sim
