#pragma once
// IpPool: hands out unique "public" IPv4 addresses for container groups from a block of
// 127.0.0.0/8 (all of which Linux routes to lo, so child processes can bind them). Addresses
// are handed out round-robin so a released address is not reused soon: a group that is
// stopped and started (or recreated) visibly gets a different IP, as on ACI. Pure.

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "core/result.h"

namespace frankenetes::sim {

class IpPool {
 public:
  // `cidr` like "127.1.0.0/16"; must lie inside 127.0.0.0/8 and be at most /30.
  static core::Result<IpPool> parse(const std::string& cidr);
  IpPool();  // 127.1.0.0/16

  // nullopt when the pool is exhausted.
  std::optional<std::string> allocate();
  // Takes a specific address (control API "change IP to X"); false if taken or outside.
  bool claim(const std::string& ip);
  void release(const std::string& ip);
  bool in_use(const std::string& ip) const;
  std::string cidr() const;

 private:
  IpPool(std::uint32_t base, int prefix);
  std::uint32_t base_;
  int prefix_;
  std::uint32_t size_;
  std::uint32_t next_ = 0;  // offset of the next candidate
  std::set<std::uint32_t> used_;
};

std::optional<std::uint32_t> parse_ipv4(const std::string& s);
std::string format_ipv4(std::uint32_t v);

}  // namespace frankenetes::sim
