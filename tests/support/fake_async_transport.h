#pragma once
// FakeAsyncTransport: an AsyncTransport whose requests stay in flight until the test answers
// them (answer(), answer_all()), or forever (a peer that never answers, a stopped client).
// Callbacks run on the test's thread inside answer*, never inside send_async(), as the
// contract asks.

#include <cstddef>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "http/async_transport.h"
#include "support/fake_transport.h"

namespace frankenetes::testing {

class FakeAsyncTransport final : public http::AsyncTransport {
 public:
  void send_async(http::ClientRequest request, Callback done) override {
    std::lock_guard lock(mutex_);
    requests_.push_back(request);
    pending_.push_back({std::move(request), std::move(done)});
  }

  std::size_t pending() const {
    std::lock_guard lock(mutex_);
    return pending_.size();
  }
  // Every request ever sent, answered or not.
  std::vector<http::ClientRequest> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

  // Answers the oldest request in flight; false when there is none.
  bool answer(core::Result<http::Response> result) {
    Pending next;
    {
      std::lock_guard lock(mutex_);
      if (pending_.empty()) return false;
      next = std::move(pending_.front());
      pending_.erase(pending_.begin());
    }
    next.done(std::move(result));
    return true;
  }
  bool answer(int status, std::string body = {}) {
    return answer(make_response(status, std::move(body)));
  }
  // Answers every request in flight with `status`; how many there were.
  std::size_t answer_all(int status, const std::string& body = {}) {
    std::size_t answered = 0;
    while (answer(status, body)) ++answered;
    return answered;
  }
  // Forgets the requests in flight without answering them (a stopped client).
  void drop_all() {
    std::lock_guard lock(mutex_);
    pending_.clear();
  }

 private:
  struct Pending {
    http::ClientRequest request;
    Callback done;
  };
  mutable std::mutex mutex_;
  std::vector<Pending> pending_;
  std::vector<http::ClientRequest> requests_;
};

}  // namespace frankenetes::testing
