#pragma once
// HealthEndpoint: what `--health-listen` answers. In virtual mode no container process exists
// for a member probe to reach, so probes are aimed at this endpoint instead, with the group's
// public IP in the path (a daemon probe URL template "http://127.0.0.1:PORT/health/{ip}"):
//
//   GET /health/{ip}[/more/path]   (the rest of the path is ignored)
//     404  no group holds that IP now (a probe still aimed at an old IP fails, as it would)
//     503  the group is not Running, or one of its containers is not running (crash loop:
//          Waiting/Terminated); the body says which, in one line
//     —    a container of the group is hung: no answer (as from a SIGSTOPped process) until
//          the hang ends (then the verdict of that moment), or 503 "hung" after hang_cap
//     200  "ok"
//
//   POST /v3/maintenance/status   (what the daemon reads of every etcd member after a passing
//                                  probe, at the origin of its probe URL: this endpoint)
//     200  etcd 3.4's JSON gateway answer, one fixed cluster and member for every caller, the
//          revision one higher at every call (a busy etcd's). No group is looked up: the URL
//          names none. So a benchmark pays for the status reads a live etcd would answer,
//          parsed and recorded, rather than for a 405.
//
// Benchmarks probe thousands of groups every few seconds through it, so an answer is O(1)
// (AciModel::find_by_ip) and nothing is written to the request log. A hung answer costs no
// thread: the responder is parked here and tick() answers it later.
//
// Pure and single-threaded like Simulator (call from the sim's io thread): no sockets, time
// from a TimeSource. main.cc puts an HttpServer in front of it.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/time_source.h"
#include "http/message.h"
#include "sim/aci_model.h"

namespace frankenetes::sim {

struct HealthVerdict {
  enum class Kind { kOk, kNoSuchIp, kUnhealthy, kHung };
  Kind kind = Kind::kOk;
  std::string reason;  // one line: why not ok ("" when ok)
};

// The verdict for a probe of `ip` on the model as it is (advance() it first).
HealthVerdict health_verdict(const AciModel& model, const std::string& ip);

// The HTTP answer of a verdict that is not kHung.
http::Response health_response(const HealthVerdict& verdict);

class HealthEndpoint {
 public:
  static constexpr core::Duration kDefaultHangCap = std::chrono::seconds(120);

  HealthEndpoint(AciModel& model, const core::TimeSource& time, core::Duration hang_cap = kDefaultHangCap);

  // Answers through `respond` at once, or parks it while the group's container hangs.
  void handle(const http::Request& request, http::Responder respond);
  // Answers parked probes whose hang ended (with the verdict now) or that waited hang_cap
  // (503 "hung"). Call often (the sim's tick).
  void tick();

  std::size_t parked() const { return parked_.size(); }
  std::uint64_t etcd_revision() const { return etcd_revision_; }  // the last one answered
  core::Duration hang_cap() const { return hang_cap_; }

 private:
  struct Parked {
    std::string ip;
    core::MonotonicTime since;
    http::Responder respond;
  };

  AciModel& model_;
  const core::TimeSource& time_;
  core::Duration hang_cap_;
  std::vector<Parked> parked_;
  std::uint64_t etcd_revision_ = 1;  // a new etcd store's
};

}  // namespace frankenetes::sim
