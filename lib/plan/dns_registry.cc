#include "plan/dns_registry.h"

#include <array>
#include <cctype>
#include <set>

#include "core/strings.h"

namespace frankenetes::plan {
namespace {

constexpr std::string_view kKeyPrefix = "frankenetes/";
constexpr std::string_view kOwnerKey = "frankenetes/owner";
constexpr std::string_view kClusterKey = "frankenetes/cluster";
constexpr std::string_view kMemberKey = "frankenetes/member";

bool is_unreserved(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (std::isalnum(u) != 0) return true;
  switch (c) {
    case '.':
    case '_':
    case '~':
    case ':':
    case '@':
    case '/':
    case '+':
    case '-':
      return true;
    default:
      return false;
  }
}

std::string percent_encode(std::string_view text) {
  static constexpr std::array<char, 16> kHex{'0', '1', '2', '3', '4', '5', '6', '7',
                                             '8', '9', 'A', 'B', 'C', 'D', 'E', 'F'};
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (is_unreserved(c)) {
      out += c;
    } else {
      const auto u = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[u >> 4U];
      out += kHex[u & 0xFU];
    }
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    const int hi = hex_value(text[i + 1]);
    const int lo = hex_value(text[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

ParsedOwnership malformed(std::string problem) {
  ParsedOwnership p;
  p.kind = ParsedOwnership::Kind::kMalformed;
  p.problem = std::move(problem);
  return p;
}

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

}  // namespace

std::string registry_name(std::string_view fqdn) {
  std::string name(kRegistryNamePrefix);
  name += core::to_lower(fqdn);
  if (!name.empty() && name.back() == '.') name.pop_back();
  return name;
}

std::string encode_ownership(const OwnershipLabels& labels) {
  std::string out = "heritage=";
  out += kRegistryHeritage;
  out += ',';
  out += kOwnerKey;
  out += '=' + percent_encode(labels.owner);
  out += ',';
  out += kClusterKey;
  out += '=' + percent_encode(labels.cluster);
  out += ',';
  out += kMemberKey;
  out += '=' + percent_encode(labels.member);
  return out;
}

ParsedOwnership parse_ownership(std::string_view txt_value) {
  // Providers differ in whether TXT content comes back in presentation form ("…" with quotes,
  // Cloudflare) or as the bare string (Azure DNS, RFC 2136 rdata): accept one pair of quotes.
  std::string_view text = core::trim(txt_value);
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
    text = text.substr(1, text.size() - 2);
  }

  // First pass: is this ours at all? Anything without our heritage is someone else's business.
  std::vector<std::string_view> tokens;
  bool our_heritage = false;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = text.find(',', start);
    const std::size_t end = comma == std::string_view::npos ? text.size() : comma;
    tokens.push_back(text.substr(start, end - start));
    if (tokens.back() == std::string("heritage=") + std::string(kRegistryHeritage)) {
      our_heritage = true;
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  if (!our_heritage) return ParsedOwnership{};

  ParsedOwnership parsed;
  parsed.kind = ParsedOwnership::Kind::kOurs;
  std::set<std::string_view> seen;
  bool has_owner = false;
  for (const std::string_view token : tokens) {
    const std::size_t eq = token.find('=');
    if (token.empty() || eq == std::string_view::npos || eq == 0 ||
        token.find('=', eq + 1) != std::string_view::npos) {
      return malformed("token " + quoted(token) + " is not key=value");
    }
    const std::string_view key = token.substr(0, eq);
    if (!seen.insert(key).second) return malformed("key " + quoted(key) + " appears twice");
    if (key == "heritage") continue;
    if (key.substr(0, kKeyPrefix.size()) != kKeyPrefix) continue;  // not our namespace
    const auto value = percent_decode(token.substr(eq + 1));
    if (!value) return malformed("value of " + quoted(key) + " has a broken %-escape");
    if (key == kOwnerKey) {
      parsed.labels.owner = *value;
      has_owner = true;
    } else if (key == kClusterKey) {
      parsed.labels.cluster = *value;
    } else if (key == kMemberKey) {
      parsed.labels.member = *value;
    }
  }
  if (!has_owner || parsed.labels.owner.empty()) return malformed("no frankenetes/owner");
  return parsed;
}

Ownership ownership_of(const std::vector<std::string>& txt_values, std::string_view owner_id) {
  Ownership result;
  std::optional<OwnershipLabels> ours;
  std::optional<std::string> other_owner;
  std::optional<std::string> problem;
  for (const std::string& value : txt_values) {
    ParsedOwnership parsed = parse_ownership(value);
    switch (parsed.kind) {
      case ParsedOwnership::Kind::kForeign:
        break;
      case ParsedOwnership::Kind::kMalformed:
        if (!problem) problem = parsed.problem;
        break;
      case ParsedOwnership::Kind::kOurs:
        if (parsed.labels.owner == owner_id) {
          if (!ours) ours = parsed.labels;
        } else if (!other_owner) {
          other_owner = parsed.labels.owner;
        }
        break;
    }
  }
  // Precedence: a claim by another owner wins over ours (two daemons must not both write),
  // then an unreadable marker (never act on what we cannot read), then ours.
  if (other_owner) {
    result.kind = Ownership::Kind::kOther;
    result.detail = "owned by owner id " + quoted(*other_owner);
    if (ours) result.detail += " (and by ours: two owners claim the name)";
  } else if (problem) {
    result.kind = Ownership::Kind::kMalformed;
    result.detail = "unreadable ownership TXT: " + *problem;
  } else if (ours) {
    result.kind = Ownership::Kind::kOurs;
    result.ours = std::move(ours);
  } else {
    result.kind = Ownership::Kind::kUnmarked;
    result.detail = "no ownership TXT";
  }
  return result;
}

}  // namespace frankenetes::plan
