// The status renderers (lib/status/status_render.h): a StatusSnapshot built from the input —
// strings as they might come from Azure or a member (any bytes, invalid UTF-8 included), times
// anywhere in core::SystemTime's range, missing and present values — rendered as the HTML page
// and as /status JSON. The JSON must parse, and the page must not carry a '<' that came from
// the snapshot's strings unescaped.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

#include "status/status_render.h"

namespace {

using namespace frankenetes;
using namespace frankenetes::status;

// Strings never contain the marker itself unescaped: the page must show it as "&lt;fz".
constexpr const char* kMarker = "<fz";

std::string text(FuzzedDataProvider& in) {
  std::string s = in.ConsumeRandomLengthString(64);
  if (in.ConsumeBool()) s += kMarker;
  return s;
}

core::SystemTime time_point(FuzzedDataProvider& in) {
  return core::SystemTime{
      core::SystemTime::duration{in.ConsumeIntegral<core::SystemTime::duration::rep>()}};
}

core::Duration duration(FuzzedDataProvider& in) {
  return core::Duration{in.ConsumeIntegral<core::Duration::rep>()};
}

template <class T, class F>
std::optional<T> maybe(FuzzedDataProvider& in, F make) {
  if (!in.ConsumeBool()) return std::nullopt;
  return make(in);
}

MemberStatus member(FuzzedDataProvider& in) {
  MemberStatus m;
  m.cluster = text(in);
  m.name = text(in);
  m.role = in.PickValueInArray({"etcd", "kube-apiserver", "kube-scheduler", "x"});
  m.health = in.PickValueInArray({"healthy", "unhealthy", "unknown", ""});
  m.health_detail = text(in);
  m.group_read = in.PickValueInArray({"found", "not_found", "error", "never"});
  m.group_error = text(in);
  m.aci_state = maybe<std::string>(in, text);
  m.provisioning_state = maybe<std::string>(in, text);
  m.ip = maybe<std::string>(in, text);
  for (int i = in.ConsumeIntegralInRange(0, 3); i > 0; --i) {
    m.containers.push_back(
        {text(in), maybe<std::string>(in, text), text(in),
         maybe<int>(in, [](auto& p) { return p.template ConsumeIntegral<int>(); })});
  }
  m.observed_at = maybe<core::SystemTime>(in, time_point);
  m.probe.configured = in.ConsumeBool();
  m.probe.success = maybe<bool>(in, [](auto& p) { return p.ConsumeBool(); });
  m.probe.latency = maybe<core::Duration>(in, duration);
  m.probe.error = text(in);
  m.probe.at = maybe<core::SystemTime>(in, time_point);
  if (in.ConsumeBool()) {
    DnsStatus dns;
    dns.provider = text(in);
    dns.fqdn = text(in);
    dns.in_sync = maybe<bool>(in, [](auto& p) { return p.ConsumeBool(); });
    dns.skip_reason = text(in);
    dns.detail = text(in);
    dns.read_at = maybe<core::SystemTime>(in, time_point);
    dns.read_deferred = in.ConsumeBool();
    m.dns = dns;
  }
  m.rung = in.ConsumeIntegral<int>();
  m.backoff_left = maybe<core::Duration>(in, duration);
  m.gave_up = in.ConsumeBool();
  m.needs_person = in.ConsumeBool();
  if (in.ConsumeBool()) {
    ActionStatus a{text(in),
                   in.ConsumeIntegral<int>(),
                   text(in),
                   text(in),
                   text(in),
                   maybe<core::SystemTime>(in, time_point),
                   maybe<core::SystemTime>(in, time_point)};
    m.last_action = a;
  }
  if (in.ConsumeBool()) m.skip = SkipStatus{text(in), text(in)};
  m.paused = in.ConsumeBool();
  if (in.ConsumeBool()) {
    m.etcd = EtcdStatus{in.ConsumeBool(), maybe<core::Duration>(in, duration), text(in),
                        in.ConsumeBool(), text(in)};
  }
  return m;
}

StatusSnapshot snapshot(FuzzedDataProvider& in) {
  StatusSnapshot s;
  s.generated_at = time_point(in);
  s.build = {text(in), text(in), text(in)};
  s.started_at = maybe<core::SystemTime>(in, time_point);
  s.admin_enabled = in.ConsumeBool();
  if (in.ConsumeBool()) {
    PlanStatus plan;
    for (int c = in.ConsumeIntegralInRange(0, 2); c > 0; --c) {
      ClusterStatus cluster{text(in), {}};
      for (int m = in.ConsumeIntegralInRange(0, 3); m > 0; --m)
        cluster.members.push_back(member(in));
      plan.clusters.push_back(std::move(cluster));
    }
    plan.budget = {in.ConsumeIntegral<int>(), in.ConsumeIntegral<int>(), in.ConsumeBool()};
    plan.dry_run = in.ConsumeBool();
    plan.last_full_observation = maybe<core::SystemTime>(in, time_point);
    plan.observation_error = text(in);
    s.plan = std::move(plan);
  }
  auto number = [](auto& p) { return p.template ConsumeIntegral<long>(); };
  for (int i = in.ConsumeIntegralInRange(0, 2); i > 0; --i) {
    s.arm.subscriptions.push_back({text(in), maybe<long>(in, number), maybe<long>(in, number),
                                   maybe<core::Duration>(in, duration)});
  }
  s.arm.defer_below_reads = maybe<long>(in, number);
  if (in.ConsumeBool()) {
    CoordinationStatus coordination{text(in), {}};
    for (int i = in.ConsumeIntegralInRange(0, 2); i > 0; --i) {
      coordination.clusters.push_back({text(in), text(in), in.ConsumeBool()});
    }
    s.coordination = std::move(coordination);
  }
  for (int i = in.ConsumeIntegralInRange(0, 4); i > 0; --i) {
    s.events.push_back(
        {time_point(in), text(in), text(in), text(in), text(in), text(in), text(in)});
  }
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  const StatusSnapshot s = snapshot(in);

  const std::string page = render_status_html(s);
  if (page.find(kMarker) != std::string::npos) std::abort();  // unescaped peer text

  const std::string json = render_status_json(s);
  if (!nlohmann::json::accept(json)) std::abort();
  return 0;
}
