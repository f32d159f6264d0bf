#include "sim/ip_pool.h"

#include <cstdio>

#include "sim/errors.h"

namespace frankenetes::sim {

std::optional<std::uint32_t> parse_ipv4(const std::string& s) {
  unsigned a = 0, b = 0, c = 0, d = 0;
  char tail = 0;
  if (std::sscanf(s.c_str(), "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) != 4) return std::nullopt;
  if (a > 255 || b > 255 || c > 255 || d > 255) return std::nullopt;
  return (a << 24) | (b << 16) | (c << 8) | d;
}

std::string format_ipv4(std::uint32_t v) {
  return std::to_string(v >> 24) + "." + std::to_string((v >> 16) & 255) + "." +
         std::to_string((v >> 8) & 255) + "." + std::to_string(v & 255);
}

IpPool::IpPool() : IpPool((127u << 24) | (1u << 16), 16) {}

IpPool::IpPool(std::uint32_t base, int prefix)
    : base_(base), prefix_(prefix), size_(1u << (32 - prefix)) {}

core::Result<IpPool> IpPool::parse(const std::string& cidr) {
  const auto slash = cidr.find('/');
  const auto fail = [&](const std::string& why) {
    return config_error("ip pool '" + cidr + "': " + why);
  };
  if (slash == std::string::npos) return fail("expected a.b.c.d/prefix");
  const auto addr = parse_ipv4(cidr.substr(0, slash));
  int prefix = -1;
  try {
    prefix = std::stoi(cidr.substr(slash + 1));
  } catch (...) {
    return fail("bad prefix length");
  }
  if (!addr) return fail("bad address");
  if (prefix < 8 || prefix > 30) return fail("prefix must be between /8 and /30");
  if ((*addr >> 24) != 127) return fail("must lie inside 127.0.0.0/8 (loopback)");
  const std::uint32_t mask = prefix == 0 ? 0 : ~((1u << (32 - prefix)) - 1);
  return IpPool(*addr & mask, prefix);
}

std::string IpPool::cidr() const { return format_ipv4(base_) + "/" + std::to_string(prefix_); }

std::optional<std::string> IpPool::allocate() {
  for (std::uint32_t tries = 0; tries < size_; ++tries) {
    const std::uint32_t offset = next_;
    next_ = (next_ + 1) % size_;
    const std::uint32_t candidate = base_ + offset;
    const auto last = candidate & 255u;
    // Skip .0 and .255 (look like network/broadcast) and 127.0.0.1 (the host itself).
    if (last == 0 || last == 255 || candidate == ((127u << 24) | 1u)) continue;
    if (used_.count(candidate)) continue;
    used_.insert(candidate);
    return format_ipv4(candidate);
  }
  return std::nullopt;
}

bool IpPool::claim(const std::string& ip) {
  const auto v = parse_ipv4(ip);
  if (!v || (*v >> 24) != 127 || used_.count(*v)) return false;
  used_.insert(*v);
  return true;
}

void IpPool::release(const std::string& ip) {
  if (const auto v = parse_ipv4(ip)) used_.erase(*v);
}

bool IpPool::in_use(const std::string& ip) const {
  const auto v = parse_ipv4(ip);
  return v && used_.count(*v) > 0;
}

}  // namespace frankenetes::sim
