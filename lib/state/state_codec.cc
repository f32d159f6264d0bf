#include "state/state_codec.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "state/cluster_history.h"

namespace frankenetes::state {
namespace {

using nlohmann::json;

// Wall-clock times are unix milliseconds: exact, and no parser of our own to trust.
class Clocks {
 public:
  Clocks(core::SystemTime system_now, core::MonotonicTime monotonic_now)
      : system_now_(system_now), monotonic_now_(monotonic_now) {}

  std::int64_t to_wall_ms(core::MonotonicTime t) const {
    const auto wall = system_now_ + std::chrono::duration_cast<core::SystemTime::duration>(
                                        t - monotonic_now_);
    return std::chrono::duration_cast<std::chrono::milliseconds>(wall.time_since_epoch()).count();
  }
  core::MonotonicTime from_wall_ms(std::int64_t ms) const {
    const core::SystemTime wall{std::chrono::milliseconds(ms)};
    return monotonic_now_ +
           std::chrono::duration_cast<core::MonotonicTime::duration>(wall - system_now_);
  }
  // A time this far from now is not one this daemon wrote (and would overflow the clocks).
  bool plausible(std::int64_t ms) const {
    constexpr std::int64_t kTenYearsMs = 10LL * 366 * 24 * 3600 * 1000;
    const auto now = wall_ms(system_now_);
    return ms > now - kTenYearsMs && ms < now + kTenYearsMs;
  }
  static std::int64_t wall_ms(core::SystemTime t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  }

 private:
  core::SystemTime system_now_;
  core::MonotonicTime monotonic_now_;
};

template <typename Enum, std::size_t N>
std::optional<Enum> enum_from(std::string_view text, const std::array<Enum, N>& values) {
  for (const auto v : values) {
    if (plan::to_string(v) == text) return v;
  }
  return std::nullopt;
}

constexpr std::array kActionKinds{plan::ActionKind::kRestart, plan::ActionKind::kStart,
                                  plan::ActionKind::kStopStart, plan::ActionKind::kRecreate};
constexpr std::array kOutcomes{plan::ActionOutcome::kSucceeded, plan::ActionOutcome::kFailed,
                               plan::ActionOutcome::kTimedOut, plan::ActionOutcome::kInterrupted,
                               plan::ActionOutcome::kLeaseLost};
// Ladder rungs, actions and PUT attempts: far below this in any real history.
constexpr int kMaxCount = 1000000;

constexpr std::array kGiveUps{plan::SkipReason::kGaveUp, plan::SkipReason::kNoSpec};

json encode_action(const plan::ActionRecord& a, const Clocks& clocks) {
  json out{{"kind", plan::to_string(a.kind)},
           {"rung", a.rung},
           {"startedAtMs", clocks.to_wall_ms(a.started_at)}};
  if (a.finished_at) out["finishedAtMs"] = clocks.to_wall_ms(*a.finished_at);
  if (a.outcome) out["outcome"] = plan::to_string(*a.outcome);
  return out;
}

// Reads fail with the JSON path of the first field that is absent or of the wrong type.
class Reader {
 public:
  explicit Reader(const Clocks& clocks) : clocks_(clocks) {}

  const json& need(const json& obj, const std::string& key, const std::string& path,
                   json::value_t type) {
    if (!obj.is_object() || !obj.contains(key)) throw Problem(path + "." + key + ": missing");
    const json& v = obj.at(key);
    const bool ok = type == json::value_t::number_integer
                        ? v.is_number_integer()
                        : (type == json::value_t::number_unsigned ? v.is_number_unsigned()
                                                                  : v.type() == type);
    if (!ok) throw Problem(path + "." + key + ": wrong type (" + v.type_name() + ")");
    return v;
  }
  std::string string(const json& obj, const std::string& key, const std::string& path) {
    return need(obj, key, path, json::value_t::string).get<std::string>();
  }
  std::int64_t integer(const json& obj, const std::string& key, const std::string& path) {
    return need(obj, key, path, json::value_t::number_integer).get<std::int64_t>();
  }
  bool boolean(const json& obj, const std::string& key, const std::string& path) {
    return need(obj, key, path, json::value_t::boolean).get<bool>();
  }
  const json& array(const json& obj, const std::string& key, const std::string& path) {
    return need(obj, key, path, json::value_t::array);
  }
  core::MonotonicTime time(const json& obj, const std::string& key, const std::string& path) {
    return clocks_.from_wall_ms(wall_ms(obj, key, path));
  }
  std::int64_t wall_ms(const json& obj, const std::string& key, const std::string& path) {
    const auto ms = integer(obj, key, path);
    if (!clocks_.plausible(ms)) throw Problem{path + "." + key + ": not a time near now"};
    return ms;
  }
  int bounded(const json& obj, const std::string& key, const std::string& path, int lo, int hi) {
    const auto v = integer(obj, key, path);
    if (v < lo || v > hi) {
      throw Problem{path + "." + key + ": " + std::to_string(v) + " is outside " +
                    std::to_string(lo) + ".." + std::to_string(hi)};
    }
    return static_cast<int>(v);
  }
  template <typename Enum, std::size_t N>
  Enum enumeration(const json& obj, const std::string& key, const std::string& path,
                   const std::array<Enum, N>& values) {
    const auto text = string(obj, key, path);
    const auto v = enum_from(text, values);
    if (!v) throw Problem(path + "." + key + ": unknown value '" + text + "'");
    return *v;
  }

  plan::ActionRecord action(const json& a, const std::string& path) {
    plan::ActionRecord out;
    out.kind = enumeration(a, "kind", path, kActionKinds);
    out.rung = bounded(a, "rung", path, 0, kMaxCount);
    out.started_at = time(a, "startedAtMs", path);
    if (a.contains("finishedAtMs")) out.finished_at = time(a, "finishedAtMs", path);
    if (a.contains("outcome")) out.outcome = enumeration(a, "outcome", path, kOutcomes);
    return out;
  }

  // {"clusterId": "8e9e05c52164694d", "revision": 1001, "dataLoss": "…",
  //  "lost": {"clusterId": …, "revision": …}, "restoreFailed": "…"}, each optional but
  // clusterId and revision go together.
  void etcd(const json& e, const std::string& path, plan::MemberHistory& m) {
    if (!e.is_object()) throw Problem(path + ": wrong type (" + std::string(e.type_name()) + ")");
    if (e.contains("clusterId") || e.contains("revision")) m.etcd_seen = identity(e, path);
    if (e.contains("dataLoss")) m.etcd_data_loss = string(e, "dataLoss", path);
    if (e.contains("lost")) {
      const auto& lost = e.at("lost");
      if (!lost.is_object()) throw Problem(path + ".lost: wrong type (" + std::string(lost.type_name()) + ")");
      m.etcd_lost = identity(lost, path + ".lost");
    }
    if (e.contains("restoreFailed")) m.etcd_restore_failed = string(e, "restoreFailed", path);
  }

  etcd::DataIdentity identity(const json& e, const std::string& path) {
    const auto id = string(e, "clusterId", path);
    const bool hex = id.size() == 16 && id.find_first_not_of("0123456789abcdef") == std::string::npos;
    if (!hex) throw Problem(path + ".clusterId: not 16 lowercase hex digits");
    return {std::stoull(id, nullptr, 16),
            need(e, "revision", path, json::value_t::number_unsigned).get<std::uint64_t>()};
  }

  struct Problem {
    std::string what;
  };

 private:
  const Clocks& clocks_;
};

}  // namespace

namespace {

// What the state file keeps of a member; MemberHistory{} when nothing is worth remembering.
plan::MemberHistory persistent_member(const plan::MemberHistory& m) {
  plan::MemberHistory kept;
  kept.actions_taken = m.actions_taken;
  kept.action_starts = m.action_starts;
  kept.in_flight = m.in_flight;
  kept.last_action = m.last_action;
  kept.gave_up = m.gave_up;
  kept.give_up_reason = m.give_up_reason;
  kept.give_up_detail = m.give_up_detail;
  kept.healthy_since = m.healthy_since;
  kept.etcd_seen = m.etcd_seen;
  kept.etcd_data_loss = m.etcd_data_loss;
  kept.etcd_lost = m.etcd_lost;
  kept.etcd_restore_failed = m.etcd_restore_failed;
  return kept;
}

// Calls f(key, kept) for each member worth remembering, one at a time: the state is written
// after every plan, and a persistent copy of the whole history was 1.9 MB at 4000 members.
template <typename F>
void for_each_persistent(const plan::History& history, F&& f) {
  for (const auto& [key, m] : history.members) {
    auto kept = persistent_member(m);
    if (kept == plan::MemberHistory{}) continue;
    f(key, std::move(kept));
  }
}

}  // namespace

plan::History persistent_part(const plan::History& history) {
  plan::History out;
  out.action_starts = history.action_starts;
  for_each_persistent(history, [&out](const model::MemberKey& key, plan::MemberHistory kept) {
    out.members.emplace(key, std::move(kept));
  });
  return out;
}

PersistentChange compare_persistent(const plan::History& history, const plan::History& written) {
  if (history.action_starts != written.action_starts) return PersistentChange::kChanged;
  auto change = PersistentChange::kSame;
  auto next = written.members.begin();
  for (const auto& [key, member] : history.members) {
    auto kept = persistent_member(member);
    if (kept == plan::MemberHistory{}) continue;
    if (next == written.members.end() || next->first != key) return PersistentChange::kChanged;
    const auto& was = (next++)->second;
    if (kept == was) continue;
    if (!kept.etcd_seen || !was.etcd_seen ||
        kept.etcd_seen->cluster_id != was.etcd_seen->cluster_id ||
        kept.etcd_seen->revision < was.etcd_seen->revision) {
      return PersistentChange::kChanged;
    }
    kept.etcd_seen = was.etcd_seen;
    if (!(kept == was)) return PersistentChange::kChanged;
    change = PersistentChange::kEtcdProgress;
  }
  return next == written.members.end() ? change : PersistentChange::kChanged;
}

namespace {

json encode_document(const PersistedState& state, core::SystemTime system_now,
                     core::MonotonicTime monotonic_now) {
  const Clocks clocks(system_now, monotonic_now);
  json members = json::array();
  for_each_persistent(state.history, [&](const model::MemberKey& key,
                                         const plan::MemberHistory& m) {
    json entry{{"cluster", key.cluster},
               {"member", key.member},
               {"actionsTaken", m.actions_taken},
               {"gaveUp", m.gave_up}};
    if (m.gave_up) {
      entry["giveUpReason"] = plan::to_string(m.give_up_reason);
      entry["giveUpDetail"] = m.give_up_detail;
    }
    if (m.in_flight) entry["inFlight"] = encode_action(*m.in_flight, clocks);
    if (m.last_action) entry["lastAction"] = encode_action(*m.last_action, clocks);
    if (m.healthy_since) entry["healthySinceMs"] = clocks.to_wall_ms(*m.healthy_since);
    if (!m.action_starts.empty()) {
      json starts = json::array();
      for (const auto at : m.action_starts) starts.push_back(clocks.to_wall_ms(at));
      entry["actionStarts"] = std::move(starts);
    }
    if (m.etcd_seen || !m.etcd_data_loss.empty() || m.etcd_lost || !m.etcd_restore_failed.empty()) {
      auto identity = [](const etcd::DataIdentity& id) {
        return json{{"clusterId", etcd::format_etcd_id(id.cluster_id)}, {"revision", id.revision}};
      };
      json etcd = m.etcd_seen ? identity(*m.etcd_seen) : json::object();
      if (!m.etcd_data_loss.empty()) etcd["dataLoss"] = m.etcd_data_loss;
      if (m.etcd_lost) etcd["lost"] = identity(*m.etcd_lost);
      if (!m.etcd_restore_failed.empty()) etcd["restoreFailed"] = m.etcd_restore_failed;
      entry["etcd"] = std::move(etcd);
    }
    members.push_back(std::move(entry));
  });
  json starts = json::array();
  for (const auto at : state.history.action_starts) starts.push_back(clocks.to_wall_ms(at));
  json operations = json::array();
  for (const auto& op : state.operations) {
    operations.push_back({{"type", "recreate"},
                          {"cluster", op.member.cluster},
                          {"member", op.member.member},
                          {"subscriptionId", op.subscription_id},
                          {"resourceGroup", op.resource_group},
                          {"containerGroup", op.group_name},
                          {"spec", op.spec_text},
                          {"startedAtMs", Clocks::wall_ms(op.started_at)},
                          {"deleteConfirmed", op.delete_confirmed},
                          {"putAttempts", op.put_attempts}});
  }
  json paused = json::array();
  for (const auto& key : state.paused) {
    paused.push_back({{"cluster", key.cluster}, {"member", key.member}});
  }
  return json{{"format", "frankenetesd-state"},
              {"version", kStateFormatVersion},
              {"writtenAtMs", Clocks::wall_ms(system_now)},
              {"members", std::move(members)},
              {"actionStarts", std::move(starts)},
              {"operations", std::move(operations)},
              {"paused", std::move(paused)}};
}

core::Error fail(std::string message) {
  return core::make_error(core::ErrorKind::kTerminal, std::move(message));
}

core::Result<PersistedState> decode_document(const json& doc, core::SystemTime system_now,
                                             core::MonotonicTime monotonic_now) {
  const Clocks clocks(system_now, monotonic_now);
  Reader r(clocks);
  try {
    if (r.string(doc, "format", "$") != "frankenetesd-state") {
      return fail("$.format: not a frankenetesd state file");
    }
    const auto version = r.integer(doc, "version", "$");
    if (version != kStateFormatVersion) {
      return fail("$.version: " + std::to_string(version) + " is not supported (this daemon reads " +
                  std::to_string(kStateFormatVersion) + ")");
    }
    PersistedState state;
    const auto& members = r.array(doc, "members", "$");
    for (std::size_t i = 0; i < members.size(); ++i) {
      const std::string path = "$.members[" + std::to_string(i) + "]";
      const json& e = members[i];
      model::MemberKey key{r.string(e, "cluster", path), r.string(e, "member", path)};
      plan::MemberHistory m;
      m.actions_taken = r.bounded(e, "actionsTaken", path, 0, kMaxCount);
      m.gave_up = r.boolean(e, "gaveUp", path);
      if (m.gave_up) {
        m.give_up_reason = r.enumeration(e, "giveUpReason", path, kGiveUps);
        m.give_up_detail = r.string(e, "giveUpDetail", path);
      }
      if (e.contains("inFlight")) m.in_flight = r.action(e.at("inFlight"), path + ".inFlight");
      if (e.contains("lastAction")) {
        m.last_action = r.action(e.at("lastAction"), path + ".lastAction");
      }
      if (e.contains("healthySinceMs")) m.healthy_since = r.time(e, "healthySinceMs", path);
      if (e.contains("actionStarts")) {  // came later in version 1: absent means none
        const auto& starts = r.array(e, "actionStarts", path);
        for (std::size_t j = 0; j < starts.size(); ++j) {
          if (!starts[j].is_number_integer() || !clocks.plausible(starts[j].get<std::int64_t>())) {
            return fail(path + ".actionStarts[" + std::to_string(j) + "]: not a time near now");
          }
          m.action_starts.push_back(clocks.from_wall_ms(starts[j].get<std::int64_t>()));
        }
      }
      if (e.contains("etcd")) r.etcd(e.at("etcd"), path + ".etcd", m);
      state.history.members[key] = std::move(m);
    }
    const auto& starts = r.array(doc, "actionStarts", "$");
    for (std::size_t i = 0; i < starts.size(); ++i) {
      if (!starts[i].is_number_integer() || !clocks.plausible(starts[i].get<std::int64_t>())) {
        return fail("$.actionStarts[" + std::to_string(i) + "]: not a time near now");
      }
      state.history.action_starts.push_back(clocks.from_wall_ms(starts[i].get<std::int64_t>()));
    }
    const auto& operations = r.array(doc, "operations", "$");
    for (std::size_t i = 0; i < operations.size(); ++i) {
      const std::string path = "$.operations[" + std::to_string(i) + "]";
      const json& o = operations[i];
      if (r.string(o, "type", path) != "recreate") {
        return fail(path + ".type: unknown operation");
      }
      RecreateOperation op;
      op.member = {r.string(o, "cluster", path), r.string(o, "member", path)};
      op.subscription_id = r.string(o, "subscriptionId", path);
      op.resource_group = r.string(o, "resourceGroup", path);
      op.group_name = r.string(o, "containerGroup", path);
      op.spec_text = r.string(o, "spec", path);
      op.started_at = core::SystemTime{std::chrono::milliseconds(r.wall_ms(o, "startedAtMs", path))};
      op.delete_confirmed = r.boolean(o, "deleteConfirmed", path);
      op.put_attempts = r.bounded(o, "putAttempts", path, 0, kMaxCount);
      state.operations.push_back(std::move(op));
    }
    if (doc.contains("paused")) {  // absent in files written before pausing existed
      const auto& paused = r.array(doc, "paused", "$");
      for (std::size_t i = 0; i < paused.size(); ++i) {
        const std::string path = "$.paused[" + std::to_string(i) + "]";
        state.paused.insert({r.string(paused[i], "cluster", path), r.string(paused[i], "member", path)});
      }
    }
    return state;
  } catch (const Reader::Problem& problem) {
    return fail(problem.what);
  }
}

}  // namespace

std::string encode_state(const PersistedState& state, core::SystemTime system_now,
                         core::MonotonicTime monotonic_now) {
  return encode_document(state, system_now, monotonic_now).dump(2) + "\n";
}

core::Result<PersistedState> decode_state(std::string_view text, core::SystemTime system_now,
                                          core::MonotonicTime monotonic_now) {
  const json doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return fail("not valid JSON");
  return decode_document(doc, system_now, monotonic_now);
}

plan::History cluster_part(const plan::History& history, const std::string& cluster) {
  plan::History out;
  for (auto& [key, member] : persistent_part(history).members) {
    if (key.cluster != cluster) continue;
    out.action_starts.insert(out.action_starts.end(), member.action_starts.begin(),
                             member.action_starts.end());
    out.members.emplace(key, std::move(member));
  }
  std::sort(out.action_starts.begin(), out.action_starts.end());
  return out;
}

std::string encode_cluster_history(const std::string& cluster, const plan::History& history,
                                   core::SystemTime system_now,
                                   core::MonotonicTime monotonic_now) {
  json doc = encode_document({cluster_part(history, cluster), {}, {}}, system_now, monotonic_now);
  doc["cluster"] = cluster;
  return doc.dump(2) + "\n";
}

core::Result<plan::History> decode_cluster_history(std::string_view text,
                                                   const std::string& cluster,
                                                   core::SystemTime system_now,
                                                   core::MonotonicTime monotonic_now) {
  const json doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return fail("not valid JSON");
  if (!doc.is_object() || !doc.contains("cluster") || doc.at("cluster") != cluster) {
    return fail("$.cluster: not the history of cluster " + cluster);
  }
  auto state = decode_document(doc, system_now, monotonic_now);
  if (!state.ok()) return state.error();
  for (const auto& [key, member] : state.value().history.members) {
    if (key.cluster != cluster) return fail("$.members: member of another cluster " + key.cluster);
  }
  return std::move(state.value().history);
}

}  // namespace frankenetes::state
