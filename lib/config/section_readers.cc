// Readers for values that several sections share (declared in sections.h).

#include <algorithm>
#include <cctype>

#include "config/sections.h"
#include "config/value_syntax.h"

namespace frankenetes::config {
namespace {

// Azure resource group naming rules: 1-90 characters of letters, digits, '-', '_', '.', '('
// and ')', not ending with '.' ("Naming rules and restrictions for Azure resources").
bool is_resource_group_name(std::string_view text) {
  if (text.empty() || text.size() > 90 || text.back() == '.') return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
           c == '(' || c == ')';
  });
}

}  // namespace

void read_secure_url(MapReader& map, std::string_view key, std::string& out, Presence presence,
                     std::string_view extra_http_host) {
  const auto node = map.get(key, presence);
  if (!node) return;
  const auto text = node->as_string();
  if (!text) return;
  const auto url = parse_url(*text);
  if (!url) {
    node->report("invalid URL \"" + *text + "\": expected https://host[:port][/path]");
    return;
  }
  if (url->scheme == "http" && !is_loopback_host(url->host) && url->host != extra_http_host) {
    const std::string allowed = extra_http_host.empty()
                                    ? "localhost and 127.0.0.0/8"
                                    : "localhost, 127.0.0.0/8 and " + std::string(extra_http_host);
    node->report("URL must use https (http is allowed only for " + allowed + "), got \"" + *text +
                 "\"");
    return;
  }
  out = *text;
}

void read_guid(MapReader& map, std::string_view key, std::string& out, Presence presence,
               std::string_view what) {
  const auto node = map.get(key, presence);
  if (!node) return;
  auto text = node->as_string();
  if (!text) return;
  if (!is_guid(*text)) {
    node->report("invalid " + std::string(what) + " \"" + *text +
                 "\": expected a GUID such as 00000000-0000-0000-0000-000000000000");
    return;
  }
  out = std::move(*text);
}

void read_label(MapReader& map, std::string_view key, std::string& out, std::string_view what) {
  const auto node = map.get(key, Presence::kRequired);
  if (!node) return;
  auto text = node->as_string();
  if (!text) return;
  if (!is_dns_label(*text)) {
    node->report("invalid " + std::string(what) + " \"" + *text +
                 "\": use lowercase letters, digits and hyphens (at most 63, not starting or "
                 "ending with a hyphen)");
    return;
  }
  out = std::move(*text);
}

void read_domain_name(MapReader& map, std::string_view key, std::string& out, Presence presence) {
  const auto node = map.get(key, presence);
  if (!node) return;
  auto text = node->as_string();
  if (!text) return;
  if (text->size() > 1 && text->ends_with('.')) text->pop_back();  // "example.com." is absolute
  if (!is_domain_name(*text)) {
    node->report("invalid DNS name \"" + *text + "\": expected a domain name such as example.com");
    return;
  }
  out = std::move(*text);
}

void read_resource_group(MapReader& map, std::string_view key, std::string& out) {
  const auto node = map.get(key, Presence::kRequired);
  if (!node) return;
  auto text = node->as_string();
  if (!text) return;
  if (!is_resource_group_name(*text)) {
    node->report("invalid resource group name \"" + *text +
                 "\": use at most 90 letters, digits, '-', '_', '.', '(' and ')', not ending "
                 "with '.'");
    return;
  }
  out = std::move(*text);
}

}  // namespace frankenetes::config
