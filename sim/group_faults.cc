#include "sim/group_faults.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "sim/errors.h"

namespace frankenetes::sim {

namespace {

const char* body_name(NotFoundBody body) { return body == NotFoundBody::kHtml ? "html" : "arm"; }

// Consumes one use of a counted fault; kUntilCleared never runs out.
void consume(int& remaining) {
  if (remaining > 0) --remaining;
}

core::Error bad(const std::string& fault, const std::string& why) {
  return config_error(fault + " fault: " + why, 400);
}

// Rejects keys other than `known` and `ignore`.
std::optional<core::Error> unknown_keys(const std::string& fault, const nlohmann::json& j,
                                        std::initializer_list<const char*> known,
                                        const std::vector<std::string>& ignore) {
  if (!j.is_object()) return bad(fault, "expected a JSON object");
  for (const auto& [key, value] : j.items()) {
    (void)value;
    const bool mine = std::any_of(known.begin(), known.end(), [&](const char* k) { return key == k; });
    const bool theirs = std::find(ignore.begin(), ignore.end(), key) != ignore.end();
    if (!mine && !theirs) return bad(fault, "unknown key '" + key + "'");
  }
  return std::nullopt;
}

// "count": a positive integer when present.
core::Result<std::optional<int>> positive_count(const std::string& fault, const nlohmann::json& j) {
  const auto it = j.find("count");
  if (it == j.end()) return std::optional<int>();
  if (!it->is_number_integer() || it->get<long long>() < 1 || it->get<long long>() > 1000000) {
    return bad(fault, "count must be an integer from 1 to 1000000");
  }
  return std::optional<int>(static_cast<int>(it->get<long long>()));
}

}  // namespace

std::string GetFault::label() const {
  if (not_found) return std::string("notFound:") + body_name(*not_found);
  if (omit_restart_count) return "omitRestartCount";
  return {};
}

void GroupFaults::set_not_found(const std::string& key, int count, NotFoundBody body) {
  auto& f = groups_[key];
  f.not_found = count;
  f.not_found_body = body;
  forget_if_empty(key);
}

void GroupFaults::set_omit_restart_count(const std::string& key, int count) {
  groups_[key].omit_restart_count = count;
  forget_if_empty(key);
}

void GroupFaults::set_slow_delete(const std::string& key, core::Duration duration, int count) {
  auto& f = groups_[key];
  f.slow_delete = count;
  f.delete_duration = duration;
  forget_if_empty(key);
}

bool GroupFaults::clear(const std::string& key, const std::string& kind) {
  if (kind != "" && kind != "notFound" && kind != "omitRestartCount" && kind != "slowDelete") {
    return false;
  }
  const auto it = groups_.find(key);
  if (it == groups_.end()) return true;
  if (kind.empty() || kind == "notFound") it->second.not_found = 0;
  if (kind.empty() || kind == "omitRestartCount") it->second.omit_restart_count = 0;
  if (kind.empty() || kind == "slowDelete") it->second.slow_delete = 0;
  forget_if_empty(key);
  return true;
}

GetFault GroupFaults::take_get(const std::string& key) {
  GetFault out;
  const auto it = groups_.find(key);
  if (it == groups_.end()) return out;
  auto& f = it->second;
  if (f.not_found != 0) {
    out.not_found = f.not_found_body;
    consume(f.not_found);
  } else if (f.omit_restart_count != 0) {
    out.omit_restart_count = true;
    consume(f.omit_restart_count);
  }
  forget_if_empty(key);
  return out;
}

std::optional<core::Duration> GroupFaults::take_delete(const std::string& key) {
  const auto it = groups_.find(key);
  if (it == groups_.end() || it->second.slow_delete == 0) return std::nullopt;
  const auto duration = it->second.delete_duration;
  consume(it->second.slow_delete);
  forget_if_empty(key);
  return duration;
}

nlohmann::json GroupFaults::describe(const std::string& key) const {
  auto out = nlohmann::json::object();
  const auto it = groups_.find(key);
  if (it == groups_.end()) return out;
  const auto& f = it->second;
  if (f.not_found != 0) out["notFound"] = {{"count", f.not_found}, {"body", body_name(f.not_found_body)}};
  if (f.omit_restart_count != 0) out["omitRestartCount"] = {{"count", f.omit_restart_count}};
  if (f.slow_delete != 0) {
    out["slowDelete"] = {{"seconds", std::chrono::duration<double>(f.delete_duration).count()},
                         {"count", f.slow_delete}};
  }
  return out;
}

nlohmann::json GroupFaults::describe_all() const {
  auto out = nlohmann::json::object();
  for (const auto& [key, f] : groups_) out[key] = describe(key);
  return out;
}

void GroupFaults::forget_if_empty(const std::string& key) {
  const auto it = groups_.find(key);
  if (it != groups_.end() && it->second.empty()) groups_.erase(it);
}

core::Result<NotFoundFault> parse_not_found_fault(const nlohmann::json& j,
                                                  const std::vector<std::string>& ignore) {
  if (auto e = unknown_keys("notFound", j, {"count", "body"}, ignore)) return *e;
  NotFoundFault out;
  auto count = positive_count("notFound", j);
  if (!count.ok()) return count.error();
  if (*count) out.count = **count;
  if (const auto it = j.find("body"); it != j.end()) {
    if (*it == "arm") out.body = NotFoundBody::kArm;
    else if (*it == "html") out.body = NotFoundBody::kHtml;
    else return bad("notFound", "body must be \"arm\" or \"html\"");
  }
  return out;
}

core::Result<OmitRestartCountFault> parse_omit_restart_count_fault(
    const nlohmann::json& j, const std::vector<std::string>& ignore) {
  if (auto e = unknown_keys("omitRestartCount", j, {"count"}, ignore)) return *e;
  OmitRestartCountFault out;
  auto count = positive_count("omitRestartCount", j);
  if (!count.ok()) return count.error();
  if (*count) out.count = **count;
  return out;
}

core::Result<SlowDeleteFault> parse_slow_delete_fault(const nlohmann::json& j,
                                                      const std::vector<std::string>& ignore) {
  if (auto e = unknown_keys("slowDelete", j, {"seconds", "count"}, ignore)) return *e;
  SlowDeleteFault out;
  const auto it = j.find("seconds");
  if (it == j.end() || !it->is_number() || !std::isfinite(it->get<double>()) ||
      it->get<double>() <= 0 || it->get<double>() > 86400) {
    return bad("slowDelete", "seconds must be a number above 0 and at most 86400");
  }
  out.duration = std::chrono::duration_cast<core::Duration>(std::chrono::duration<double>(it->get<double>()));
  auto count = positive_count("slowDelete", j);
  if (!count.ok()) return count.error();
  if (*count) out.count = **count;
  return out;
}

}  // namespace frankenetes::sim
