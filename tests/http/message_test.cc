#include "http/message.h"

#include <gtest/gtest.h>

#include "http/listen_address.h"

namespace frankenetes::http {
namespace {

using Query = std::vector<std::pair<std::string, std::string>>;

TEST(ParseTarget, Table) {
  struct Case {
    std::string target;
    std::optional<std::string> path;  // nullopt: rejected
    Query query;
  };
  const std::vector<Case> cases = {
      {"/", "/", {}},
      {"/status", "/status", {}},
      {"/status?", "/status", {}},
      {"/status.json?verbose", "/status.json", {{"verbose", ""}}},
      {"/a?x=1&y=2&x=3", "/a", {{"x", "1"}, {"y", "2"}, {"x", "3"}}},
      {"/a?x=1&&y=", "/a", {{"x", "1"}, {"y", ""}}},
      {"/a?k=v=w", "/a", {{"k", "v=w"}}},
      {"/a%20b/c%2Fd", "/a b/c/d", {}},
      {"/a+b?q=a+b%2Bc", "/a+b", {{"q", "a b+c"}}},  // '+' is a space only in the query
      {"/members/%E2%9C%93", "/members/\xE2\x9C\x93", {}},
      {"/a?n%61me=%76alue", "/a", {{"name", "value"}}},
      {"", std::nullopt, {}},
      {"*", std::nullopt, {}},                     // asterisk-form
      {"http://example.com/a", std::nullopt, {}},  // absolute-form
      {"example.com:443", std::nullopt, {}},       // authority-form
      {"/a#frag", std::nullopt, {}},
      {"/a%", std::nullopt, {}},
      {"/a%4", std::nullopt, {}},
      {"/a%zz", std::nullopt, {}},
      {"/a?x=%G1", std::nullopt, {}},
      {"/a?%=1", std::nullopt, {}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.target);
    const auto parsed = parse_target(c.target);
    ASSERT_EQ(parsed.has_value(), c.path.has_value());
    if (!parsed) continue;
    EXPECT_EQ(parsed->path, *c.path);
    EXPECT_EQ(parsed->query, c.query);
  }
}

TEST(PercentCoding, DecodeReportsMalformedEscapes) {
  bool ok = false;
  EXPECT_EQ(percent_decode_component("a%2fb%2F", false, &ok), "a/b/");
  EXPECT_TRUE(ok);
  EXPECT_EQ(percent_decode_component("a+b", true, &ok), "a b");
  EXPECT_EQ(percent_decode_component("a+b", false, &ok), "a+b");
  EXPECT_EQ(percent_decode_component("%00", false, &ok), std::string(1, '\0'));
  EXPECT_TRUE(ok);
  for (const char* bad : {"%", "%a", "a%g0", "%%"}) {
    SCOPED_TRACE(bad);
    ok = true;
    EXPECT_EQ(percent_decode_component(bad, false, &ok), "");
    EXPECT_FALSE(ok);
  }
  EXPECT_EQ(percent_decode_component("%41", false, nullptr), "A");  // `ok` is optional
}

TEST(PercentCoding, EncodeKeepsOnlyUnreservedAndRoundTrips) {
  EXPECT_EQ(percent_encode_component("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(percent_encode_component("a b/c?d=e&f+g"), "a%20b%2Fc%3Fd%3De%26f%2Bg");
  EXPECT_EQ(percent_encode_component("\xE2\x9C\x93"), "%E2%9C%93");
  const std::string all = [] {
    std::string s;
    for (int c = 0; c < 256; ++c) s.push_back(static_cast<char>(c));
    return s;
  }();
  bool ok = false;
  EXPECT_EQ(percent_decode_component(percent_encode_component(all), false, &ok), all);
  EXPECT_TRUE(ok);
}

TEST(Headers, NamesAreCaseInsensitiveValuesAreNot) {
  Request request;
  request.headers["Content-Type"] = "Application/JSON";
  EXPECT_EQ(request.header("content-type"), "Application/JSON");
  EXPECT_EQ(request.header("CONTENT-TYPE"), "Application/JSON");
  EXPECT_EQ(request.header("X-Missing"), "");
  request.headers["content-TYPE"] = "text/plain";
  EXPECT_EQ(request.headers.size(), 1u);

  CaseInsensitiveLess less;
  EXPECT_TRUE(less("a", "B"));
  EXPECT_FALSE(less("B", "a"));
  EXPECT_FALSE(less("abc", "ABC"));
  EXPECT_TRUE(less("ab", "ABC"));
}

TEST(Request, QueryParamReturnsFirstValue) {
  Request request;
  request.query = {{"x", "1"}, {"verbose", ""}, {"x", "2"}};
  EXPECT_EQ(request.query_param("x"), "1");
  EXPECT_EQ(request.query_param("verbose"), "");
  EXPECT_EQ(request.query_param("y"), std::nullopt);
}

TEST(Response, FactoriesSetContentType) {
  const Response text = Response::text(404, "no such member\n");
  EXPECT_EQ(text.status, 404);
  EXPECT_EQ(text.headers.at("content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(text.body, "no such member\n");
  const Response json = Response::json(200, "{}");
  EXPECT_EQ(json.headers.at("Content-Type"), "application/json");
}

TEST(ReasonPhrase, KnownAndUnknown) {
  EXPECT_EQ(reason_phrase(200), "OK");
  EXPECT_EQ(reason_phrase(404), "Not Found");
  EXPECT_EQ(reason_phrase(431), "Request Header Fields Too Large");
  EXPECT_EQ(reason_phrase(503), "Service Unavailable");
  EXPECT_EQ(reason_phrase(299), "");
}

TEST(MakeSyncHandler, RespondsWithTheFunctionsResult) {
  const Handler handler =
      make_sync_handler([](const Request& r) { return Response::text(200, "hello " + r.path); });
  std::optional<Response> got;
  Request request;
  request.path = "/x";
  handler(request, [&](Response r) { got = std::move(r); });
  ASSERT_TRUE(got);
  EXPECT_EQ(got->body, "hello /x");
}

TEST(ListenAddress, Table) {
  struct Case {
    std::string text;
    std::string host;  // "" means rejected
    std::uint16_t port = 0;
    bool ipv6 = false;
  };
  const std::vector<Case> cases = {
      {"127.0.0.1:9720", "127.0.0.1", 9720, false},
      {"0.0.0.0:0", "0.0.0.0", 0, false},
      {"localhost:80", "127.0.0.1", 80, false},
      {"[::1]:9720", "::1", 9720, true},
      {"[::]:65535", "::", 65535, true},
      {"127.0.0.1", "", 0, false},
      {"127.0.0.1:", "", 0, false},
      {"127.0.0.1:65536", "", 0, false},
      {"127.0.0.1:-1", "", 0, false},
      {"127.0.0.1:80x", "", 0, false},
      {":9720", "", 0, false},
      {"::1:9720", "", 0, false},
      {"[::1]9720", "", 0, false},
      {"[127.0.0.1]:80", "", 0, false},
      {"example.com:80", "", 0, false},
      {"127.1:80", "", 0, false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    const auto parsed = parse_listen_address(c.text);
    if (c.host.empty()) {
      ASSERT_FALSE(parsed.ok());
      EXPECT_EQ(parsed.error().kind, core::ErrorKind::kInvalidConfig);
      EXPECT_EQ(parsed.error().message.rfind("listen " + c.text + ": ", 0), 0u)
          << parsed.error().message;
      continue;
    }
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_EQ(parsed->host, c.host);
    EXPECT_EQ(parsed->port, c.port);
    EXPECT_EQ(parsed->ipv6, c.ipv6);
  }
}

}  // namespace
}  // namespace frankenetes::http
