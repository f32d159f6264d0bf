#include "dns/verifier.h"

#include <algorithm>
#include <cctype>

#include "core/duration.h"
#include "core/strings.h"
#include "dns/dns_query.h"

namespace frankenetes::dns {
namespace {

// Never spin: a zero interval (or a deadline a microsecond away) still yields between rounds.
constexpr core::Duration kMinimumSleep{1};

std::string normalized(std::string_view value, RecordType type) {
  std::string out(value);
  if (type == RecordType::kCname) {
    out = core::to_lower(out);
    if (!out.empty() && out.back() == '.') out.pop_back();
  }
  return out;
}

std::vector<std::string> normalized(const std::vector<std::string>& values, RecordType type) {
  std::vector<std::string> out;
  out.reserve(values.size());
  for (const auto& v : values) out.push_back(normalized(v, type));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string join(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : " ") + v;
  return out;
}

std::string describe_set(RecordType type, const std::vector<std::string>& values) {
  if (values.empty()) return std::string("no ") + to_string(type);
  return std::string(to_string(type)) + " " + join(values);
}

core::Error invalid_server(const std::string& server) {
  return core::make_error(core::ErrorKind::kInvalidConfig,
                          "not a DNS server address (want host:port): \"" + server + "\"");
}

}  // namespace

std::string Expectation::describe() const { return describe_set(type, values); }

std::string ServerAnswer::describe() const {
  if (error) return "error: " + error->describe();
  if (!answer) return "not asked";
  if (!*answer) return "absent";
  return describe_set((*answer)->type, (*answer)->values);
}

std::string VerificationResult::describe() const {
  if (!problem.empty()) return "not verified: " + problem;
  if (cancelled) return "cancelled after " + core::format_duration(elapsed);
  std::string out = consistent ? "consistent" : "inconsistent";
  out += " after " + core::format_duration(elapsed) + " (" + std::to_string(servers.size()) +
         (servers.size() == 1 ? " server" : " servers") + ", " + std::to_string(rounds) +
         (rounds == 1 ? " round)" : " rounds)");
  if (consistent) return out;
  std::string lagging;
  for (const ServerAnswer& s : servers) {
    if (s.matches) continue;
    lagging += (lagging.empty() ? ": " : "; ") + s.server + " " + s.describe();
  }
  return out + lagging;
}

bool answer_matches(const Expectation& expected, const std::optional<RecordSet>& answer) {
  if (!answer || answer->values.empty()) return expected.values.empty();
  if (answer->type != expected.type) return false;
  return normalized(answer->values, expected.type) == normalized(expected.values, expected.type);
}

std::vector<std::string> choose_verify_servers(const config::DnsVerifyConfig& verify,
                                               const std::vector<std::string>& authoritative) {
  if (verify.nameservers.empty()) return authoritative;
  std::vector<std::string> out;
  out.reserve(verify.nameservers.size());
  for (const auto& ns : verify.nameservers) out.push_back(ns.to_string());
  return out;
}

core::Result<std::optional<RecordSet>> LdnsRecordQuerier::query(const config::HostPort& server,
                                                                const std::string& fqdn,
                                                                RecordType type,
                                                                core::Duration timeout) {
  DnsQueryOptions options;
  options.timeout = timeout;
  return query_record_set(server, fqdn, type, options);
}

VerificationResult DnsVerifier::verify(const Expectation& expected,
                                       const VerifyOptions& options) const {
  VerificationResult result;
  const core::MonotonicTime start = time_.monotonic_time();
  const core::MonotonicTime deadline = start + options.timeout;
  const auto elapsed = [&] {
    return std::chrono::duration_cast<core::Duration>(time_.monotonic_time() - start);
  };

  if (options.servers.empty()) {
    result.problem = "no servers to ask: the provider names none, set dns.verify.nameservers";
    return result;
  }
  struct Target {
    std::optional<config::HostPort> address;
    bool done = false;  // matched, or an address that can never work
  };
  std::vector<Target> targets;
  for (const std::string& server : options.servers) {
    ServerAnswer answer;
    answer.server = server;
    Target target{parse_host_port(server), false};
    if (!target.address) {
      answer.error = invalid_server(server);
      target.done = true;
    }
    result.servers.push_back(std::move(answer));
    targets.push_back(std::move(target));
  }

  while (true) {
    if (options.stop.stop_requested()) {
      result.cancelled = true;
      break;
    }
    ++result.rounds;
    for (std::size_t i = 0; i < targets.size(); ++i) {
      Target& target = targets[i];
      if (target.done) continue;
      ServerAnswer& answer = result.servers[i];
      // Even past the deadline, every server gets at least one query in the first round.
      const auto left =
          std::chrono::duration_cast<core::Duration>(deadline - time_.monotonic_time());
      const core::Duration query_timeout =
          std::clamp(left, core::Duration(std::chrono::milliseconds(100)), options.query_timeout);
      auto reply = querier_.query(*target.address, expected.fqdn, expected.type, query_timeout);
      ++answer.queries;
      if (!reply.ok()) {
        answer.error = reply.error();
        // An address or name the resolver library rejects will not improve by asking again.
        if (reply.error().kind == core::ErrorKind::kInvalidConfig) target.done = true;
        continue;
      }
      answer.error.reset();
      answer.answer = reply.value();
      if (answer_matches(expected, reply.value())) {
        answer.matches = true;
        answer.matched_after = elapsed();
        target.done = true;
      }
    }
    const bool all_match = std::all_of(result.servers.begin(), result.servers.end(),
                                       [](const ServerAnswer& s) { return s.matches; });
    const bool all_done =
        std::all_of(targets.begin(), targets.end(), [](const Target& t) { return t.done; });
    const core::MonotonicTime now = time_.monotonic_time();
    if (all_match || all_done || now >= deadline) {
      result.consistent = all_match;
      break;
    }
    // Sleep to the next round, but wake for one last look exactly at the deadline.
    const auto until_deadline = std::chrono::duration_cast<core::Duration>(deadline - now);
    sleeper_.sleep_for(std::max(std::min(options.interval, until_deadline), kMinimumSleep));
  }
  result.elapsed = elapsed();
  return result;
}

}  // namespace frankenetes::dns
