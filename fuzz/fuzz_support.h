#pragma once
// What several fuzz targets share: a fixed clock and a transport that answers from the input
// instead of the network. Header-only, for fuzz/*.cc only.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/time_source.h"
#include "http/transport.h"

namespace frankenetes::fuzz {

inline std::string_view as_text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// 2026-01-01T00:00:00Z, so that dates in the inputs compare with a known "now".
class FixedTime final : public core::TimeSource {
 public:
  core::SystemTime system_time() const override {
    return core::SystemTime{std::chrono::seconds(1767225600)};
  }
  core::MonotonicTime monotonic_time() const override {
    return core::MonotonicTime{std::chrono::hours(1000)};
  }
};

// Answers request i with part i of the input; parts are separated by a line "====" and the last
// part answers every later request. A part that starts with "HTTP nnn\n" has that status (and
// the rest as body), any other part is a 200 with the whole part as body, so a plain JSON file
// is a useful seed. After kMaxRequests the transport fails (kTransient) like a dead peer would,
// which bounds loops that page.
class ScriptedTransport final : public http::HttpTransport {
 public:
  static constexpr std::size_t kMaxRequests = 64;

  explicit ScriptedTransport(std::string_view input) {
    constexpr std::string_view kSeparator = "\n====\n";
    for (;;) {
      const auto at = input.find(kSeparator);
      parts_.emplace_back(input.substr(0, at));
      if (at == std::string_view::npos) break;
      input.remove_prefix(at + kSeparator.size());
    }
  }

  core::Result<http::Response> send(const http::ClientRequest& request) override {
    (void)request;
    if (sent_ >= kMaxRequests) {
      return core::make_error(core::ErrorKind::kTransient, "fuzz: no more answers");
    }
    std::string_view part = parts_[std::min(sent_, parts_.size() - 1)];
    ++sent_;
    http::Response response;
    if (part.size() >= 9 && part.substr(0, 5) == "HTTP " && part[8] == '\n') {
      int status = 0;
      for (char c : part.substr(5, 3)) status = status * 10 + (c >= '0' && c <= '9' ? c - '0' : 0);
      response.status = status;
      part.remove_prefix(9);
    }
    response.headers.emplace("Content-Type", "application/json");
    response.body = std::string(part);
    return response;
  }

 private:
  std::vector<std::string_view> parts_;
  std::size_t sent_ = 0;
};

}  // namespace frankenetes::fuzz
