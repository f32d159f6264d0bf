#pragma once
// Fresh RFC 4122 version-4 GUIDs for x-ms-client-request-id (ARM's request headers), so
// one of our requests can be found in Azure's logs. The random source is injectable for
// tests; the default is a std::mt19937_64 seeded from std::random_device. Thread-safe.

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace frankenetes::azure {

class ClientRequestIdGenerator {
 public:
  explicit ClientRequestIdGenerator(std::function<std::uint64_t()> random64 = {});
  std::string next();

 private:
  std::function<std::uint64_t()> random64_;
  std::unique_ptr<std::mutex> mutex_ = std::make_unique<std::mutex>();
};

}  // namespace frankenetes::azure
