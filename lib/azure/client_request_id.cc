#include "azure/client_request_id.h"

#include <random>
#include <string_view>

namespace frankenetes::azure {

ClientRequestIdGenerator::ClientRequestIdGenerator(std::function<std::uint64_t()> random64)
    : random64_(std::move(random64)) {
  if (!random64_) {
    auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
    random64_ = [engine] { return (*engine)(); };
  }
}

std::string ClientRequestIdGenerator::next() {
  std::uint64_t hi = 0;
  std::uint64_t lo = 0;
  {
    std::lock_guard lock(*mutex_);
    hi = random64_();
    lo = random64_();
  }
  // RFC 4122 §4.4: version 4 in the high nibble of time_hi, variant 10xx in clock_seq_hi.
  hi = (hi & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;
  static constexpr std::string_view kHex = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  auto put = [&](std::uint64_t v, int nibbles) {
    for (int i = nibbles - 1; i >= 0; --i) out.push_back(kHex[(v >> (i * 4)) & 0xF]);
  };
  put(hi >> 32, 8);
  out.push_back('-');
  put((hi >> 16) & 0xFFFF, 4);
  out.push_back('-');
  put(hi & 0xFFFF, 4);
  out.push_back('-');
  put(lo >> 48, 4);
  out.push_back('-');
  put(lo & 0xFFFFFFFFFFFFULL, 12);
  return out;
}

}  // namespace frankenetes::azure
