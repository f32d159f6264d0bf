#pragma once
// Metrics: every Prometheus metric family the daemon exports, declared in one place (STYLE.md
// §10) with the `frankenetes_` prefix, base units and bounded label sets. Components receive
// a Metrics& from the composition root and update the series they own; nothing registers
// families elsewhere. render() produces the text exposition served at /metrics.

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <memory>
#include <string>

namespace frankenetes::status {

struct BuildInfo {
  std::string version;
  std::string commit;
  std::string build_type;
};

class Metrics {
 public:
  explicit Metrics(const BuildInfo& build);
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Text exposition format 0.0.4 of every family, including process_* metrics.
  std::string render() const;
  static constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

  void record_config_reload(bool success, double now_seconds);

 private:
  std::shared_ptr<prometheus::Registry> registry_;

 public:
  // Families (declared after registry_, which owns them). Label values are bounded sets.
  prometheus::Family<prometheus::Gauge>& build_info;
  prometheus::Family<prometheus::Counter>& config_reload_total;  // {result=success|failure}
  prometheus::Gauge& config_last_reload_successful;
  prometheus::Gauge& config_last_reload_success_timestamp_seconds;
};

}  // namespace frankenetes::status
