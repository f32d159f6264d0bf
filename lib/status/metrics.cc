#include "status/metrics.h"

#include <prometheus/text_serializer.h>

#include "status/process_collector.h"

namespace frankenetes::status {

Metrics::Metrics(const BuildInfo& build)
    : registry_(std::make_shared<prometheus::Registry>()),
      build_info(prometheus::BuildGauge()
                     .Name("frankenetes_build_info")
                     .Help("Build information; the value is always 1.")
                     .Register(*registry_)),
      config_reload_total(prometheus::BuildCounter()
                              .Name("frankenetes_config_reload_total")
                              .Help("Configuration reloads (SIGHUP) by result.")
                              .Register(*registry_)),
      config_last_reload_successful(
          prometheus::BuildGauge()
              .Name("frankenetes_config_last_reload_successful")
              .Help("Whether the last configuration reload attempt succeeded (1) or not (0).")
              .Register(*registry_)
              .Add({})),
      config_last_reload_success_timestamp_seconds(
          prometheus::BuildGauge()
              .Name("frankenetes_config_last_reload_success_timestamp_seconds")
              .Help("Time of the last successful configuration load, in seconds since the epoch.")
              .Register(*registry_)
              .Add({})) {
  build_info.Add({{"version", build.version}, {"commit", build.commit}, {"build_type", build.build_type}})
      .Set(1);
  // Both results exist from the start so that rate() and alerts see a zero, not a gap.
  config_reload_total.Add({{"result", "success"}});
  config_reload_total.Add({{"result", "failure"}});
  config_last_reload_successful.Set(1);
}

void Metrics::record_config_reload(bool success, double now_seconds) {
  config_reload_total.Add({{"result", success ? "success" : "failure"}}).Increment();
  config_last_reload_successful.Set(success ? 1 : 0);
  if (success) config_last_reload_success_timestamp_seconds.Set(now_seconds);
}

std::string Metrics::render() const {
  // prometheus::Registry takes only its own families, so process metrics are collected
  // beside it and serialised together.
  auto families = registry_->Collect();
  auto process = ProcessCollector().Collect();
  families.insert(families.end(), process.begin(), process.end());
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace frankenetes::status
