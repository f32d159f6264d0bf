#include "daemon/cli.h"

#include <gtest/gtest.h>

namespace frankenetes::daemon {
namespace {

TEST(Cli, DefaultsToTheSystemConfigPath) {
  const auto r = parse_cli({});
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.options.config_path, "/etc/frankenetes/frankenetesd.yaml");
  EXPECT_FALSE(r.options.check_config);
  EXPECT_FALSE(r.options.dry_run);
}

TEST(Cli, ParsesEveryOption) {
  const auto r = parse_cli({"--config", "a.yaml", "--check-config", "--dry-run", "--once",
                            "--log-level=debug"});
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.options.config_path, "a.yaml");
  EXPECT_TRUE(r.options.check_config);
  EXPECT_TRUE(r.options.dry_run);
  EXPECT_TRUE(r.options.once);
  EXPECT_EQ(r.options.log_level, "debug");
}

TEST(Cli, ReportsUsageErrors) {
  EXPECT_EQ(parse_cli({"--config"}).error, "option --config needs a value");
  EXPECT_EQ(parse_cli({"--frobnicate"}).error, "unknown argument \"--frobnicate\"");
  EXPECT_EQ(parse_cli({"--log-level", "loud"}).error,
            "invalid --log-level \"loud\" (expected one of: trace, debug, info, warn, error, critical, off)");
  EXPECT_EQ(parse_cli({"--dry-run=yes"}).error, "option --dry-run takes no value");
}

TEST(Cli, VersionNamesCommitAndBuildType) {
  EXPECT_EQ(version_text().rfind("frankenetesd ", 0), 0u);
  EXPECT_NE(version_text().find("(commit "), std::string::npos);
  EXPECT_NE(version_text().find(", build "), std::string::npos);
}

}  // namespace
}  // namespace frankenetes::daemon
