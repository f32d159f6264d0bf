#include "status/admin_auth.h"

#include <gtest/gtest.h>

namespace frankenetes::status {
namespace {

http::Request with_authorization(std::string value) {
  http::Request r;
  r.method = "POST";
  r.path = "/admin/reconcile";
  r.headers["Authorization"] = std::move(value);
  return r;
}

const core::Secret kToken("s3cret-admin-token-0123456789");

TEST(ConstantTimeEqual, EqualOnlyForTheSameBytes) {
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "xbc"));
  EXPECT_FALSE(constant_time_equal("abc", "ab"));
  EXPECT_FALSE(constant_time_equal("ab", "abc"));
  EXPECT_FALSE(constant_time_equal(std::string_view("a\0c", 3), std::string_view("a\0d", 3)));
  // A difference in every position, and one in the last byte only.
  EXPECT_FALSE(constant_time_equal("aaaa", "bbbb"));
  EXPECT_FALSE(constant_time_equal("aaaa", "aaab"));
}

TEST(CheckBearer, TheConfiguredTokenIsAuthorized) {
  EXPECT_EQ(check_bearer(with_authorization("Bearer s3cret-admin-token-0123456789"), kToken),
            AuthOutcome::kAuthorized);
  // RFC 9110 §11.1: the scheme is case-insensitive.
  EXPECT_EQ(check_bearer(with_authorization("bearer s3cret-admin-token-0123456789"), kToken),
            AuthOutcome::kAuthorized);
  EXPECT_EQ(check_bearer(with_authorization("BEARER  s3cret-admin-token-0123456789 "), kToken),
            AuthOutcome::kAuthorized);
}

TEST(CheckBearer, NoTokenIsMissingAWrongOneInvalid) {
  http::Request none;
  EXPECT_EQ(check_bearer(none, kToken), AuthOutcome::kMissing);
  EXPECT_EQ(check_bearer(with_authorization(""), kToken), AuthOutcome::kMissing);
  EXPECT_EQ(check_bearer(with_authorization("Bearer"), kToken), AuthOutcome::kMissing);
  EXPECT_EQ(check_bearer(with_authorization("Basic YWRtaW46YWRtaW4="), kToken),
            AuthOutcome::kMissing);
  EXPECT_EQ(check_bearer(with_authorization("Bearers s3cret-admin-token-0123456789"), kToken),
            AuthOutcome::kMissing);
  EXPECT_EQ(check_bearer(with_authorization("Bearer  "), kToken), AuthOutcome::kInvalid);
  EXPECT_EQ(check_bearer(with_authorization("Bearer wrong"), kToken), AuthOutcome::kInvalid);
  EXPECT_EQ(check_bearer(with_authorization("Bearer s3cret-admin-token-012345678"), kToken),
            AuthOutcome::kInvalid);
  EXPECT_EQ(check_bearer(with_authorization("Bearer s3cret-admin-token-01234567890"), kToken),
            AuthOutcome::kInvalid);
  EXPECT_EQ(check_bearer(with_authorization("Bearer S3CRET-ADMIN-TOKEN-0123456789"), kToken),
            AuthOutcome::kInvalid);
}

TEST(CheckBearer, AnEmptyConfiguredTokenAuthorizesNobody) {
  EXPECT_EQ(check_bearer(with_authorization("Bearer x"), core::Secret("")), AuthOutcome::kInvalid);
}

}  // namespace
}  // namespace frankenetes::status
