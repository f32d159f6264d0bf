#pragma once
// Test certificates (a CA and a server certificate it signed) generated once per set of names
// and addresses and shared by every test in the binary: key generation is the slow part.

#include <chrono>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "http/certificates.h"

namespace frankenetes::testing {

inline const http::GeneratedTls& tls_for(const std::vector<std::string>& names,
                                         const std::vector<std::string>& ips) {
  static std::mutex mutex;
  static std::map<std::pair<std::vector<std::string>, std::vector<std::string>>,
                  http::GeneratedTls>
      cache;
  std::lock_guard lock(mutex);
  auto [it, inserted] = cache.try_emplace({names, ips});
  if (inserted) {
    auto generated = http::generate_ca_and_server_certificate(names, ips, std::chrono::hours(1));
    if (!generated) throw std::runtime_error(generated.error().message);
    it->second = *generated;
  }
  return it->second;
}

// For a server on 127.0.0.1 reached as "localhost" or by its address.
inline const http::GeneratedTls& loopback_tls() {
  return tls_for({"localhost"}, {"127.0.0.1"});
}

}  // namespace frankenetes::testing
