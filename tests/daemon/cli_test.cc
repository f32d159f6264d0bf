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

TEST(Cli, EtcdRestoreCommand) {
  const auto r = parse_cli({"etcd", "restore", "-c", "a.yaml", "--cluster", "prod", "--member=etcd",
                            "--snapshot", "snapshots/prod/etcd/x.db", "--yes", "--dry-run"});
  ASSERT_EQ(r.error, "");
  ASSERT_TRUE(r.options.etcd_restore.has_value());
  EXPECT_EQ(r.options.config_path, "a.yaml");
  EXPECT_EQ(r.options.etcd_restore->cluster, "prod");
  EXPECT_EQ(r.options.etcd_restore->member, "etcd");
  EXPECT_EQ(r.options.etcd_restore->snapshot, "snapshots/prod/etcd/x.db");
  EXPECT_TRUE(r.options.etcd_restore->yes);
  EXPECT_TRUE(r.options.dry_run);
  EXPECT_FALSE(parse_cli({}).options.etcd_restore.has_value());
}

TEST(Cli, EtcdRestoreUsageErrors) {
  EXPECT_EQ(parse_cli({"etcd"}).error, "unknown command \"etcd\" (expected: etcd restore)");
  EXPECT_EQ(parse_cli({"etcd", "backup"}).error,
            "unknown command \"etcd backup\" (expected: etcd restore)");
  EXPECT_EQ(parse_cli({"etcd", "restore", "--cluster", "prod"}).error,
            "etcd restore needs --cluster and --member");
  EXPECT_EQ(parse_cli({"etcd", "restore", "--cluster", "p", "--member", "e", "--once"}).error,
            "etcd restore takes no --check-config or --once");
  EXPECT_EQ(parse_cli({"--yes"}).error, "unknown argument \"--yes\"") << "only with etcd restore";
}

TEST(Cli, VersionNamesCommitAndBuildType) {
  EXPECT_EQ(version_text().rfind("frankenetesd ", 0), 0u);
  EXPECT_NE(version_text().find("(commit "), std::string::npos);
  EXPECT_NE(version_text().find(", build "), std::string::npos);
}

}  // namespace
}  // namespace frankenetes::daemon
