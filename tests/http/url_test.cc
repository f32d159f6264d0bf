// parse_url: every accepted and refused spelling, as a table.

#include "http/url.h"

#include <gtest/gtest.h>

namespace frankenetes::http {
namespace {

struct Accepted {
  const char* text;
  const char* scheme;
  const char* host;
  std::uint16_t port;
  const char* target;
  bool ip_literal;
  const char* authority;
  const char* host_header;
};

void PrintTo(const Accepted& row, std::ostream* os) { *os << row.text; }

class UrlAccepts : public ::testing::TestWithParam<Accepted> {};

TEST_P(UrlAccepts, Parses) {
  const Accepted& row = GetParam();
  auto url = parse_url(row.text);
  ASSERT_TRUE(url) << url.error().message;
  EXPECT_EQ(url->scheme, row.scheme);
  EXPECT_EQ(url->host, row.host);
  EXPECT_EQ(url->port, row.port);
  EXPECT_EQ(url->target, row.target);
  EXPECT_EQ(url->ip_literal, row.ip_literal);
  EXPECT_EQ(url->authority(), row.authority);
  EXPECT_EQ(url->host_header(), row.host_header);
}

INSTANTIATE_TEST_SUITE_P(
    Url, UrlAccepts,
    ::testing::Values(
        Accepted{"https://management.azure.com/subscriptions/s1?api-version=2023-05-01", "https",
                 "management.azure.com", 443, "/subscriptions/s1?api-version=2023-05-01", false,
                 "management.azure.com:443", "management.azure.com"},
        Accepted{"http://127.0.0.1:8080/healthz", "http", "127.0.0.1", 8080, "/healthz", true,
                 "127.0.0.1:8080", "127.0.0.1:8080"},
        Accepted{"http://example.com", "http", "example.com", 80, "/", false, "example.com:80",
                 "example.com"},
        Accepted{"http://example.com?x=1", "http", "example.com", 80, "/?x=1", false,
                 "example.com:80", "example.com"},
        Accepted{"HTTPS://Login.MicrosoftOnline.COM/t/oauth2/v2.0/token", "https",
                 "login.microsoftonline.com", 443, "/t/oauth2/v2.0/token", false,
                 "login.microsoftonline.com:443", "login.microsoftonline.com"},
        Accepted{"https://[::1]:8443/a%20b", "https", "::1", 8443, "/a%20b", true, "[::1]:8443",
                 "[::1]:8443"},
        Accepted{"http://[FE80::1]/", "http", "fe80::1", 80, "/", true, "[fe80::1]:80",
                 "[fe80::1]"},
        Accepted{"http://169.254.169.254/metadata/identity/oauth2/token?resource=x", "http",
                 "169.254.169.254", 80, "/metadata/identity/oauth2/token?resource=x", true,
                 "169.254.169.254:80", "169.254.169.254"},
        Accepted{"https://localhost:443/x", "https", "localhost", 443, "/x", false, "localhost:443",
                 "localhost"},
        Accepted{"http://localhost:/x", "http", "localhost", 80, "/x", false, "localhost:80",
                 "localhost"},
        Accepted{"http://host/p#fragment", "http", "host", 80, "/p", false, "host:80", "host"},
        Accepted{"http://my_host.internal:65535/", "http", "my_host.internal", 65535, "/", false,
                 "my_host.internal:65535", "my_host.internal:65535"}));

struct Refused {
  const char* text;
  const char* why;  // a substring of the message
};

void PrintTo(const Refused& row, std::ostream* os) { *os << row.text; }

class UrlRefuses : public ::testing::TestWithParam<Refused> {};

TEST_P(UrlRefuses, WithKTerminalAndReason) {
  const Refused& row = GetParam();
  auto url = parse_url(row.text);
  ASSERT_FALSE(url) << row.text;
  EXPECT_EQ(url.error().kind, core::ErrorKind::kTerminal);
  EXPECT_NE(url.error().message.find(row.why), std::string::npos) << url.error().message;
  EXPECT_NE(url.error().message.find("invalid URL"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    Url, UrlRefuses,
    ::testing::Values(
        Refused{"", "not an absolute"}, Refused{"/relative/path", "not an absolute"},
        Refused{"example.com/x", "not an absolute"},
        Refused{"ftp://example.com/", "unsupported scheme \"ftp\""},
        Refused{"unix:///var/run/x.sock", "unsupported scheme \"unix\""},
        Refused{"file:///etc/passwd", "unsupported scheme"}, Refused{"http:///path", "no host"},
        Refused{"http://:80/", "no host"}, Refused{"http://user:pw@host/", "user info"},
        Refused{"http://host:0/", "out of range"}, Refused{"http://host:65536/", "out of range"},
        Refused{"http://host:123456/", "invalid port"}, Refused{"http://host:8x/", "invalid port"},
        Refused{"http://host:-1/", "invalid port"}, Refused{"http://[::1/", "unterminated IPv6"},
        Refused{"http://[::1]x/", "after IPv6 literal"},
        Refused{"http://[not:an:ip]/", "invalid IPv6"},
        Refused{"http://[fe80::1%25eth0]/", "zone ids"},
        Refused{"http://300.1.1.1/", "invalid IPv4"}, Refused{"http://1.2.3/", "invalid IPv4"},
        Refused{"http://bad!host/", "invalid host name"},
        Refused{"http://-host/", "invalid host name"}, Refused{"http://host/a b", "space, control"},
        Refused{"http://host/a\r\nX-Injected: 1", "space, control"},
        Refused{"http://host/\x7f", "space, control"},
        Refused{"http://h\xc3\xa9st/", "non-ASCII"}));

TEST(UrlOrigin, SchemeAndHostLowerCasedDefaultPortDropped) {
  EXPECT_EQ(url_origin("HTTPS://Management.Azure.com/subscriptions/x"),
            "https://management.azure.com");
  EXPECT_EQ(url_origin("https://sim:8443?x"), "https://sim:8443");
  EXPECT_EQ(url_origin("https://management.azure.com:443/x"), "https://management.azure.com");
  EXPECT_EQ(url_origin("http://127.0.0.1:80"), "http://127.0.0.1");
  EXPECT_EQ(url_origin("/relative/path"), "");
}

}  // namespace
}  // namespace frankenetes::http
