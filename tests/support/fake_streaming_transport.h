#pragma once
// FakeStreamingTransport: a StreamingTransport that answers from a script and records every
// request. Each open() pops the next scripted answer: an Error, or a response whose body is
// handed out in the scripted pieces (one read() never crosses a piece boundary, so a test
// controls exactly how the body is split) and may end in a scripted Error instead of its end.
// Running out of script is a test bug and answers a terminal Error naming the request.

#include <algorithm>
#include <cstring>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "http/streaming.h"

namespace frankenetes::testing {

struct ScriptedStream {
  int status = 200;
  http::Headers headers;
  std::vector<std::string> pieces;
  std::optional<core::Error> error_at_end;  // returned by the read that would return 0
};

class FakeResponseStream final : public http::ResponseStream {
 public:
  explicit FakeResponseStream(ScriptedStream script) : script_(std::move(script)) {}

  int status() const override { return script_.status; }
  const http::Headers& headers() const override { return script_.headers; }

  core::Result<std::size_t> read(std::span<char> buffer) override {
    ++reads_;
    while (piece_ < script_.pieces.size() && offset_ == script_.pieces[piece_].size()) {
      ++piece_;
      offset_ = 0;
    }
    if (piece_ == script_.pieces.size()) {
      if (script_.error_at_end) return *script_.error_at_end;
      return std::size_t{0};
    }
    const std::string& piece = script_.pieces[piece_];
    const std::size_t n = std::min(buffer.size(), piece.size() - offset_);
    std::memcpy(buffer.data(), piece.data() + offset_, n);
    offset_ += n;
    return n;
  }

  int reads() const { return reads_; }

 private:
  ScriptedStream script_;
  std::size_t piece_ = 0;
  std::size_t offset_ = 0;
  int reads_ = 0;
};

class FakeStreamingTransport final : public http::StreamingTransport {
 public:
  void push(ScriptedStream stream) { script_.emplace_back(std::move(stream)); }
  void push(int status, std::vector<std::string> pieces) {
    push(ScriptedStream{status, {}, std::move(pieces), std::nullopt});
  }
  void push_error(core::Error error) { script_.emplace_back(std::move(error)); }

  core::Result<std::unique_ptr<http::ResponseStream>> open(
      const http::ClientRequest& request) override {
    requests_.push_back(request);
    if (script_.empty()) {
      return core::make_error(
          core::ErrorKind::kTerminal,
          "FakeStreamingTransport: no scripted answer for " + request.method + " " + request.url);
    }
    auto next = std::move(script_.front());
    script_.pop_front();
    if (auto* error = std::get_if<core::Error>(&next)) return *error;
    return std::unique_ptr<http::ResponseStream>(
        std::make_unique<FakeResponseStream>(std::get<ScriptedStream>(std::move(next))));
  }

  const std::vector<http::ClientRequest>& requests() const { return requests_; }
  std::size_t remaining() const { return script_.size(); }

 private:
  std::deque<std::variant<ScriptedStream, core::Error>> script_;
  std::vector<http::ClientRequest> requests_;
};

}  // namespace frankenetes::testing
