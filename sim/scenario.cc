#include "sim/scenario.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <set>
#include <sstream>

#include "core/base64.h"
#include "core/duration.h"
#include "core/strings.h"
#include "sim/errors.h"
#include "sim/file_share.h"
#include "sim/yaml_json.h"

namespace frankenetes::sim {

namespace {

// Collects every problem instead of stopping at the first, so one run reports them all.
class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  void problem(const YAML::Node& node, const std::string& path, const std::string& message) {
    problems_.push_back(yaml_location(file_, node) + ": " + path + ": " + message);
  }
  const std::vector<std::string>& problems() const { return problems_; }
  std::vector<std::string>& problems() { return problems_; }
  const std::string& file() const { return file_; }

  void check_keys(const YAML::Node& map, const std::string& path, const std::set<std::string>& known) {
    for (const auto& kv : map) {
      const auto key = kv.first.as<std::string>();
      if (!known.count(key)) {
        const std::vector<std::string> candidates(known.begin(), known.end());
        const auto suggestion = core::closest_match(key, candidates);
        problem(kv.first, path.empty() ? key : path + "." + key,
                "unknown key" + (suggestion.empty() ? std::string() : " (did you mean '" + suggestion + "'?)"));
      }
    }
  }

  bool is_map(const YAML::Node& node, const std::string& path) {
    if (node.IsMap()) return true;
    problem(node, path, "expected a mapping");
    return false;
  }

  std::optional<std::string> str(const YAML::Node& node, const std::string& path) {
    if (!node.IsScalar()) {
      problem(node, path, "expected a string");
      return std::nullopt;
    }
    return node.Scalar();
  }

  std::optional<double> number(const YAML::Node& node, const std::string& path) {
    const auto j = yaml_to_json(node);
    if (!j.is_number()) {
      problem(node, path, "expected a number");
      return std::nullopt;
    }
    return j.get<double>();
  }

  // "10s", "500ms", "5m" or a plain number of seconds.
  std::optional<core::Duration> duration(const YAML::Node& node, const std::string& path) {
    if (!node.IsScalar()) {
      problem(node, path, "expected a duration like 10s");
      return std::nullopt;
    }
    const auto j = yaml_to_json(node);
    if (j.is_number()) {
      return core::Duration(static_cast<core::Duration::rep>(j.get<double>() * 1000.0));
    }
    if (auto d = core::parse_duration(node.Scalar())) return *d;
    problem(node, path, "'" + node.Scalar() + "' is not a duration (e.g. 500ms, 10s, 5m, 1h)");
    return std::nullopt;
  }

 private:
  std::string file_;
  std::vector<std::string> problems_;
};

void read_bucket(Reader& r, const YAML::Node& node, const std::string& path, BucketSettings& out) {
  if (!r.is_map(node, path)) return;
  r.check_keys(node, path, {"burst", "refillPerSecond"});
  if (node["burst"]) {
    if (auto v = r.number(node["burst"], path + ".burst")) out.burst = *v;
  }
  if (node["refillPerSecond"]) {
    if (auto v = r.number(node["refillPerSecond"], path + ".refillPerSecond")) out.refill_per_second = *v;
  }
}

void read_group(Reader& r, const YAML::Node& node, const std::string& path, Scenario& s) {
  if (!r.is_map(node, path)) return;
  r.check_keys(node, path, {"resourceGroup", "name", "location", "tags", "zones", "identity", "properties"});
  ScenarioGroup g;
  g.where = yaml_location(r.file(), node);
  if (!node["name"]) {
    r.problem(node, path, "missing 'name'");
    return;
  }
  if (auto v = r.str(node["name"], path + ".name")) g.name = *v;
  if (node["resourceGroup"]) {
    if (auto v = r.str(node["resourceGroup"], path + ".resourceGroup")) g.resource_group = *v;
  } else if (s.resource_groups.size() == 1) {
    g.resource_group = s.resource_groups.front();
  } else {
    r.problem(node, path, "missing 'resourceGroup' (required unless exactly one resource group is declared)");
    return;
  }
  g.body = nlohmann::json::object();
  g.body["location"] = s.region;
  for (const char* key : {"location", "tags", "zones", "identity", "properties"}) {
    if (node[key]) g.body[key] = yaml_to_json(node[key]);
  }
  s.groups.push_back(std::move(g));
}

void read_fault(Reader& r, const YAML::Node& node, const std::string& path, Scenario& s) {
  if (!r.is_map(node, path)) return;
  ScheduledAction a;
  a.where = yaml_location(r.file(), node);
  if (!node["at"]) {
    r.problem(node, path, "missing 'at' (when to run the action, e.g. 30s)");
    return;
  }
  if (!node["action"]) {
    r.problem(node, path, "missing 'action' (crash, hang, changeIp, stop, start, restart, delete, maintenance, armFault, notFound, omitRestartCount, slowDelete, tokenLifetime, throttle)");
    return;
  }
  if (auto d = r.duration(node["at"], path + ".at")) a.at = *d;
  a.action = yaml_to_json(node);
  a.action.erase("at");
  s.faults.push_back(std::move(a));
}

void read_storage_account(Reader& r, const YAML::Node& node, const std::string& path, Scenario& s) {
  if (!r.is_map(node, path)) return;
  r.check_keys(node, path, {"name", "key", "shares"});
  StorageAccount a;
  if (!node["name"]) {
    r.problem(node, path, "missing 'name'");
    return;
  }
  if (auto v = r.str(node["name"], path + ".name")) a.name = *v;
  if (!is_valid_storage_account_name(a.name)) {
    r.problem(node["name"], path + ".name", "'" + a.name + "' is not a storage account name (3-24 of a-z, 0-9)");
  }
  for (const auto& other : s.storage_accounts) {
    if (other.name == a.name) r.problem(node["name"], path + ".name", "storage account '" + a.name + "' is declared twice");
  }
  if (node["key"]) {
    a.key = r.str(node["key"], path + ".key");
    if (a.key && (!core::base64_decode(*a.key) || a.key->empty())) {
      r.problem(node["key"], path + ".key", "not a base64 account key");
    }
  }
  if (const auto shares = node["shares"]) {
    if (!shares.IsSequence()) {
      r.problem(shares, path + ".shares", "expected a list of share names");
    } else {
      for (std::size_t i = 0; i < shares.size(); ++i) {
        const auto share_path = path + ".shares[" + std::to_string(i) + "]";
        if (auto v = r.str(shares[i], share_path)) {
          if (!is_valid_share_name(*v)) r.problem(shares[i], share_path, "'" + *v + "' is not a share name (3-63 of a-z, 0-9, '-')");
          a.shares.push_back(*v);
        }
      }
    }
  }
  s.storage_accounts.push_back(std::move(a));
}

}  // namespace

core::Result<Scenario> parse_scenario(const std::string& yaml_text, const std::string& file,
                                      const ScenarioParseOptions& options) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    return config_error(
                       file + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) +
                           ": " + e.msg);
  }
  Scenario s;
  s.file = file;
  Reader r(file);
  if (root.IsNull()) return s;
  if (!root.IsMap()) {
    return config_error(yaml_location(file, root) + ": expected a mapping at the top level");
  }
  std::set<std::string> known = {"subscriptionId", "tenantId", "region", "mode", "timeScale",
                                 "credentials", "tokenLifetime", "arm", "aci", "resourceGroups",
                                 "containerGroups", "generatedGroups", "faults", "storageAccounts"};
  for (const auto& [name, parser] : options.sections) known.insert(name);
  r.check_keys(root, "", known);

  const auto read_str = [&](const char* key, std::string& out) {
    if (root[key]) {
      if (auto v = r.str(root[key], key)) out = *v;
    }
  };
  read_str("subscriptionId", s.subscription_id);
  read_str("tenantId", s.tenant_id);
  read_str("region", s.region);
  s.region = normalize_location(s.region);
  read_str("mode", s.mode);
  if (s.mode != "process" && s.mode != "virtual") {
    r.problem(root["mode"], "mode", "must be 'process' or 'virtual', not '" + s.mode + "'");
  }
  if (root["timeScale"]) {
    if (auto v = r.number(root["timeScale"], "timeScale")) {
      if (*v <= 0) r.problem(root["timeScale"], "timeScale", "must be > 0");
      s.time_scale = *v;
    }
  }
  if (root["tokenLifetime"]) {
    if (auto d = r.duration(root["tokenLifetime"], "tokenLifetime")) s.token_lifetime = *d;
  }
  if (const auto creds = root["credentials"]; creds && r.is_map(creds, "credentials")) {
    r.check_keys(creds, "credentials", {"clientId", "clientSecret", "clientAssertion"});
    if (creds["clientId"]) {
      if (auto v = r.str(creds["clientId"], "credentials.clientId")) s.client_id = *v;
    }
    if (creds["clientSecret"]) s.client_secret = r.str(creds["clientSecret"], "credentials.clientSecret");
    if (creds["clientAssertion"]) s.client_assertion = r.str(creds["clientAssertion"], "credentials.clientAssertion");
  }
  if (const auto arm = root["arm"]; arm && r.is_map(arm, "arm")) {
    r.check_keys(arm, "arm", {"pageSize", "throttle"});
    if (arm["pageSize"]) {
      if (auto v = r.number(arm["pageSize"], "arm.pageSize")) {
        if (*v < 1) r.problem(arm["pageSize"], "arm.pageSize", "must be >= 1");
        else s.page_size = static_cast<std::size_t>(*v);
      }
    }
    if (const auto t = arm["throttle"]; t && r.is_map(t, "arm.throttle")) {
      r.check_keys(t, "arm.throttle", {"reads", "writes", "deletes"});
      if (t["reads"]) read_bucket(r, t["reads"], "arm.throttle.reads", s.reads);
      if (t["writes"]) read_bucket(r, t["writes"], "arm.throttle.writes", s.writes);
      if (t["deletes"]) read_bucket(r, t["deletes"], "arm.throttle.deletes", s.deletes);
    }
  }
  if (const auto aci = root["aci"]; aci && r.is_map(aci, "aci")) {
    r.check_keys(aci, "aci", {"provisioningDelay", "restartDelay", "deleteDelay", "backoff", "crashRunTime",
                              "restartNewIpProbability", "ipPool"});
    const auto dur = [&](const char* key, core::Duration& out) {
      if (aci[key]) {
        if (auto d = r.duration(aci[key], std::string("aci.") + key)) out = *d;
      }
    };
    dur("provisioningDelay", s.aci.provisioning_delay);
    dur("restartDelay", s.aci.restart_delay);
    dur("deleteDelay", s.aci.delete_delay);
    dur("crashRunTime", s.aci.crash_run_time);
    if (aci["restartNewIpProbability"]) {
      if (auto v = r.number(aci["restartNewIpProbability"], "aci.restartNewIpProbability")) {
        if (*v < 0 || *v > 1) r.problem(aci["restartNewIpProbability"], "aci.restartNewIpProbability", "must be within [0, 1]");
        s.aci.restart_new_ip_probability = *v;
      }
    }
    if (aci["ipPool"]) {
      if (auto v = r.str(aci["ipPool"], "aci.ipPool")) {
        if (auto pool = IpPool::parse(*v); !pool.ok()) r.problem(aci["ipPool"], "aci.ipPool", pool.error().message);
        s.ip_pool = *v;
      }
    }
    if (const auto b = aci["backoff"]; b && r.is_map(b, "aci.backoff")) {
      r.check_keys(b, "aci.backoff", {"initial", "max", "resetAfter"});
      if (b["initial"]) {
        if (auto d = r.duration(b["initial"], "aci.backoff.initial")) s.aci.backoff.initial = *d;
      }
      if (b["max"]) {
        if (auto d = r.duration(b["max"], "aci.backoff.max")) s.aci.backoff.max = *d;
      }
      if (b["resetAfter"]) {
        if (auto d = r.duration(b["resetAfter"], "aci.backoff.resetAfter")) s.aci.backoff_reset_after = *d;
      }
    }
  }
  if (const auto rgs = root["resourceGroups"]) {
    if (!rgs.IsSequence()) {
      r.problem(rgs, "resourceGroups", "expected a list of names");
    } else {
      for (std::size_t i = 0; i < rgs.size(); ++i) {
        const auto path = "resourceGroups[" + std::to_string(i) + "]";
        if (rgs[i].IsMap()) {
          r.check_keys(rgs[i], path, {"name", "location"});
          if (rgs[i]["name"]) {
            if (auto v = r.str(rgs[i]["name"], path + ".name")) s.resource_groups.push_back(*v);
          } else {
            r.problem(rgs[i], path, "missing 'name'");
          }
        } else if (auto v = r.str(rgs[i], path)) {
          s.resource_groups.push_back(*v);
        }
      }
    }
  }
  if (const auto groups = root["containerGroups"]) {
    if (!groups.IsSequence()) {
      r.problem(groups, "containerGroups", "expected a list");
    } else {
      for (std::size_t i = 0; i < groups.size(); ++i) {
        read_group(r, groups[i], "containerGroups[" + std::to_string(i) + "]", s);
      }
    }
  }
  if (const auto gen = root["generatedGroups"]; gen && r.is_map(gen, "generatedGroups")) {
    r.check_keys(gen, "generatedGroups", {"count", "resourceGroup", "namePrefix", "template"});
    GeneratedGroups g;
    if (gen["count"]) {
      if (auto v = r.number(gen["count"], "generatedGroups.count")) g.count = static_cast<int>(*v);
    }
    if (gen["resourceGroup"]) {
      if (auto v = r.str(gen["resourceGroup"], "generatedGroups.resourceGroup")) g.resource_group = *v;
    } else if (!s.resource_groups.empty()) {
      g.resource_group = s.resource_groups.front();
    } else {
      r.problem(gen, "generatedGroups", "missing 'resourceGroup'");
    }
    if (gen["namePrefix"]) {
      if (auto v = r.str(gen["namePrefix"], "generatedGroups.namePrefix")) g.name_prefix = *v;
    }
    if (gen["template"]) {
      g.template_body = yaml_to_json(gen["template"]);
    } else {
      r.problem(gen, "generatedGroups", "missing 'template' (a container group body)");
    }
    if (!g.template_body.is_object()) g.template_body = nlohmann::json::object();
    if (!g.template_body.contains("location")) g.template_body["location"] = s.region;
    s.generated = std::move(g);
  }
  if (const auto faults = root["faults"]) {
    if (!faults.IsSequence()) {
      r.problem(faults, "faults", "expected a list");
    } else {
      for (std::size_t i = 0; i < faults.size(); ++i) {
        read_fault(r, faults[i], "faults[" + std::to_string(i) + "]", s);
      }
    }
  }
  if (const auto accounts = root["storageAccounts"]) {
    if (!accounts.IsSequence()) {
      r.problem(accounts, "storageAccounts", "expected a list");
    } else {
      for (std::size_t i = 0; i < accounts.size(); ++i) {
        read_storage_account(r, accounts[i], "storageAccounts[" + std::to_string(i) + "]", s);
      }
    }
  }
  for (const auto& [name, parser] : options.sections) {
    if (!root[name]) continue;
    s.extensions[name] = yaml_to_json(root[name]);
    for (auto& p : parser(root[name], file)) r.problems().push_back(std::move(p));
  }
  // Names referenced by groups must be declared when resourceGroups is given.
  if (!s.resource_groups.empty()) {
    std::set<std::string> declared;
    for (const auto& rg : s.resource_groups) declared.insert(core::to_lower(rg));
    for (const auto& g : s.groups) {
      if (!g.resource_group.empty() && !declared.count(core::to_lower(g.resource_group))) {
        r.problems().push_back(g.where + ": containerGroups: resource group '" + g.resource_group +
                               "' of group '" + g.name + "' is not declared in resourceGroups");
      }
    }
  }
  if (!r.problems().empty()) {
    std::string all;
    for (const auto& p : r.problems()) all += (all.empty() ? "" : "\n") + p;
    return config_error(all);
  }
  return s;
}

core::Result<Scenario> load_scenario(const std::string& path, const ScenarioParseOptions& options) {
  std::ifstream in(path);
  if (!in) return config_error(path + ": cannot open scenario file");
  std::stringstream buf;
  buf << in.rdbuf();
  return parse_scenario(buf.str(), path, options);
}

}  // namespace frankenetes::sim
