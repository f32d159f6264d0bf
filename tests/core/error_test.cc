#include "core/error.h"

#include <gtest/gtest.h>

#include "core/result.h"

namespace frankenetes::core {
namespace {

TEST(Error, HttpStatusMapsToKind) {
  EXPECT_EQ(kind_for_http_status(429), ErrorKind::kTransient);
  EXPECT_EQ(kind_for_http_status(503), ErrorKind::kTransient);
  EXPECT_EQ(kind_for_http_status(412), ErrorKind::kConflict);
  EXPECT_EQ(kind_for_http_status(409), ErrorKind::kConflict);
  EXPECT_EQ(kind_for_http_status(404), ErrorKind::kNotFound);
  EXPECT_EQ(kind_for_http_status(400), ErrorKind::kTerminal);
  EXPECT_EQ(kind_for_http_status(403), ErrorKind::kTerminal);
}

TEST(Error, DescribeNamesStatusCodeAndRequestId) {
  Error e{ErrorKind::kTransient, "throttled", 429, "TooManyRequests", "eastus:abc"};
  EXPECT_EQ(e.describe(), "transient: throttled (HTTP 429 TooManyRequests, request id eastus:abc)");
  Error plain{ErrorKind::kTls, "certificate verify failed", 0, "", ""};
  EXPECT_EQ(plain.describe(), "tls: certificate verify failed");
}

TEST(Error, MakeErrorAndTimeoutError) {
  const Error e = make_error(ErrorKind::kConflict, "etag changed", 412);
  EXPECT_EQ(e.kind, ErrorKind::kConflict);
  EXPECT_EQ(e.message, "etag changed");
  EXPECT_EQ(e.http_status, 412);
  EXPECT_FALSE(e.timed_out);
  const Error t = timeout_error("timeout after 2s connecting to host:443");
  EXPECT_EQ(t.kind, ErrorKind::kTransient);
  EXPECT_TRUE(t.timed_out);
  EXPECT_EQ(t.describe(), "transient: timeout after 2s connecting to host:443");
}

TEST(Result, HoldsValueOrError) {
  Result<int> good = 7;
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 7);
  Result<int> bad = Error{ErrorKind::kConflict, "etag mismatch", 412, "", ""};
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().http_status, 412);
  Status fine;
  EXPECT_TRUE(fine.ok());
}

}  // namespace
}  // namespace frankenetes::core
