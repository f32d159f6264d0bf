#pragma once
// ConnectionPool: HttpClient's idle keep-alive connections, keyed by "scheme://host:port".
// Internal to lib/http (no public header includes it). A template over the connection type so
// the pooling rules are unit-tested with a fake connection and no sockets; HttpClient uses it
// with detail::Connection.
//
// Rules: connections are handed out most-recently-used first (the one least likely to have been
// closed by the server); one idle for idle_timeout or more, or whose looks_usable() says the
// server closed it, is discarded instead; at most max_idle_per_host wait per key, extras are
// closed. Discarded connections are destroyed after the mutex is released, since closing one
// can take a system call or two. The pool never blocks on I/O and has no thread of its own:
// expired connections of every key are swept when a connection is returned, at most once per
// quarter of idle_timeout (a sweep walks every key: with a key per probed member, thousands,
// one on every return cost more than the exchange), so an expired connection is closed within
// idle_timeout / 4 of expiring while the pool is in use — and never handed out meanwhile.
//
// Connection needs: const std::string& key() const; std::chrono::steady_clock::time_point
// idle_since() const; void set_idle_since(time_point); bool looks_usable().

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <iterator>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace frankenetes::http::detail {

template <class Connection>
class ConnectionPool {
 public:
  using Clock = std::chrono::steady_clock;

  ConnectionPool(std::size_t max_idle_per_host, std::chrono::milliseconds idle_timeout)
      : max_idle_per_host_(max_idle_per_host), idle_timeout_(idle_timeout) {}

  // The most recently returned usable connection for `key`, or null.
  std::unique_ptr<Connection> acquire(const std::string& key, Clock::time_point now) {
    std::vector<std::unique_ptr<Connection>> discarded;  // destroyed after the lock is released
    std::lock_guard lock(mutex_);
    auto it = idle_.find(key);
    if (it == idle_.end()) return nullptr;
    auto& list = it->second;
    std::unique_ptr<Connection> found;
    while (!list.empty() && !found) {
      auto candidate = std::move(list.back());
      list.pop_back();
      if (now - candidate->idle_since() < idle_timeout_ && candidate->looks_usable()) {
        found = std::move(candidate);
      } else {
        discarded.push_back(std::move(candidate));
      }
    }
    if (list.empty()) idle_.erase(it);
    return found;
  }

  // Takes back a connection that finished an exchange and may carry another request.
  void release(std::unique_ptr<Connection> connection, Clock::time_point now) {
    std::vector<std::unique_ptr<Connection>> discarded;  // destroyed after the lock is released
    std::lock_guard lock(mutex_);
    if (now - last_sweep_ >= idle_timeout_ / 4) {
      for (auto it = idle_.begin(); it != idle_.end();) {
        evict_expired_locked(it->second, now, discarded);
        it = it->second.empty() ? idle_.erase(it) : std::next(it);
      }
      last_sweep_ = now;
    }
    if (max_idle_per_host_ == 0) {
      discarded.push_back(std::move(connection));
      return;
    }
    auto& list = idle_[connection->key()];
    if (list.size() >= max_idle_per_host_) evict_expired_locked(list, now, discarded);
    if (list.size() >= max_idle_per_host_) {
      discarded.push_back(std::move(connection));
      return;
    }
    connection->set_idle_since(now);
    list.push_back(std::move(connection));
  }

  // Closes every idle connection (AsyncHttpClient::stop(): its sockets must go before its
  // io_context).
  void clear() {
    std::unordered_map<std::string, std::vector<std::unique_ptr<Connection>>> discarded;
    {
      std::lock_guard lock(mutex_);
      discarded.swap(idle_);
    }
  }

  std::size_t idle_count() const {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const auto& entry : idle_) n += entry.second.size();
    return n;
  }

 private:
  // Moves the connections of `list` idle for idle_timeout or more to `discarded`.
  void evict_expired_locked(std::vector<std::unique_ptr<Connection>>& list, Clock::time_point now,
                            std::vector<std::unique_ptr<Connection>>& discarded) {
    auto expired = std::stable_partition(list.begin(), list.end(), [&](const auto& c) {
      return now - c->idle_since() < idle_timeout_;
    });
    std::move(expired, list.end(), std::back_inserter(discarded));
    list.erase(expired, list.end());
  }

  const std::size_t max_idle_per_host_;
  const std::chrono::milliseconds idle_timeout_;
  mutable std::mutex mutex_;
  Clock::time_point last_sweep_{};  // of every key's expired connections (release())
  // Per key, oldest first: acquire() takes from the back.
  std::unordered_map<std::string, std::vector<std::unique_ptr<Connection>>> idle_;
};

}  // namespace frankenetes::http::detail
