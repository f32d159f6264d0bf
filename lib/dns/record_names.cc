#include "dns/record_names.h"

#include <cctype>

#include "core/strings.h"

namespace frankenetes::dns {

std::string normalize_name(std::string_view name) {
  std::string out = core::to_lower(name);
  while (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

bool in_zone(std::string_view fqdn, std::string_view zone) {
  const std::string name = normalize_name(fqdn);
  const std::string apex = normalize_name(zone);
  if (name == apex) return true;
  return name.size() > apex.size() + 1 && name.ends_with(apex) &&
         name[name.size() - apex.size() - 1] == '.';
}

core::Result<std::string> relative_name(std::string_view fqdn, std::string_view zone) {
  const std::string name = normalize_name(fqdn);
  const std::string apex = normalize_name(zone);
  if (!in_zone(name, apex)) {
    return core::make_error(core::ErrorKind::kInvalidConfig,
                            "name '" + name + "' is not in zone '" + apex + "'");
  }
  if (name == apex) return std::string("@");
  return name.substr(0, name.size() - apex.size() - 1);
}

std::vector<std::string> split_txt(std::string_view text) {
  std::vector<std::string> chunks;
  do {
    chunks.emplace_back(text.substr(0, kMaxTxtChunk));
    text.remove_prefix(std::min(text.size(), kMaxTxtChunk));
  } while (!text.empty());
  return chunks;
}

std::string join_txt(const std::vector<std::string>& chunks) {
  std::string out;
  for (const auto& chunk : chunks) out += chunk;
  return out;
}

}  // namespace frankenetes::dns
