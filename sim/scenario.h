#pragma once
// Scenario: what a frankenetes-sim run starts with, read from YAML: ids and credentials, ARM
// paging and throttling, ACI platform delays, resource groups, container groups (YAML that
// mirrors the ACI JSON body), a fault schedule, and plug-in sections (`dns:`) handed to
// parsers registered by main. Every problem is reported with file:line:col and the key path;
// unknown keys are errors. Pure (yaml-cpp, no I/O except load_scenario reading the file).

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sim/aci_model.h"
#include "sim/arm_throttle.h"
#include "core/result.h"
#include "core/time_source.h"

namespace YAML {
class Node;
}

namespace frankenetes::sim {

struct ScenarioGroup {
  std::string resource_group;
  std::string name;
  nlohmann::json body;  // ACI PUT body: location, tags, zones, identity, properties
  std::string where;    // file:line:col, for errors found later (validation)
};

// A control action run at a point in (scaled) sim time: {"action": "crash", ...} as accepted
// by POST /actions on the control API.
struct ScheduledAction {
  core::Duration at{0};
  nlohmann::json action;
  std::string where;
};

struct GeneratedGroups {
  int count = 0;
  std::string resource_group;
  std::string name_prefix = "cg-";
  nlohmann::json template_body;  // properties etc.; dnsNameLabel gets the index appended
};

// A storage account of the simulated File service: `key` is the base64 account key (random
// when absent); `shares` are created at boot in addition to those of azureFile volumes.
struct StorageAccount {
  std::string name;
  std::optional<std::string> key;
  std::vector<std::string> shares;
};

struct Scenario {
  std::string file;
  std::string subscription_id = "00000000-0000-0000-0000-000000000001";
  std::string tenant_id = "00000000-0000-0000-0000-0000000000aa";
  std::string region = "westeurope";
  std::string mode = "virtual";  // process | virtual
  std::optional<double> time_scale;
  std::string client_id = "frankenetes-demo";
  std::optional<std::string> client_secret;  // random when absent
  std::optional<std::string> client_assertion;
  core::Duration token_lifetime{std::chrono::seconds(3599)};
  std::size_t page_size = 100;
  BucketSettings reads{250, 25};
  BucketSettings writes{200, 10};
  BucketSettings deletes{200, 10};
  AciSettings aci;
  std::string ip_pool = "127.1.0.0/16";
  std::vector<std::string> resource_groups;
  std::vector<ScenarioGroup> groups;
  std::optional<GeneratedGroups> generated;
  std::vector<ScheduledAction> faults;
  std::vector<StorageAccount> storage_accounts;
  std::map<std::string, nlohmann::json> extensions;  // plug-in sections as JSON (e.g. "dns")
};

// A plug-in section parser (e.g. the DNS part for `dns:`). Returns problems, each already
// formatted "file:line:col: key: message" (use yaml_location() from yaml_json.h).
using ScenarioSectionParser =
    std::function<std::vector<std::string>(const YAML::Node& node, const std::string& file)>;

struct ScenarioParseOptions {
  std::map<std::string, ScenarioSectionParser> sections;  // top-level key → parser
};

core::Result<Scenario> parse_scenario(const std::string& yaml_text, const std::string& file,
                                      const ScenarioParseOptions& options = {});
core::Result<Scenario> load_scenario(const std::string& path, const ScenarioParseOptions& options = {});

}  // namespace frankenetes::sim
