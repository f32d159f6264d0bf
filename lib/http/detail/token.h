#pragma once
// What may go into a header block we write, checked the same way by the clients
// (client_message.cc, request methods and caller headers) and the server (server_request.cc,
// handler headers). Internal to lib/http.

#include <algorithm>
#include <string_view>

namespace frankenetes::http::detail {

inline bool is_token_char(char c) {  // RFC 9110 §5.6.2
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// A method or a header name.
inline bool is_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), is_token_char);
}

// A header name and value that cannot inject headers (or a second message): the name a token,
// the value free of CR, LF and NUL.
inline bool is_valid_field(std::string_view name, std::string_view value) {
  return is_token(name) && value.find_first_of(std::string_view("\r\n\0", 3)) == std::string::npos;
}

}  // namespace frankenetes::http::detail
