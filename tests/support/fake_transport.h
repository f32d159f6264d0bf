#pragma once
// FakeTransport: an HttpTransport that answers from a script and records every request.
// Each send() pops the next scripted answer (a Response or an Error); running out of script
// is a test bug and answers a terminal Error naming the request. Optionally advances a
// FakeTimeSource per request to give exchanges a duration.

#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "http/transport.h"
#include "support/fake_time_source.h"

namespace frankenetes::testing {

inline http::Response make_response(int status, std::string body = {}, http::Headers headers = {}) {
  http::Response response;
  response.status = status;
  response.body = std::move(body);
  response.headers = std::move(headers);
  return response;
}

using core::make_error;

class FakeTransport final : public http::HttpTransport {
 public:
  explicit FakeTransport(FakeTimeSource* time = nullptr,
                         core::Duration per_request = core::Duration(0))
      : time_(time), per_request_(per_request) {}

  void push(http::Response response) { script_.emplace_back(std::move(response)); }
  void push(int status, std::string body = {}, http::Headers headers = {}) {
    push(make_response(status, std::move(body), std::move(headers)));
  }
  void push_error(core::ErrorKind kind, std::string message) {
    script_.emplace_back(make_error(kind, std::move(message)));
  }
  void push_error(core::Error error) { script_.emplace_back(std::move(error)); }

  core::Result<http::Response> send(const http::ClientRequest& request) override {
    requests_.push_back(request);
    if (time_ != nullptr) time_->advance(per_request_);
    if (script_.empty()) {
      return make_error(core::ErrorKind::kTerminal, "FakeTransport: no scripted answer for " +
                                                        request.method + " " + request.url);
    }
    auto next = std::move(script_.front());
    script_.pop_front();
    return next;
  }

  const std::vector<http::ClientRequest>& requests() const { return requests_; }
  std::size_t remaining() const { return script_.size(); }

 private:
  FakeTimeSource* time_;
  core::Duration per_request_;
  std::deque<core::Result<http::Response>> script_;
  std::vector<http::ClientRequest> requests_;
};

}  // namespace frankenetes::testing
