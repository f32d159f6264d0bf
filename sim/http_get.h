#pragma once
// A minimal blocking HTTP/1.1 GET over plain TCP with one overall deadline, for the member
// stub's dependency checks and name lookups against the sim's control API. IPv4 literals only
// (callers resolve names first). Not a general client: no TLS, no redirects, no chunked
// encoding beyond reading to EOF, body capped at 1 MiB.

#include <chrono>
#include <optional>
#include <string>

namespace frankenetes::sim {

struct ParsedUrl {
  std::string scheme;
  std::string host;
  int port = 80;
  std::string path_and_query = "/";
};
std::optional<ParsedUrl> parse_http_url(const std::string& url);

struct HttpGetResult {
  int status = 0;  // 0 when no response (connect failure, timeout)
  std::string body;
  std::string error;
};

HttpGetResult http_get(const std::string& ip, int port, const std::string& path_and_query,
                       const std::string& host_header, std::chrono::milliseconds timeout);

}  // namespace frankenetes::sim
