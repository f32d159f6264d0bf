#include "http/message.h"

#include <algorithm>

namespace frankenetes::http {
namespace {

// ASCII-only on purpose: header names are tokens (RFC 9110 §5.1), and std::tolower depends on
// the global locale.
char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 3986 §2.3 unreserved characters: the only ones percent_encode_component leaves alone.
bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

}  // namespace

bool CaseInsensitiveLess::operator()(std::string_view a, std::string_view b) const {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return ascii_lower(x) < ascii_lower(y);
  });
}

std::optional<std::string> Request::query_param(std::string_view name) const {
  for (const auto& [key, value] : query) {
    if (key == name) return value;
  }
  return std::nullopt;
}

std::string Request::header(std::string_view name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

Response Response::text(int status, std::string body) {
  Response r;
  r.status = status;
  r.headers["Content-Type"] = "text/plain; charset=utf-8";
  r.body = std::move(body);
  return r;
}

Response Response::json(int status, std::string body) {
  Response r;
  r.status = status;
  r.headers["Content-Type"] = "application/json";
  r.body = std::move(body);
  return r;
}

std::string_view reason_phrase(int status) {
  // RFC 9110 §15, plus 429 and 431 from RFC 6585.
  static constexpr std::pair<int, std::string_view> kPhrases[] = {
      {100, "Continue"},
      {101, "Switching Protocols"},
      {200, "OK"},
      {201, "Created"},
      {202, "Accepted"},
      {204, "No Content"},
      {301, "Moved Permanently"},
      {302, "Found"},
      {304, "Not Modified"},
      {307, "Temporary Redirect"},
      {308, "Permanent Redirect"},
      {400, "Bad Request"},
      {401, "Unauthorized"},
      {403, "Forbidden"},
      {404, "Not Found"},
      {405, "Method Not Allowed"},
      {406, "Not Acceptable"},
      {408, "Request Timeout"},
      {409, "Conflict"},
      {410, "Gone"},
      {411, "Length Required"},
      {412, "Precondition Failed"},
      {413, "Content Too Large"},
      {414, "URI Too Long"},
      {415, "Unsupported Media Type"},
      {422, "Unprocessable Content"},
      {429, "Too Many Requests"},
      {431, "Request Header Fields Too Large"},
      {500, "Internal Server Error"},
      {501, "Not Implemented"},
      {502, "Bad Gateway"},
      {503, "Service Unavailable"},
      {504, "Gateway Timeout"},
  };
  for (const auto& [code, phrase] : kPhrases) {
    if (code == status) return phrase;
  }
  return "";
}

std::string percent_decode_component(std::string_view in, bool plus_is_space, bool* ok) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      const int hi = i + 2 < in.size() ? hex_value(in[i + 1]) : -1;
      const int lo = i + 2 < in.size() ? hex_value(in[i + 2]) : -1;
      if (hi < 0 || lo < 0) {  // "%", "%4", "%zz": RFC 3986 §2.1 needs two hex digits
        if (ok != nullptr) *ok = false;
        return {};
      }
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  if (ok != nullptr) *ok = true;
  return out;
}

std::string percent_encode_component(std::string_view in) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(in.size());
  for (char c : in) {
    const auto u = static_cast<unsigned char>(c);
    if (is_unreserved(u)) {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0x0F]);
    }
  }
  return out;
}

std::optional<ParsedTarget> parse_target(std::string_view target) {
  // Origin-form only (RFC 9112 §3.2.1): absolute-path [ "?" query ]. Absolute-form (proxies),
  // authority-form (CONNECT) and asterisk-form (OPTIONS *) are not for this server. A fragment
  // is client-side only (RFC 3986 §3.5) and never belongs in a request target.
  if (target.empty() || target.front() != '/') return std::nullopt;
  if (target.find('#') != std::string_view::npos) return std::nullopt;

  const std::size_t question = target.find('?');
  const std::string_view raw_path = target.substr(0, question);
  ParsedTarget parsed;
  bool ok = false;
  // '+' is a literal plus in a path; only form-encoded queries use it for a space.
  parsed.path = percent_decode_component(raw_path, /*plus_is_space=*/false, &ok);
  if (!ok) return std::nullopt;
  if (question == std::string_view::npos) return parsed;

  std::string_view rest = target.substr(question + 1);
  while (!rest.empty()) {
    const std::size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;  // "?a=1&&b=2"
    const std::size_t eq = pair.find('=');
    std::string key = percent_decode_component(pair.substr(0, eq), true, &ok);
    if (!ok) return std::nullopt;
    std::string value;
    if (eq != std::string_view::npos) {
      value = percent_decode_component(pair.substr(eq + 1), true, &ok);
      if (!ok) return std::nullopt;
    }
    parsed.query.emplace_back(std::move(key), std::move(value));
  }
  return parsed;
}

Handler make_sync_handler(std::function<Response(const Request&)> fn) {
  return [fn = std::move(fn)](Request request, Responder respond) { respond(fn(request)); };
}

}  // namespace frankenetes::http
