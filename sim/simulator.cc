#include "sim/simulator.h"

#include <algorithm>
#include <filesystem>

#include "core/base64.h"
#include "core/strings.h"
#include "sim/aci_codec.h"
#include "sim/errors.h"

namespace frankenetes::sim {

namespace {

std::uint64_t seed_or_random(std::uint64_t seed) {
  if (seed != 0) return seed;
  std::random_device rd;
  return (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
}

IpPool make_pool(const std::string& cidr) {
  auto pool = IpPool::parse(cidr);
  return pool.ok() ? std::move(*pool) : IpPool();
}

// Calls fn(account, share, key or "") for every azureFile volume of a container group body.
template <typename F>
void for_each_azure_file(const nlohmann::json& body, F fn) {
  if (!body.is_object() || !body.contains("properties") || !body["properties"].is_object()) return;
  const auto& props = body["properties"];
  if (!props.contains("volumes") || !props["volumes"].is_array()) return;
  for (const auto& v : props["volumes"]) {
    if (!v.is_object() || !v.contains("azureFile") || !v["azureFile"].is_object()) continue;
    const auto& af = v["azureFile"];
    const auto text = [&](const char* key) {
      return af.contains(key) && af[key].is_string() ? af[key].get<std::string>() : std::string();
    };
    fn(text("storageAccountName"), text("shareName"), text("storageAccountKey"));
  }
}

}  // namespace

Simulator::Simulator(Scenario scenario, SimulatorOptions options, const core::TimeSource& time,
                     ContainerRuntime& runtime)
    : scenario_(std::move(scenario)), options_(std::move(options)), time_(time),
      random_(seed_or_random(options_.seed)), started_(time.monotonic_time()),
      log_(std::max<std::size_t>(options_.request_log_capacity, 1)) {
  client_secret_ = scenario_.client_secret.value_or(options_.client_secret);
  if (client_secret_.empty()) client_secret_ = random_hex(random_, 24);

  AciSettings aci = scenario_.aci;
  aci.time_scale = options_.time_scale.value_or(scenario_.time_scale.value_or(1.0));
  throttle_ = std::make_unique<ArmThrottle>(scenario_.reads, scenario_.writes, scenario_.deletes);

  IdentitySettings id;
  id.tenant_id = scenario_.tenant_id;
  id.client_id = scenario_.client_id;
  id.client_secret = core::Secret(client_secret_);
  id.client_assertion = scenario_.client_assertion;
  id.token_lifetime = options_.token_lifetime.value_or(scenario_.token_lifetime);
  id.authority = options_.arm_base_url;
  identity_ = std::make_unique<Identity>(std::move(id), time_, random_);

  model_ = std::make_unique<AciModel>(aci, time_, runtime, random_,
                                      make_pool(options_.ip_pool.value_or(scenario_.ip_pool)));

  ArmSettings arm;
  arm.subscription_id = scenario_.subscription_id;
  arm.tenant_id = scenario_.tenant_id;
  arm.region = scenario_.region;
  arm.base_url = options_.arm_base_url;
  arm.page_size = scenario_.page_size;
  for (const auto& rg : scenario_.resource_groups) arm.resource_groups.insert(core::to_lower(rg));
  arm_ = std::make_unique<ArmApi>(std::move(arm), *model_, *identity_, *throttle_, faults_, group_faults_, time_,
                                  random_);

  control_ = std::make_unique<ControlApi>(
      *model_, faults_, group_faults_, *throttle_, *identity_, log_, time_, scenario_.subscription_id,
      scenario_.tenant_id,
      scenario_.resource_groups.empty() ? std::string() : scenario_.resource_groups.front());

  health_ = std::make_unique<HealthEndpoint>(*model_, time_);

  // File service accounts: the scenario's storageAccounts, then the accounts of azureFile
  // volumes (with the volume's storageAccountKey, as ACI mounts with it), else a random key.
  for (const auto& a : scenario_.storage_accounts) {
    if (a.key) storage_keys_[a.name] = *a.key;
    declared_shares_[a.name].insert(a.shares.begin(), a.shares.end());
  }
  const auto add_volumes = [&](const nlohmann::json& body) {
    for_each_azure_file(body, [&](const std::string& account, const std::string& share, const std::string& key) {
      if (account.empty()) return;
      if (!key.empty() && !storage_keys_.count(account) && core::base64_decode(key)) storage_keys_[account] = key;
      if (!share.empty()) declared_shares_[account].insert(share);
    });
  };
  for (const auto& g : scenario_.groups) add_volumes(g.body);
  if (scenario_.generated) add_volumes(scenario_.generated->template_body);
  for (const auto& [account, shares] : declared_shares_) {
    if (storage_keys_.count(account)) continue;
    std::string key(64, '\0');
    for (auto& c : key) c = static_cast<char>(random_() & 0xff);
    storage_keys_[account] = core::base64_encode(key);
  }
  if (!options_.shares_dir.empty()) {
    FileServiceSettings fs;
    fs.shares_dir = options_.shares_dir;
    fs.base_url = options_.file_base_url;
    for (const auto& [account, key] : storage_keys_) fs.keys[account] = *core::base64_decode(key);
    files_ = std::make_unique<FileService>(std::move(fs), faults_, time_, random_);
  }

  std::stable_sort(scenario_.faults.begin(), scenario_.faults.end(),
                   [](const ScheduledAction& a, const ScheduledAction& b) { return a.at < b.at; });
}

core::Status Simulator::boot() {
  if (auto pool = IpPool::parse(options_.ip_pool.value_or(scenario_.ip_pool)); !pool.ok()) {
    return pool.error();
  }
  std::string problems;
  for (const auto& g : scenario_.groups) {
    if (auto problem = validate_container_group(g.body, g.name)) {
      problems += (problems.empty() ? "" : "\n") + g.where + ": container group '" + g.name + "': " +
                  problem->code + ": " + problem->message;
      continue;
    }
    if (model_->find(g.resource_group, g.name)) {
      problems += (problems.empty() ? "" : "\n") + g.where + ": container group '" + g.name + "' is declared twice";
      continue;
    }
    model_->create_or_update(g.resource_group, g.name, g.body, true);
  }
  if (scenario_.generated) {
    const auto& gen = *scenario_.generated;
    for (int i = 0; i < gen.count; ++i) {
      auto body = gen.template_body;
      const auto name = gen.name_prefix + std::to_string(i);
      if (body.contains("properties") && body["properties"].contains("ipAddress") &&
          body["properties"]["ipAddress"].contains("dnsNameLabel")) {
        body["properties"]["ipAddress"]["dnsNameLabel"] =
            body["properties"]["ipAddress"]["dnsNameLabel"].get<std::string>() + "-" + std::to_string(i);
      }
      if (auto problem = validate_container_group(body, name)) {
        return config_error(scenario_.file + ": generatedGroups: " + problem->code + ": " + problem->message);
      }
      model_->create_or_update(gen.resource_group, name, std::move(body), true);
    }
  }
  if (!problems.empty()) return config_error(problems);
  if (files_) {
    for (const auto& [account, shares] : declared_shares_) {
      for (const auto& share : shares) {
        // Names Azure would refuse are left to the process runtime (it mounts what it can).
        if (!is_valid_share_name(share) || !is_valid_storage_account_name(account)) continue;
        std::error_code ec;
        std::filesystem::create_directories(options_.shares_dir + "/" + account + "/" + share, ec);
        if (ec) return config_error("share " + account + "/" + share + ": " + ec.message());
      }
    }
  }
  return {};
}

void Simulator::tick() {
  model_->advance();
  const auto elapsed = time_.monotonic_time() - started_;
  while (next_fault_ < scenario_.faults.size()) {
    const auto& f = scenario_.faults[next_fault_];
    if (model_->settings().scaled(f.at) > elapsed) break;
    control_->apply_action(f.action);
    ++next_fault_;
  }
  health_->tick();
}

void Simulator::record(const http::Request& request, const http::Response& response, const std::string& api,
                       const std::string& operation, const std::string& fault) {
  RequestLogEntry e;
  e.time = time_.system_time();
  e.api = api;
  e.operation = operation;
  e.method = request.method;
  e.path = request.target.empty() ? request.path : request.target;
  e.status = response.status;
  e.fault = fault;
  e.user_agent = request.header("User-Agent");
  const auto it = response.headers.find("x-ms-request-id");
  if (it != response.headers.end()) e.request_id = it->second;
  log_.add(std::move(e));
}

Reply Simulator::handle_https(const http::Request& request) {
  const auto segs = core::split(request.path, '/');
  // "/{tenant}/oauth2/v2.0/token" → ["", tenant, "oauth2", "v2.0", "token"]
  if (segs.size() == 5 && segs[2] == "oauth2" && segs[3] == "v2.0" && segs[4] == "token") {
    auto r = identity_->token_endpoint(request, segs[1]);
    record(request, r, "token", "token");
    return {std::move(r), {}};
  }
  if (segs.size() == 5 && segs[2] == "v2.0" && segs[3] == ".well-known" && segs[4] == "openid-configuration") {
    auto r = identity_->openid_configuration(segs[1]);
    record(request, r, "token", "openid-configuration");
    return {std::move(r), {}};
  }
  if (request.path == "/metadata/identity/oauth2/token") {
    auto r = identity_->imds(request);
    record(request, r, "imds", "token");
    return {std::move(r), {}};
  }
  auto reply = arm_->handle(request);
  record(request, reply.response, reply.api, reply.operation, reply.fault);
  return {std::move(reply.response), reply.delay};
}

Reply Simulator::handle_files(const http::Request& request) {
  if (!files_) return {http::Response::text(404, "the File service is off\n"), {}};
  auto reply = files_->handle(request);
  record(request, reply.response, "files", reply.operation, reply.fault);
  return {std::move(reply.response), reply.delay};
}

Reply Simulator::handle_control(const http::Request& request) {
  if (request.path == "/metadata/identity/oauth2/token") {
    auto r = identity_->imds(request);
    record(request, r, "imds", "token");
    return {std::move(r), {}};
  }
  if (request.path == "/health-probes" && request.method == "GET") {
    const nlohmann::json body = {{"parked", health_->parked()},
                                 {"hangCapSeconds", health_->hang_cap().count() / 1000}};
    return {http::Response::json(200, body.dump()), {}};
  }
  return {control_->handle(request), {}};
}

}  // namespace frankenetes::sim
