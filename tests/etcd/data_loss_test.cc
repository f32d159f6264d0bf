#include "etcd/data_loss.h"

#include <gtest/gtest.h>

namespace frankenetes::etcd {
namespace {

constexpr std::uint64_t kCluster = 0x8e9e05c52164694dULL;

TEST(DataLoss, GrowingOrEqualRevisionsOfOneClusterAreFine) {
  EXPECT_FALSE(detect_data_loss({kCluster, 1001}, {kCluster, 1001}));
  EXPECT_FALSE(detect_data_loss({kCluster, 1001}, {kCluster, 5000}));
}

TEST(DataLoss, ARevisionThatWentBackIsLoss) {
  const auto loss = detect_data_loss({kCluster, 1001}, {kCluster, 990});
  ASSERT_TRUE(loss);
  EXPECT_EQ(loss->kind, DataLossKind::kRevisionWentBack);
  EXPECT_EQ(loss->detail, "revision went back from 1001 to 990 (cluster 8e9e05c52164694d)");
}

TEST(DataLoss, ANewClusterIdIsReplacementWhateverTheRevision) {
  const auto loss = detect_data_loss({kCluster, 1001}, {0x1c2a, 5000});
  ASSERT_TRUE(loss);
  EXPECT_EQ(loss->kind, DataLossKind::kClusterReplaced);
  EXPECT_EQ(loss->detail,
            "cluster id changed from 8e9e05c52164694d to 0000000000001c2a (revision 1001 -> 5000)");
}

TEST(DataLoss, IdsAreWrittenAsEtcdctlPrintsThem) {
  EXPECT_EQ(format_etcd_id(0), "0000000000000000");
  EXPECT_EQ(format_etcd_id(0xffffffffffffffffULL), "ffffffffffffffff");
}

}  // namespace
}  // namespace frankenetes::etcd
