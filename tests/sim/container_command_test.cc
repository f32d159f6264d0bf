#include "sim/container_command.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace frankenetes::sim {
namespace {

bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

LaunchContext context(const std::string& image, std::vector<std::string> command) {
  LaunchContext c;
  c.image = image;
  c.command = std::move(command);
  c.ip = "127.1.0.5";
  c.name = "rg/g/c";
  c.paths.rootfs = "/state/groups/rg/g/rootfs/c";
  c.paths.mounts = {{"/etcd", "/state/shares/acct/etcd"}};
  c.self_exe = "/bin/frankenetes-sim";
  c.control_url = "http://127.0.0.1:8444";
  return c;
}

TEST(ContainerCommand, Classifies) {
  EXPECT_EQ(classify("quay.io/coreos/etcd:v3.2.8", {"/usr/local/bin/etcd"}), MemberRole::kEtcd);
  EXPECT_EQ(classify("registry.k8s.io/etcd:3.5.9-0", {}), MemberRole::kEtcd);
  EXPECT_EQ(classify("gcr.io/etcd-development/etcd:v3.5.0", {"/bin/sh", "-c", "etcd --name x"}), MemberRole::kEtcd);
  EXPECT_EQ(classify("gcr.io/google-containers/hyperkube-amd64:v1.9.2", {"/apiserver", "--v=2"}), MemberRole::kApiserver);
  EXPECT_EQ(classify("k8s.gcr.io/hyperkube:v1.18.0", {"/hyperkube", "kube-scheduler"}), MemberRole::kScheduler);
  EXPECT_EQ(classify("registry.k8s.io/kube-controller-manager:v1.29.0", {}), MemberRole::kControllerManager);
  EXPECT_EQ(classify("nginx", {}), MemberRole::kGeneric);
}

TEST(ContainerCommand, EtcdIsReboundAndPathsMapped) {
  const auto plan = plan_launch(context("quay.io/coreos/etcd:v3.2.8",
                                        {"/usr/local/bin/etcd", "--name=aci", "--data-dir=/etcd/data", "--wal-dir",
                                         "/etcd-wal", "--listen-client-urls=http://0.0.0.0:2379",
                                         "--advertise-client-urls=http://cp.westeurope.azurecontainer.io:2379"}));
  EXPECT_EQ(plan.role, MemberRole::kEtcd);
  EXPECT_EQ(plan.argv[0], "/usr/bin/etcd");
  EXPECT_TRUE(has(plan.argv, "--data-dir=/state/shares/acct/etcd/data"));
  EXPECT_TRUE(has(plan.argv, "--wal-dir=/state/groups/rg/g/rootfs/c/etcd-wal"));
  EXPECT_TRUE(has(plan.argv, "--listen-client-urls=http://127.1.0.5:2379"));
  EXPECT_TRUE(has(plan.argv, "--advertise-client-urls=http://cp.westeurope.azurecontainer.io:2379"))
      << "FQDNs in advertise URLs are kept";
  EXPECT_TRUE(has(plan.argv, "--listen-peer-urls=http://127.1.0.5:2380"));
  EXPECT_TRUE(has(plan.argv, "--initial-cluster=aci=http://127.1.0.5:2380"));
  EXPECT_EQ(plan.cwd, "/state/groups/rg/g/rootfs/c");
}

TEST(ContainerCommand, ApiserverStubPortsAndDependencies) {
  const auto plan = plan_launch(context("gcr.io/google-containers/hyperkube-amd64:v1.9.2",
                                        {"/apiserver", "--allow-privileged=true", "--enable-swagger-ui",
                                         "--etcd-servers=http://e1:2379,http://e2:2379/", "--insecure-port", "6445"}));
  EXPECT_EQ(plan.role, MemberRole::kApiserver);
  EXPECT_EQ(plan.argv[1], "member-stub");
  const auto& a = plan.argv;
  const std::vector<std::string> port = {"--port", "6445"};
  EXPECT_TRUE(std::search(a.begin(), a.end(), port.begin(), port.end()) != a.end());
  EXPECT_TRUE(has(a, "6443")) << "default secure port";
  EXPECT_TRUE(has(a, "http://e1:2379/health"));
  EXPECT_TRUE(has(a, "http://e2:2379/health"));
  EXPECT_TRUE(has(a, "v1.9.2"));
}

TEST(ContainerCommand, SchedulerDefaultsAndMaster) {
  const auto plan = plan_launch(context("gcr.io/google-containers/hyperkube-amd64:v1.9.2",
                                        {"/scheduler", "--leader-elect=true", "--master=http://api:6445", "--v=2"}));
  EXPECT_EQ(plan.role, MemberRole::kScheduler);
  EXPECT_TRUE(has(plan.argv, "10251"));
  EXPECT_TRUE(has(plan.argv, "http://api:6445/healthz"));
}

TEST(ContainerCommand, GenericImageListensOnDeclaredPorts) {
  auto ctx = context("nginx", {});
  ctx.container_properties = {{"ports", {{{"port", 80}}, {{"port", 443}}}}};
  const auto plan = plan_launch(ctx);
  EXPECT_TRUE(has(plan.argv, "80"));
  EXPECT_TRUE(has(plan.argv, "443"));
}

TEST(ContainerCommand, FlagsAndUrls) {
  const auto flags = parse_flags({"--a=1", "--b", "2", "--leader-elect", "--c", "-d=4", "pos"}, {"leader-elect"});
  ASSERT_EQ(flags.size(), 5u);
  EXPECT_EQ(flags[1].value, "2");
  EXPECT_FALSE(flags[2].has_value);
  EXPECT_FALSE(flags[3].has_value);
  EXPECT_EQ(flags[4].name, "d");
  EXPECT_EQ(rebind_urls("http://0.0.0.0:2379,https://localhost:1", "127.1.0.9", false),
            "http://127.1.0.9:2379,https://127.1.0.9:1");
  EXPECT_EQ(rebind_urls("http://x.example:2379,http://0.0.0.0:1", "127.1.0.9", true),
            "http://x.example:2379,http://127.1.0.9:1");
  PathMapper m{"/root", {{"/data", "/share"}, {"/data/deep", "/other"}}};
  EXPECT_EQ(m.map("/data/x"), "/share/x");
  EXPECT_EQ(m.map("/data/deep/y"), "/other/y");
  EXPECT_EQ(m.map("/database"), "/root/database");
  EXPECT_EQ(m.map("rel"), "/root/rel");
}

}  // namespace
}  // namespace frankenetes::sim
