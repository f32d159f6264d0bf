#include "status/metrics.h"

#include <gtest/gtest.h>

#include "status/process_collector.h"

namespace frankenetes::status {
namespace {

TEST(Metrics, ExposesBuildInfoReloadsAndProcessMetrics) {
  Metrics metrics({"1.2.3", "abc123", "Debug"});
  metrics.record_config_reload(false, 100);
  const auto text = metrics.render();
  EXPECT_NE(text.find(R"(frankenetes_build_info{build_type="Debug",commit="abc123",version="1.2.3"} 1)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(frankenetes_config_reload_total{result="failure"} 1)"), std::string::npos);
  EXPECT_NE(text.find(R"(frankenetes_config_reload_total{result="success"} 0)"), std::string::npos);
  EXPECT_NE(text.find("frankenetes_config_last_reload_successful 0"), std::string::npos);
  for (const char* name : {"process_resident_memory_bytes", "process_cpu_seconds_total",
                           "process_start_time_seconds", "process_open_fds"}) {
    EXPECT_NE(text.find(std::string("\n") + name + " "), std::string::npos) << name;
  }
}

TEST(Metrics, CountsInternalErrorsByComponent) {
  Metrics metrics({"1.2.3", "abc123", "Debug"});
  metrics.internal_error("worker:reads");
  metrics.internal_error("worker:reads");
  metrics.internal_error("http_server");
  const auto text = metrics.render();
  EXPECT_NE(text.find("# TYPE frankenetes_internal_errors_total counter"), std::string::npos) << text;
  EXPECT_NE(text.find(R"(frankenetes_internal_errors_total{component="worker:reads"} 2)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(frankenetes_internal_errors_total{component="http_server"} 1)"),
            std::string::npos);
}

TEST(Metrics, ClusterLeaderIsOneSeriesPerClusterAndReplica) {
  Metrics metrics({"1.2.3", "abc123", "Debug"});
  metrics.record_cluster_leader("prod", "east-1", true);
  metrics.record_cluster_leader("stage", "east-1", false);
  auto text = metrics.render();
  EXPECT_NE(text.find("frankenetes_cluster_leader{cluster=\"prod\",replica=\"east-1\"} 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("frankenetes_cluster_leader{cluster=\"stage\",replica=\"east-1\"} 0"),
            std::string::npos);
  metrics.remove_cluster_leader("stage", "east-1");
  text = metrics.render();
  EXPECT_EQ(text.find("cluster=\"stage\""), std::string::npos);
}

// The leader gauge answers for the moment of the scrape (the coordination stack asks the
// fencing rule there), not for the end of the last lease tick, which can hang on storage.
TEST(Metrics, TheBeforeRenderFunctionRunsAtEveryScrapeUntilCleared) {
  Metrics metrics({"1.2.3", "abc123", "Debug"});
  bool may_act = true;
  int calls = 0;
  metrics.set_before_render([&] {
    ++calls;
    metrics.record_cluster_leader("prod", "east-1", may_act);
  });
  EXPECT_NE(metrics.render().find("frankenetes_cluster_leader{cluster=\"prod\",replica=\"east-1\"} 1"),
            std::string::npos);
  may_act = false;  // the fencing margin passed while a renewal hangs
  EXPECT_NE(metrics.render().find("frankenetes_cluster_leader{cluster=\"prod\",replica=\"east-1\"} 0"),
            std::string::npos);
  EXPECT_EQ(calls, 2);
  metrics.set_before_render({});
  may_act = true;
  EXPECT_NE(metrics.render().find("frankenetes_cluster_leader{cluster=\"prod\",replica=\"east-1\"} 0"),
            std::string::npos);
  EXPECT_EQ(calls, 2);
}

TEST(ProcessCollector, ParsesProcStatWithSpacesAndParensInTheName) {
  // Fields from proc(5); the command name contains ") (" to exercise the last-')' rule.
  const std::string stat =
      "1234 (a) (b c) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 3 0 1000 "
      "104857600 2560 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";
  ProcessStats s;
  ASSERT_TRUE(parse_proc_stat(stat, 100, 4096, 1'700'000'000, s));
  EXPECT_DOUBLE_EQ(s.cpu_seconds, 3.0);                  // (250 + 50) / 100
  EXPECT_DOUBLE_EQ(s.start_time_seconds, 1'700'000'010);  // boot + 1000 / 100
  EXPECT_DOUBLE_EQ(s.virtual_bytes, 104857600);
  EXPECT_DOUBLE_EQ(s.resident_bytes, 2560.0 * 4096);
}

TEST(ProcessCollector, RejectsTruncatedStat) {
  ProcessStats s;
  EXPECT_FALSE(parse_proc_stat("1234 (x) S 1 2", 100, 4096, 0, s));
  EXPECT_FALSE(parse_proc_stat("garbage", 100, 4096, 0, s));
}

TEST(ProcessCollector, ReadsThisProcess) {
  const auto s = read_process_stats();
  EXPECT_GT(s.resident_bytes, 0);
  EXPECT_GT(s.open_fds, 2);  // stdin, stdout, stderr at least
  EXPECT_GT(s.start_time_seconds, 1'600'000'000);
}

}  // namespace
}  // namespace frankenetes::status
