#include "probe/prober.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "core/duration.h"

namespace frankenetes::probe {
namespace {

bool replace_all(std::string& text, std::string_view placeholder,
                 const std::optional<std::string>& value) {
  for (auto pos = text.find(placeholder); pos != std::string::npos;
       pos = text.find(placeholder, pos)) {
    if (!value || value->empty()) return false;
    text.replace(pos, placeholder.size(), *value);
    pos += value->size();
  }
  return true;
}

}  // namespace

std::optional<std::string> substitute_probe_url(std::string_view url, const ProbeTarget& target) {
  std::string out(url);
  if (!replace_all(out, "{ip}", target.ip)) return std::nullopt;
  if (!replace_all(out, "{fqdn}", target.fqdn)) return std::nullopt;
  return out;
}

std::string judge_probe_response(config::MemberRole role, int status, std::string_view body) {
  if (status < 200 || status > 299) return "HTTP " + std::to_string(status);
  if (role != config::MemberRole::kEtcd) return {};
  // etcd's /health: {"health":"true","reason":""}. Older versions send a bool; accept both
  // spellings of true, and judge non-JSON bodies by the status alone.
  const auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object() || !json.contains("health")) return {};
  const auto& health = json["health"];
  if ((health.is_string() && health.get<std::string>() == "true") ||
      (health.is_boolean() && health.get<bool>())) {
    return {};
  }
  std::string why = "etcd health " + health.dump();
  if (json.contains("reason") && json["reason"].is_string() &&
      !json["reason"].get<std::string>().empty()) {
    why += ": " + json["reason"].get<std::string>();
  }
  return why;
}

model::ProbeObservation apply_probe_result(model::ProbeObservation previous,
                                           const ProbeResult& result, core::MonotonicTime at) {
  previous.configured = true;
  previous.last_success = result.success;
  if (result.success) {
    ++previous.consecutive_successes;
    previous.consecutive_failures = 0;
    previous.consecutive_tls_failures = 0;
    previous.failing_since.reset();
    previous.last_error.clear();
  } else {
    if (previous.consecutive_failures == 0 || !previous.failing_since) {
      previous.failing_since = at;
    }
    ++previous.consecutive_failures;
    if (result.outcome == model::ProbeOutcome::kTls) ++previous.consecutive_tls_failures;
    previous.consecutive_successes = 0;
    previous.last_error = result.error;
  }
  previous.observed_at = at;
  previous.last_duration = result.duration;
  previous.last_outcome = result.success ? model::ProbeOutcome::kOk : result.outcome;
  return previous;
}

void Prober::set_clients(std::shared_ptr<const ProbeClients> clients) {
  std::shared_ptr<const ProbeClients> previous;  // destroyed (its clients stopped) unlocked
  std::lock_guard lock(mutex_);
  if (stopped_) return;
  previous = std::exchange(clients_, std::move(clients));
}

bool Prober::asynchronous() const {
  if (fixed_async_) return true;
  std::lock_guard lock(mutex_);
  return clients_ && clients_->asynchronous();
}

void Prober::stop() {
  std::shared_ptr<const ProbeClients> clients;
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    clients = std::move(clients_);
  }
  // Destroying the last reference stops the asynchronous clients (joining their threads).
  // A probe() in flight on a blocking client holds its own reference until it returns.
  clients.reset();
}

std::optional<Prober::Prepared> Prober::prepare(const config::MemberConfig& member,
                                                const ProbeTarget& target) {
  if (!member.probe) return std::nullopt;
  auto url = substitute_probe_url(member.probe->url, target);
  if (!url) return std::nullopt;
  return prepare(*member.probe, std::move(*url));
}

Prober::Prepared Prober::prepare(const config::ProbeConfig& probe, std::string url) {
  Prepared prepared;
  prepared.request.method = "GET";
  prepared.request.url = std::move(url);
  prepared.request.timeout = probe.timeout;
  prepared.request.operation = "probe";
  prepared.request.headers.emplace("Accept", "application/json, text/plain, */*");
  if (!fixed_transport_ && !fixed_async_) prepared.clients = current_clients();
  return prepared;
}

std::shared_ptr<const ProbeClients> Prober::current_clients() const {
  std::lock_guard lock(mutex_);
  return clients_;
}

std::optional<ProbeResult> Prober::probe(const config::MemberConfig& member,
                                         const ProbeTarget& target) {
  auto prepared = prepare(member, target);
  if (!prepared) return std::nullopt;
  http::HttpTransport* transport = fixed_transport_;
  if (!transport && prepared->clients) {
    transport = prepared->clients->find(probe_tls_of(*member.probe));
  }
  if (!transport) return std::nullopt;
  const auto started = time_.monotonic_time();
  return judge(member.role, member.probe->timeout, transport->send(prepared->request), started);
}

bool Prober::probe_async(const config::MemberConfig& member, const ProbeTarget& target,
                         ProbeDone done) {
  if (!member.probe) return false;
  auto url = substitute_probe_url(member.probe->url, target);
  if (!url) return false;
  return probe_url_async(member, std::move(*url), std::move(done));
}

bool Prober::probe_url_async(const config::MemberConfig& member, std::string url, ProbeDone done) {
  if (!member.probe) return false;
  auto prepared = prepare(*member.probe, std::move(url));
  http::AsyncTransport* transport = async_transport(member, prepared.clients);
  if (!transport) return false;
  const auto started = time_.monotonic_time();
  // What judge() needs of the member, by value: the configuration may be replaced before the
  // answer comes.
  transport->send_async(std::move(prepared.request),
                        [this, role = member.role, timeout = member.probe->timeout, started,
                         done = std::move(done)](core::Result<http::Response> response) {
                          done(judge(role, timeout, response, started));
                        });
  return true;
}

bool Prober::send_async(const config::MemberConfig& member, http::ClientRequest request,
                        http::AsyncTransport::Callback done) {
  if (!member.probe) return false;
  const auto clients = fixed_async_ ? nullptr : current_clients();
  http::AsyncTransport* transport = async_transport(member, clients);
  if (!transport) return false;
  transport->send_async(std::move(request), std::move(done));
  return true;
}

http::AsyncTransport* Prober::async_transport(
    const config::MemberConfig& member, const std::shared_ptr<const ProbeClients>& clients) const {
  if (fixed_async_) return fixed_async_;
  return clients ? clients->find_async(probe_tls_of(*member.probe)) : nullptr;
}

ProbeResult Prober::judge(config::MemberRole role, core::Duration timeout,
                          const core::Result<http::Response>& response,
                          core::MonotonicTime started) const {
  ProbeResult result;
  result.duration = std::chrono::duration_cast<core::Duration>(time_.monotonic_time() - started);
  if (!response.ok()) {
    const auto& error = response.error();
    const auto message =
        error.message.empty() ? std::string(core::to_string(error.kind)) : error.message;
    if (error.kind == core::ErrorKind::kTls) {
      // OpenSSL rejected the handshake: whatever the time it took, the reason is the
      // certificate or the protocol, and the message (which names the peer and the trust
      // anchors consulted) is what the operator needs.
      result.outcome = model::ProbeOutcome::kTls;
      result.error = message;
    } else if (error.timed_out || result.duration >= timeout) {
      // Timeouts are named uniformly so the log and /status read the same whatever layer
      // timed out (connect, TLS or read).
      result.outcome = model::ProbeOutcome::kTimeout;
      result.error = "timeout after " + core::format_duration(timeout);
    } else {
      // kTerminal: the answer was not HTTP, or too large; anything else never got an answer.
      result.outcome = error.kind == core::ErrorKind::kTerminal
                           ? model::ProbeOutcome::kHttpError
                           : model::ProbeOutcome::kConnectError;
      result.error = message;
    }
    return result;
  }
  result.error = judge_probe_response(role, response->status, response->body);
  result.success = result.error.empty();
  result.outcome = result.success ? model::ProbeOutcome::kOk : model::ProbeOutcome::kHttpError;
  return result;
}

}  // namespace frankenetes::probe
