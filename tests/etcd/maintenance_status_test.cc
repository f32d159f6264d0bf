#include "etcd/maintenance_status.h"

#include <gtest/gtest.h>

#include <string>

namespace frankenetes::etcd {
namespace {

// What etcd 3.4.23 (Debian 12) answered to POST /v3/maintenance/status with body {}.
constexpr const char* kEtcd3423 =
    R"({"header":{"cluster_id":"324952591200643719","member_id":"3319814642761637952",)"
    R"("revision":"2","raft_term":"2"},"version":"3.4.23","dbSize":"20480",)"
    R"("leader":"3319814642761637952","raftIndex":"6","raftTerm":"2","raftAppliedIndex":"6",)"
    R"("dbSizeInUse":"16384"})";

TEST(MaintenanceStatus, ParsesWhatEtcd3423Answers) {
  auto status = parse_maintenance_status(kEtcd3423);
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_EQ(status->cluster_id, 324952591200643719u);
  EXPECT_EQ(status->member_id, 3319814642761637952u);
  EXPECT_EQ(status->revision, 2);
  EXPECT_EQ(status->header_raft_term, 2u);
  EXPECT_EQ(status->version, "3.4.23");
  EXPECT_EQ(status->db_size, 20480);
  EXPECT_EQ(status->leader, 3319814642761637952u);
  EXPECT_EQ(status->raft_index, 6u);
  EXPECT_EQ(status->raft_term, 2u);
}

TEST(MaintenanceStatus, IdsUseAll64BitsAndNumbersAreAcceptedToo) {
  auto status = parse_maintenance_status(
      R"({"header":{"cluster_id":"18446744073709551615","member_id":14841639068965178418,)"
      R"("revision":1001},"dbSize":1392640,"raftIndex":1010})");
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_EQ(status->cluster_id, 18446744073709551615u);
  EXPECT_EQ(status->member_id, 14841639068965178418u);
  EXPECT_EQ(status->revision, 1001);
  EXPECT_EQ(status->db_size, 1392640);
  EXPECT_EQ(status->raft_index, 1010u);
}

TEST(MaintenanceStatus, AbsentOrWrongTypedFieldsAreUnknownNotZero) {
  // No leader (proto3 JSON omits a 0), revision garbage, raft_term negative, dbSize a float,
  // version a number, raftIndex past 2^64.
  auto status = parse_maintenance_status(
      R"({"header":{"cluster_id":"7","revision":"12x","raft_term":-1},"version":3.4,)"
      R"("dbSize":1.5,"raftIndex":"18446744073709551616","raftTerm":null})");
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_EQ(status->cluster_id, 7u);
  EXPECT_EQ(status->member_id, std::nullopt);
  EXPECT_EQ(status->revision, std::nullopt);
  EXPECT_EQ(status->header_raft_term, std::nullopt);
  EXPECT_EQ(status->version, std::nullopt);
  EXPECT_EQ(status->db_size, std::nullopt);
  EXPECT_EQ(status->leader, std::nullopt);
  EXPECT_EQ(status->raft_index, std::nullopt);
  EXPECT_EQ(status->raft_term, std::nullopt);

  auto header_not_object = parse_maintenance_status(R"({"header":"x","version":"3.5.9"})");
  ASSERT_TRUE(header_not_object);
  EXPECT_EQ(header_not_object->revision, std::nullopt);
  EXPECT_EQ(header_not_object->version, "3.5.9");
}

TEST(MaintenanceStatus, ABodyThatIsNotAnObjectIsAnError) {
  for (const char* body : {"", "[]", "\"ok\"", "<html>bad gateway</html>", "{\"header\":"}) {
    auto status = parse_maintenance_status(body);
    ASSERT_FALSE(status) << body;
    EXPECT_EQ(status.error().kind, core::ErrorKind::kTerminal);
    EXPECT_EQ(status.error().message.rfind("etcd status: body is not a JSON object: ", 0), 0u)
        << status.error().message;
  }
}

}  // namespace
}  // namespace frankenetes::etcd
