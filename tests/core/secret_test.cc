#include "core/secret.h"

#include <gtest/gtest.h>

#include <sstream>

namespace frankenetes::core {
namespace {

TEST(SecretTest, NeverPrintsItself) {
  std::ostringstream out;
  out << Secret("fk-canary-secret");
  EXPECT_EQ(out.str(), "<redacted>");
}

TEST(SecretTest, RedactReplacesEveryOccurrence) {
  const Secret token("tok-123");
  const Secret other("other-secret");
  EXPECT_EQ(redact("Bearer tok-123 rejected; tok-123 again; other-secret", {&token, &other}),
            "Bearer <redacted> rejected; <redacted> again; <redacted>");
}

TEST(SecretTest, RedactHandlesSecretsInsideTheMarker) {
  const Secret tiny("d");  // occurs in "<redacted>" itself: must not loop forever
  EXPECT_EQ(redact("a d b d", {&tiny}), "a <redacted> b <redacted>");
  const Secret empty;
  EXPECT_EQ(redact("unchanged", {&empty, nullptr}), "unchanged");
}

}  // namespace
}  // namespace frankenetes::core
