// RequestLog: bounded, and `since` answers from the entries after it (an index, not a scan).

#include "sim/request_log.h"

#include <gtest/gtest.h>

namespace frankenetes::sim {
namespace {

RequestLog filled(std::size_t capacity, int requests) {
  RequestLog log(capacity);
  for (int i = 1; i <= requests; ++i) {
    RequestLogEntry e;
    e.api = "arm";
    e.method = i % 2 ? "GET" : "POST";  // odd seqs are GETs
    e.path = "/x/" + std::to_string(i);
    log.add(std::move(e));
  }
  return log;
}

TEST(RequestLog, KeepsTheNewestCapacityEntries) {
  const auto log = filled(5, 12);
  const auto all = log.query({});
  EXPECT_EQ(all["count"], 5);
  EXPECT_EQ(all["firstSeq"], 8);
  EXPECT_EQ(all["lastSeq"], 12);
  EXPECT_EQ(all["entries"][0]["path"], "/x/8");
}

TEST(RequestLog, SinceCountsOnlyTheEntriesAfterIt) {
  const auto log = filled(5, 12);  // seqs 8..12 kept
  for (std::uint64_t since = 0; since <= 14; ++since) {
    RequestLogFilter f;
    f.since_seq = since;
    int expected = 0, expected_gets = 0;
    for (std::uint64_t seq = 8; seq <= 12; ++seq) {
      if (seq <= since) continue;
      ++expected;
      expected_gets += seq % 2 ? 1 : 0;
    }
    EXPECT_EQ(log.query(f)["count"], expected) << "since=" << since;
    f.method = "GET";
    f.limit = 0;
    const auto gets = log.query(f);
    EXPECT_EQ(gets["count"], expected_gets) << "since=" << since;
    EXPECT_TRUE(gets["entries"].empty());
  }
}

TEST(RequestLog, ClearKeepsNumbering) {
  auto log = filled(5, 12);
  log.clear();
  EXPECT_EQ(log.query({})["firstSeq"], 13);
  EXPECT_EQ(log.query({})["lastSeq"], 12);
  log.add({});
  RequestLogFilter f;
  f.since_seq = 12;
  EXPECT_EQ(log.query(f)["count"], 1);
  EXPECT_EQ(log.query(f)["entries"][0]["seq"], 13);
}

}  // namespace
}  // namespace frankenetes::sim
