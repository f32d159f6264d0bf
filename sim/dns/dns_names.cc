#include "sim/dns/dns_names.h"

#include <cctype>

#include "core/strings.h"

namespace frankenetes::sim::dns {

std::string normalize_name(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  return core::to_lower(name);
}

bool is_valid_domain_name(std::string_view name, bool allow_wildcard) {
  if (name.empty() || name.size() > 253) return false;
  const auto labels = core::split(name, '.');
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const auto& label = labels[i];
    if (label.empty() || label.size() > 63) return false;
    if (label == "*" && allow_wildcard && i == 0) continue;
    for (char c : label) {
      const auto u = static_cast<unsigned char>(c);
      // Underscores appear in service and ownership labels (_acme-challenge, _owner): the
      // providers accept them although RFC 952 host names would not.
      if (!std::isalnum(u) && c != '-' && c != '_') return false;
    }
  }
  return true;
}

bool is_valid_ipv4(std::string_view text) {
  const auto parts = core::split(text, '.');
  if (parts.size() != 4) return false;
  for (const auto& part : parts) {
    if (part.empty() || part.size() > 3) return false;
    if (part.size() > 1 && part[0] == '0') return false;
    int value = 0;
    for (char c : part) {
      if (c < '0' || c > '9') return false;
      value = value * 10 + (c - '0');
    }
    if (value > 255) return false;
  }
  return true;
}

bool is_in_zone(std::string_view name, std::string_view zone) {
  if (name == zone) return true;
  return name.size() > zone.size() && name.substr(name.size() - zone.size()) == zone &&
         name[name.size() - zone.size() - 1] == '.';
}

std::string relative_name(std::string_view fqdn, std::string_view zone) {
  if (fqdn == zone) return "@";
  return std::string(fqdn.substr(0, fqdn.size() - zone.size() - 1));
}

std::string absolute_name(std::string_view relative, std::string_view zone) {
  if (relative == "@" || relative.empty()) return std::string(zone);
  return std::string(relative) + "." + std::string(zone);
}

}  // namespace frankenetes::sim::dns
