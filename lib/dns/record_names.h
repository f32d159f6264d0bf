#pragma once
// Name and value helpers shared by the DNS providers: normalising names the way RecordSet
// stores them (lowercase, no trailing dot), zone-relative names, and TXT character-strings.
// Pure; used by every provider and by their tests.

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace frankenetes::dns {

// Lowercase, trailing dot removed ("Etcd-0.Example.COM." -> "etcd-0.example.com").
std::string normalize_name(std::string_view name);

// True when `fqdn` is `zone` or lies under it (both normalised first).
bool in_zone(std::string_view fqdn, std::string_view zone);

// The name relative to the zone, "@" for the apex ("etcd-0.example.com", "example.com" ->
// "etcd-0"). kInvalidConfig when the name is outside the zone.
core::Result<std::string> relative_name(std::string_view fqdn, std::string_view zone);

// RFC 1035 §3.3: a TXT record is a sequence of <character-string>s of at most 255 octets.
// Splits a full text into such chunks (one empty chunk for an empty text); joined back on read.
inline constexpr std::size_t kMaxTxtChunk = 255;
std::vector<std::string> split_txt(std::string_view text);
std::string join_txt(const std::vector<std::string>& chunks);

}  // namespace frankenetes::dns
