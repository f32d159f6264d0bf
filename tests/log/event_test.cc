#include "log/event.h"

#include <gtest/gtest.h>

namespace frankenetes::log {
namespace {

TEST(LogEvent, TextQuotesOnlyWhenNeeded) {
  EXPECT_EQ(format_event(Format::kText, "dns.record.updated",
                         {{"fqdn", "a.example.com"}, {"old", "1.2.3.4"}, {"note", "two words"}}),
            R"(dns.record.updated fqdn=a.example.com old=1.2.3.4 note="two words")");
  EXPECT_EQ(format_event(Format::kText, "x", {{"empty", ""}, {"q", "a\"b"}}),
            R"(x empty="" q="a\"b")");
}

TEST(LogEvent, JsonEscapesAndKeepsOrder) {
  EXPECT_EQ(format_event(Format::kJson, "config.reload.failed", {{"problems", 2}, {"msg", "a\nb"}}),
            R"("event":"config.reload.failed","problems":"2","msg":"a\nb")");
}

TEST(LogEvent, SecretsAreRedactedByType) {
  const core::Secret secret("hunter2");
  const auto text = format_event(Format::kText, "auth", {{"token", secret}});
  EXPECT_EQ(text, "auth token=<redacted>");
  EXPECT_EQ(text.find("hunter2"), std::string::npos);
}

}  // namespace
}  // namespace frankenetes::log
