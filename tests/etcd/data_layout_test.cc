// Where etcd keeps its data, from a container group's command, environment and volumes.

#include "etcd/data_layout.h"

#include <gtest/gtest.h>

namespace frankenetes::etcd {
namespace {

struct LayoutCase {
  std::string name;
  std::vector<std::string> command;
  std::vector<std::pair<std::string, std::string>> env;
  std::vector<model::VolumeMount> mounts;
  std::vector<model::Volume> volumes;
  std::string data_dir;
  Durability data;
  std::string wal_dir;
  Durability wal;
};

model::ContainerGroupView group(const LayoutCase& c) {
  model::ContainerGroupView g;
  model::ContainerView etcd;
  etcd.name = "etcd";
  etcd.image = "quay.io/coreos/etcd:v3.2.8";
  etcd.command = c.command;
  etcd.env = c.env;
  etcd.volume_mounts = c.mounts;
  g.containers.push_back(etcd);
  g.volumes = c.volumes;
  return g;
}

const model::Volume kShare{"etcd", model::VolumeKind::kAzureFile};
const model::Volume kScratch{"scratch", model::VolumeKind::kEmptyDir};
constexpr auto kP = Durability::kPersistent;
constexpr auto kE = Durability::kEphemeral;
constexpr auto kU = Durability::kUnknown;

class Layouts : public ::testing::TestWithParam<LayoutCase> {};

TEST_P(Layouts, Analyze) {
  const auto& c = GetParam();
  const auto layout = analyze_etcd_layout(group(c));
  ASSERT_TRUE(layout.has_value());
  EXPECT_EQ(layout->data_dir.path, c.data_dir);
  EXPECT_EQ(layout->data_dir.durability, c.data);
  EXPECT_EQ(layout->wal_dir.path, c.wal_dir);
  EXPECT_EQ(layout->wal_dir.durability, c.wal);
  EXPECT_EQ(layout->persistent(), c.data == kP && c.wal == kP);
}

INSTANTIATE_TEST_SUITE_P(
    Etcd, Layouts,
    ::testing::Values(
        // frankenetes.sh: the WAL inside the container.
        LayoutCase{"original_frankenetes", {"/usr/local/bin/etcd", "--name=aci", "--data-dir=/etcd/data", "--wal-dir=/etcd-wal"},
                   {}, {{"etcd", "/etcd"}}, {kShare}, "/etcd/data", kP, "/etcd-wal", kE},
        LayoutCase{"both_on_the_share", {"etcd", "--data-dir", "/etcd/data", "--wal-dir", "/etcd/wal"},
                   {}, {{"etcd", "/etcd"}}, {kShare}, "/etcd/data", kP, "/etcd/wal", kP},
        LayoutCase{"wal_defaults_under_data_dir", {"etcd", "--data-dir=/etcd/data"},
                   {}, {{"etcd", "/etcd/"}}, {kShare}, "/etcd/data", kP, "/etcd/data/member/wal", kP},
        LayoutCase{"default_data_dir_is_relative", {"etcd", "--name=infra0"},
                   {}, {{"etcd", "/etcd"}}, {kShare}, "infra0.etcd", kE, "infra0.etcd/member/wal", kE},
        LayoutCase{"shell_wrapper", {"/bin/sh", "-c", "exec etcd --data-dir='/etcd/data' --wal-dir=/etcd/wal"},
                   {}, {{"etcd", "/etcd"}}, {kShare}, "/etcd/data", kP, "/etcd/wal", kP},
        LayoutCase{"environment_variables", {"etcd"},
                   {{"ETCD_DATA_DIR", "/etcd/data"}, {"ETCD_WAL_DIR", "/wal"}}, {{"etcd", "/etcd"}}, {kShare},
                   "/etcd/data", kP, "/wal", kE},
        LayoutCase{"flags_win_over_environment", {"etcd", "--wal-dir=/etcd/wal"},
                   {{"ETCD_DATA_DIR", "/etcd/data"}, {"ETCD_WAL_DIR", "/wal"}}, {{"etcd", "/etcd"}}, {kShare},
                   "/etcd/data", kP, "/etcd/wal", kP},
        LayoutCase{"empty_dir_dies_with_the_group", {"etcd", "--data-dir=/var/lib/etcd"},
                   {}, {{"scratch", "/var/lib/etcd"}}, {kScratch}, "/var/lib/etcd", kE, "/var/lib/etcd/member/wal", kE},
        LayoutCase{"deepest_mount_wins", {"etcd", "--data-dir=/etcd/data", "--wal-dir=/etcd/tmp/wal"},
                   {}, {{"etcd", "/etcd"}, {"scratch", "/etcd/tmp"}}, {kShare, kScratch},
                   "/etcd/data", kP, "/etcd/tmp/wal", kE},
        LayoutCase{"a_prefix_is_not_a_parent", {"etcd", "--data-dir=/etcdfoo/data", "--wal-dir=/etcdfoo/wal"},
                   {}, {{"etcd", "/etcd"}}, {kShare}, "/etcdfoo/data", kE, "/etcdfoo/wal", kE},
        LayoutCase{"mount_of_an_undeclared_volume", {"etcd", "--data-dir=/etcd/data", "--wal-dir=/etcd/wal"},
                   {}, {{"etcd", "/etcd"}}, {}, "/etcd/data", kU, "/etcd/wal", kU}),
    [](const auto& param_info) { return param_info.param.name; });

TEST(EtcdLayout, DescribeNamesWhereEachDirectoryLives) {
  LayoutCase c{"", {"etcd", "--data-dir=/etcd/data", "--wal-dir=/etcd-wal"}, {}, {{"etcd", "/etcd"}}, {kShare},
               "", kP, "", kE};
  EXPECT_EQ(analyze_etcd_layout(group(c))->describe(),
            "data-dir /etcd/data on azureFile volume etcd; wal-dir /etcd-wal in the container filesystem");
}

TEST(EtcdLayout, TheEtcdContainerIsFoundAmongSidecars) {
  model::ContainerGroupView g;
  model::ContainerView sidecar;
  sidecar.name = "log-shipper";
  sidecar.image = "fluent-bit";
  sidecar.command = {"fluent-bit", "-c", "/conf"};
  model::ContainerView etcd;
  etcd.name = "db";
  etcd.image = "registry/custom";
  etcd.command = {"/usr/local/bin/etcd", "--data-dir=/etcd/data", "--wal-dir=/etcd/wal"};
  etcd.volume_mounts = {{"etcd", "/etcd"}};
  g.containers = {sidecar, etcd};
  g.volumes = {kShare};
  const auto layout = analyze_etcd_layout(g);
  ASSERT_TRUE(layout);
  EXPECT_TRUE(layout->persistent());
}

TEST(EtcdLayout, NothingToReadIsNoLayout) {
  model::ContainerGroupView g;
  EXPECT_FALSE(analyze_etcd_layout(g).has_value());
  model::ContainerView a, b;
  a.name = "a";
  b.name = "b";
  g.containers = {a, b};
  EXPECT_FALSE(analyze_etcd_layout(g).has_value());
}

// --- where a restore writes ---------------------------------------------------------------

model::ContainerGroupView on_share(std::vector<std::string> command, std::string mount = "/etcd",
                                   std::string share = "etcd") {
  LayoutCase c{"x", std::move(command), {}, {{"etcd", std::move(mount)}}, {kShare}, "", kP, "", kP};
  auto g = group(c);
  if (!share.empty()) g.azure_file_shares["etcd"] = model::AzureFileShare{share, "frankenetes"};
  return g;
}

TEST(RestoreTarget, TheOriginalLayoutRestoresIntoTheDataDirOnTheShare) {
  const auto target = restore_target(on_share(
      {"/usr/local/bin/etcd", "--name=aci", "--data-dir=/etcd/data", "--wal-dir=/etcd-wal",
       "--initial-cluster", "aci=http://10.0.0.4:2380", "--initial-advertise-peer-urls=http://10.0.0.4:2380"}));
  ASSERT_TRUE(target.ok()) << target.error().message;
  EXPECT_EQ(*target, (RestoreTarget{"frankenetes", "etcd", "data",
                                    {"--name", "aci", "--initial-cluster", "aci=http://10.0.0.4:2380",
                                     "--initial-advertise-peer-urls", "http://10.0.0.4:2380"}}));
}

TEST(RestoreTarget, NestedPathsTrailingSlashesAndEnvironmentFlags) {
  auto g = on_share({"etcd", "--data-dir", "/var/lib/etcd/a/b/"}, "/var/lib/etcd/");
  g.containers[0].env = {{"ETCD_NAME", "one"}, {"ETCD_INITIAL_CLUSTER_TOKEN", "tok"}};
  const auto target = restore_target(g);
  ASSERT_TRUE(target.ok()) << target.error().message;
  EXPECT_EQ(target->path, "a/b");
  EXPECT_EQ(target->etcdctl_flags,
            (std::vector<std::string>{"--name", "one", "--initial-cluster-token", "tok",
                                      "--initial-cluster", "one=http://localhost:2380"}))
      << "etcd's own default for --initial-cluster when only --name is given";
}

TEST(RestoreTarget, OnlyADataDirInsideAKnownShareCanBeRestoredInto) {
  const auto in_container = restore_target(on_share({"etcd", "--data-dir=/var/etcd"}));
  ASSERT_FALSE(in_container.ok());
  EXPECT_EQ(in_container.error().message,
            "cannot restore etcd here: data-dir /var/etcd in the container filesystem, not on an "
            "Azure Files share");
  const auto unnamed = restore_target(on_share({"etcd", "--data-dir=/etcd/data"}, "/etcd", ""));
  ASSERT_FALSE(unnamed.ok());
  EXPECT_NE(unnamed.error().message.find("does not name the share of azureFile volume etcd"),
            std::string::npos);
  const auto whole = restore_target(on_share({"etcd", "--data-dir=/etcd"}));
  ASSERT_FALSE(whole.ok());
  EXPECT_NE(whole.error().message.find("a restore would replace the whole share"), std::string::npos);
  EXPECT_FALSE(restore_target(model::ContainerGroupView{}).ok());
}

}  // namespace
}  // namespace frankenetes::etcd
