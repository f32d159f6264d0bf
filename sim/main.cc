// frankenetes-sim: a local Azure for frankenetesd. This file is the composition root: CLI,
// state directory, TLS material, listeners, the process runtime, the DNS plug-in, signals,
// endpoints.json. Everything that decides anything lives in Simulator (pure) and below.

#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/duration.h"
#include "http/certificates.h"
#include "http/server.h"
#include "sim/dns/dns_simulator.h"
#include "sim/dns/scenario.h"
#include "sim/ip_pool_lock.h"
#include "sim/member_stub.h"
#include "sim/process_runtime.h"
#include "sim/simulator.h"

namespace fs = std::filesystem;
using namespace frankenetes;

namespace {

constexpr const char* kUsage = R"(usage: frankenetes-sim [options]
       frankenetes-sim member-stub ...   (started by the sim itself in process mode)

A local Azure for frankenetesd: ARM Container Instances, Entra token endpoint, IMDS, Azure DNS
and Cloudflare (DNS plug-in), with container groups run as local processes.

  --scenario FILE      scenario YAML (ids, credentials, groups, faults, dns); default: empty
  --listen ADDR        HTTPS listener for ARM + Entra (default 127.0.0.1:8443; port 0 = any)
  --control ADDR       plain-HTTP control API + IMDS, loopback only (default 127.0.0.1:8444)
  --files-listen ADDR  HTTPS listener for the Azure Files REST API (default 127.0.0.1:0 = any
                       free port; endpoints.json names it as fileBaseUrl)
  --health-listen ADDR virtual mode: plain-HTTP GET /health/{ip} for member probes, loopback
                       only (127.0.0.1:0 = any free port; endpoints.json healthUrl; default off)
  --dns-listen ADDR    authoritative DNS for the scenario's zones (UDP+TCP), e.g. 127.0.0.1:15353
                       (default: the scenario's dns.server.listen, else no DNS server)
  --state-dir DIR      writes ca.pem, client-secret, endpoints.json, process files (default ./sim-state)
  --time-scale F       multiplies every platform delay and back-off (0.1 = ten times faster)
  --mode MODE          process (run containers as processes) or virtual (state only)
  --token-lifetime D   lifetime of issued tokens, e.g. 30s, 1h (default: scenario, else 3599s)
  --ip-pool CIDR       block of 127.0.0.0/8 for group IPs (default: scenario, else 127.1.0.0/16);
                       "auto" = a /16 no other sim on this machine holds (for parallel tests)
  --etcd-binary PATH   etcd to run for etcd images (default /usr/bin/etcd)
  --request-log-capacity N  requests kept for GET /requests (default 100000; older fall off)
  --seed N             deterministic ids and fault dice
  --log-level LEVEL    trace|debug|info|warn|error (default info)
)";

struct Options {
  std::string scenario;
  std::string listen = "127.0.0.1:8443";
  std::string control = "127.0.0.1:8444";
  std::string files_listen = "127.0.0.1:0";
  std::string dns_listen;
  std::string health_listen;
  std::string state_dir = "sim-state";
  std::optional<double> time_scale;
  std::optional<std::string> mode;
  std::optional<core::Duration> token_lifetime;
  std::optional<std::string> ip_pool;
  std::string etcd_binary = "/usr/bin/etcd";
  std::uint64_t seed = 0;
  std::size_t request_log_capacity = 100000;
  std::string log_level = "info";
};

[[noreturn]] void usage_error(const std::string& message) {
  std::cerr << "frankenetes-sim: " << message << "\n\n" << kUsage;
  std::exit(2);
}

// `parse` is std::stod and the like: it throws on text that is not a number.
template <typename Parse>
auto number_arg(const std::string& flag, const std::string& text, Parse parse) {
  try {
    return parse(text);
  } catch (...) {
    usage_error(flag + ": not a number: " + text);
  }
}

Options parse_args(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    std::string value;
    const auto eq = a.find('=');
    bool has_inline = false;
    if (a.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = a.substr(eq + 1);
      a = a.substr(0, eq);
      has_inline = true;
    }
    const auto next = [&]() -> std::string {
      if (has_inline) return value;
      if (i + 1 >= argc) usage_error(a + " needs a value");
      return argv[++i];
    };
    if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      std::exit(0);
    } else if (a == "--scenario") o.scenario = next();
    else if (a == "--listen") o.listen = next();
    else if (a == "--control") o.control = next();
    else if (a == "--files-listen") o.files_listen = next();
    else if (a == "--dns-listen") o.dns_listen = next();
    else if (a == "--health-listen") o.health_listen = next();
    else if (a == "--state-dir") o.state_dir = next();
    else if (a == "--time-scale") {
      o.time_scale = number_arg(a, next(), [](const std::string& v) { return std::stod(v); });
      if (*o.time_scale <= 0) usage_error("--time-scale must be > 0");
    } else if (a == "--mode") {
      o.mode = next();
      if (*o.mode != "process" && *o.mode != "virtual") usage_error("--mode must be process or virtual");
    } else if (a == "--token-lifetime") {
      const auto v = next();
      o.token_lifetime = core::parse_duration(v);
      if (!o.token_lifetime || o.token_lifetime->count() <= 0) usage_error("--token-lifetime: not a duration: " + v);
    } else if (a == "--ip-pool") o.ip_pool = next();
    else if (a == "--etcd-binary") o.etcd_binary = next();
    else if (a == "--seed") o.seed = std::stoull(next());
    else if (a == "--request-log-capacity") {
      o.request_log_capacity = number_arg(a, next(), [](const std::string& v) { return std::stoull(v); });
      if (o.request_log_capacity == 0) usage_error("--request-log-capacity must be > 0");
    } else if (a == "--log-level") o.log_level = next();
    else usage_error("unknown argument " + a);
  }
  return o;
}

bool is_loopback_listen(const std::string& listen) {
  return listen.rfind("127.", 0) == 0 || listen.rfind("localhost:", 0) == 0 || listen.rfind("[::1]:", 0) == 0;
}

std::string host_of(const std::string& listen) {
  const auto colon = listen.rfind(':');
  std::string host = listen.substr(0, colon);
  if (host == "0.0.0.0" || host == "localhost" || host.empty()) host = "127.0.0.1";
  return host;
}

// Write to a temporary file and rename, so readers never see half a file.
void write_file_atomically(const std::string& path, const std::string& content, mode_t mode) {
  const auto tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << content;
  }
  chmod(tmp.c_str(), mode);
  fs::rename(tmp, path);
}

std::string self_exe() {
  std::error_code ec;
  auto p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("frankenetes-sim") : p.string();
}

void respond_after(boost::asio::io_context& io, sim::Reply reply, const http::Responder& respond) {
  if (reply.delay.count() <= 0) {
    respond(std::move(reply.response));
    return;
  }
  auto timer = std::make_shared<boost::asio::steady_timer>(io, reply.delay);
  timer->async_wait([timer, respond, response = std::move(reply.response)](const boost::system::error_code&) mutable {
    respond(std::move(response));
  });
}

int run(int argc, char** argv) {
  const auto options = parse_args(argc, argv);
  if (auto level = spdlog::level::from_str(options.log_level); level != spdlog::level::off || options.log_level == "off") {
    spdlog::set_level(level);
  }
  if (!is_loopback_listen(options.control)) usage_error("--control must be a loopback address");
  if (!options.health_listen.empty() && !is_loopback_listen(options.health_listen)) {
    usage_error("--health-listen must be a loopback address");
  }

  sim::ScenarioParseOptions parse_options;
  sim::dns::DnsScenario dns_scenario;
  parse_options.sections["dns"] = sim::dns::dns_section_parser(&dns_scenario);
  auto scenario = options.scenario.empty() ? sim::parse_scenario("", "<defaults>", parse_options)
                                           : sim::load_scenario(options.scenario, parse_options);
  if (!scenario.ok()) {
    std::cerr << "frankenetes-sim: scenario:\n" << scenario.error().message << "\n";
    return 1;
  }
  if (options.mode) scenario->mode = *options.mode;
  const bool process_mode = scenario->mode == "process";
  if (process_mode && !options.health_listen.empty()) {
    usage_error("--health-listen is for virtual mode only: in process mode, probe the containers "
                "themselves at their group's IP");
  }

  std::error_code ec;
  fs::create_directories(options.state_dir, ec);
  if (ec) {
    std::cerr << "frankenetes-sim: --state-dir " << options.state_dir << ": " << ec.message() << "\n";
    return 1;
  }
  const auto state_dir = fs::absolute(options.state_dir).lexically_normal().string();

  // Held until the sim exits: no other sim started with "auto" gets the same block.
  std::optional<sim::IpPoolLock> ip_pool_lock;
  auto ip_pool = options.ip_pool;
  if (ip_pool == "auto") {
    auto lock = sim::IpPoolLock::acquire(sim::IpPoolLock::default_lock_dir(), static_cast<unsigned>(getpid()));
    if (!lock.ok()) {
      std::cerr << "frankenetes-sim: " << lock.error().message << "\n";
      return 1;
    }
    ip_pool_lock.emplace(std::move(*lock));
    ip_pool = ip_pool_lock->cidr();
  }
  fs::remove(state_dir + "/endpoints.json", ec);

  const auto https_host = host_of(options.listen);
  const auto files_host = host_of(options.files_listen);
  std::vector<std::string> ips = {"127.0.0.1"};
  if (https_host != "127.0.0.1") ips.push_back(https_host);
  if (files_host != "127.0.0.1" && files_host != https_host) ips.push_back(files_host);
  auto tls = http::generate_ca_and_server_certificate({"localhost"}, ips, std::chrono::hours(24 * 30));
  if (!tls.ok()) {
    std::cerr << "frankenetes-sim: TLS: " << tls.error().message << "\n";
    return 1;
  }
  write_file_atomically(state_dir + "/ca.pem", tls->ca_pem, 0644);

  boost::asio::io_context io;
  core::RealTimeSource clock;
  sim::Simulator* simulator = nullptr;

  http::ServerOptions https_options;
  https_options.listen = options.listen;
  https_options.tls = http::TlsServerCredentials{tls->server_cert_pem, tls->server_key_pem};
  https_options.server_header = "frankenetes-sim";
  https_options.max_body_bytes = 4 * 1024 * 1024;
  https_options.max_header_bytes = 32 * 1024;
  http::HttpServer https(io, https_options, [&](http::Request request, http::Responder respond) {
    respond_after(io, simulator->handle_https(request), respond);
  });
  http::ServerOptions control_options;
  control_options.listen = options.control;
  control_options.server_header = "frankenetes-sim";
  control_options.max_body_bytes = 4 * 1024 * 1024;
  control_options.max_header_bytes = 32 * 1024;
  http::HttpServer control(io, control_options, [&](http::Request request, http::Responder respond) {
    respond_after(io, simulator->handle_control(request), respond);
  });
  // Put Range bodies are at most 4 MiB; a larger one is the File service's own 413 (XML).
  http::ServerOptions files_options = https_options;
  files_options.listen = options.files_listen;
  files_options.max_body_bytes = 8 * 1024 * 1024;
  http::HttpServer files(io, files_options, [&](http::Request request, http::Responder respond) {
    respond_after(io, simulator->handle_files(request), respond);
  });
  // Probes of thousands of virtual members: small requests, many kept-alive connections, and a
  // hung container's probes parked (no thread each) until the hang ends or the endpoint's cap;
  // the server's own handler deadline is only a backstop behind that cap.
  http::ServerOptions health_options;
  health_options.listen = options.health_listen;
  health_options.server_header = "frankenetes-sim";
  health_options.max_body_bytes = 4 * 1024;
  health_options.max_connections = 1024;
  health_options.handler_timeout =
      sim::HealthEndpoint::kDefaultHangCap + std::chrono::seconds(5);
  http::HttpServer health(io, health_options, [&](http::Request request, http::Responder respond) {
    simulator->health().handle(request, std::move(respond));
  });
  if (!options.health_listen.empty()) {
    if (auto s = health.start(); !s.ok()) {
      std::cerr << "frankenetes-sim: --health-listen: " << s.error().message << "\n";
      return 1;
    }
  }
  if (auto s = files.start(); !s.ok()) {
    std::cerr << "frankenetes-sim: --files-listen: " << s.error().message << "\n";
    return 1;
  }
  if (auto s = https.start(); !s.ok()) {
    std::cerr << "frankenetes-sim: " << s.error().message << "\n";
    return 1;
  }
  if (auto s = control.start(); !s.ok()) {
    std::cerr << "frankenetes-sim: " << s.error().message << "\n";
    return 1;
  }
  const auto arm_base_url = "https://" + https_host + ":" + std::to_string(https.port());
  const auto control_url = "http://" + host_of(options.control) + ":" + std::to_string(control.port());
  const auto file_base_url = "https://" + files_host + ":" + std::to_string(files.port());
  const auto health_url = options.health_listen.empty()
                              ? std::string()
                              : "http://" + host_of(options.health_listen) + ":" + std::to_string(health.port());

  std::unique_ptr<sim::ContainerRuntime> runtime;
  sim::ProcessRuntime* processes = nullptr;
  if (process_mode) {
    sim::ProcessRuntimeOptions ro;
    ro.state_dir = state_dir;
    ro.self_exe = self_exe();
    ro.control_url = control_url;
    ro.etcd_binary = options.etcd_binary;
    auto pr = std::make_unique<sim::ProcessRuntime>(ro);
    processes = pr.get();
    runtime = std::move(pr);
  } else {
    runtime = std::make_unique<sim::VirtualRuntime>();
  }

  sim::SimulatorOptions so;
  so.arm_base_url = arm_base_url;
  so.time_scale = options.time_scale;
  so.token_lifetime = options.token_lifetime;
  so.ip_pool = ip_pool;
  so.seed = options.seed;
  so.shares_dir = state_dir + "/shares";
  so.file_base_url = file_base_url;
  so.request_log_capacity = options.request_log_capacity;
  sim::Simulator sim_core(*scenario, so, clock, *runtime);
  simulator = &sim_core;

  std::string dns_address;
  const auto dns_listen = options.dns_listen.empty() ? dns_scenario.server_listen : options.dns_listen;
  sim::dns::DnsSimulatorOptions dns_options;
  dns_options.default_subscription_id = scenario->subscription_id;
  dns_options.azure_base_url = arm_base_url;
  if (options.seed) dns_options.seed = options.seed;
  sim::dns::DnsSimulator dns(std::move(dns_scenario), clock, dns_options);
  dns.set_io_context(io);
  sim_core.arm().set_dns_handler([&](const http::Request& r) { return dns.handle_api(r); });
  sim_core.arm().set_cloudflare_handler([&](const http::Request& r) { return dns.handle_api(r); });
  sim_core.control().set_dns_handler([&](const http::Request& r) { return dns.handle_control(r); });
  sim_core.control().set_name_resolver([&](const std::string& name) -> std::optional<std::string> {
    http::Request lookup;
    lookup.method = "GET";
    lookup.path = "/dns/lookup";
    lookup.target = "/dns/lookup?name=" + http::percent_encode_component(name) + "&type=A";
    lookup.query = {{"name", name}, {"type", "A"}};
    const auto r = dns.handle_control(lookup);
    if (!r || r->status != 200) return std::nullopt;
    const auto body = nlohmann::json::parse(r->body, nullptr, false);
    if (body.is_discarded() || !body.contains("answers")) return std::nullopt;
    for (const auto& a : body["answers"]) {
      if (a.value("type", "") == "A" && a.contains("data") && a["data"].is_string()) return a["data"].get<std::string>();
    }
    return std::nullopt;
  });
  if (!dns_listen.empty()) {
    if (auto s = dns.start_dns_server(io, dns_listen); !s.ok()) {
      std::cerr << "frankenetes-sim: "
                << (options.dns_listen.empty() ? "scenario dns.server.listen" : "--dns-listen") << ": "
                << s.error().message << "\n";
      return 1;
    }
    dns_address = dns.dns_address();
  }

  if (auto booted = sim_core.boot(); !booted.ok()) {
    std::cerr << "frankenetes-sim: scenario:\n" << booted.error().message << "\n";
    return 1;
  }

  // Ticks drive the model's timers, reap children and run the fault schedule.
  boost::asio::steady_timer ticker(io);
  std::function<void()> tick = [&] {
    if (processes) processes->reap(sim_core.model());
    sim_core.tick();
    ticker.expires_after(std::chrono::milliseconds(50));
    ticker.async_wait([&](const boost::system::error_code& e) {
      if (!e) tick();
    });
  };
  tick();

  const auto& sc = sim_core.scenario();
  write_file_atomically(state_dir + "/client-secret", sim_core.client_secret() + "\n", 0600);
  auto storage_key_files = nlohmann::json::object();
  fs::create_directories(state_dir + "/storage-keys", ec);
  for (const auto& [account, key] : sim_core.storage_keys()) {
    const auto path = state_dir + "/storage-keys/" + account;
    write_file_atomically(path, key + "\n", 0600);
    storage_key_files[account] = path;
  }
  nlohmann::json endpoints = {
      {"armBaseUrl", arm_base_url},
      {"tokenEndpoint", arm_base_url + "/" + sc.tenant_id + "/oauth2/v2.0/token"},
      {"authority", arm_base_url},
      {"imdsUrl", control_url + "/metadata/identity/oauth2/token"},
      {"tenantId", sc.tenant_id},
      {"subscriptionId", sc.subscription_id},
      {"clientId", sc.client_id},
      {"clientSecretFile", state_dir + "/client-secret"},
      {"dnsAddress", dns_address},
      {"controlUrl", control_url},
      {"healthUrl", health_url},
      {"caFile", state_dir + "/ca.pem"},
      {"fileBaseUrl", file_base_url},
      {"storageKeyFiles", storage_key_files},
      {"region", sc.region},
      {"resourceGroups", sc.resource_groups},
      {"mode", sc.mode},
      {"timeScale", sim_core.time_scale()},
      {"ipPool", ip_pool.value_or(sc.ip_pool)},
      {"stateDir", state_dir},
      {"pid", static_cast<long>(getpid())}};
  sim_core.control().set_endpoints(endpoints);
  write_file_atomically(state_dir + "/endpoints.json", endpoints.dump(2) + "\n", 0644);
  spdlog::info("sim.ready arm={} files={} control={} dns={} mode={} groups={} state_dir={}", arm_base_url,
               file_base_url, control_url,
               dns_address.empty() ? "-" : dns_address, sc.mode, sim_core.model().size(), state_dir);

  boost::asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](const boost::system::error_code&, int signal) {
    spdlog::info("sim.stopping signal={}", signal);
    ticker.cancel();
    https.stop();
    files.stop();
    control.stop();
    health.stop();
    dns.stop_dns_server();
    if (processes) processes->shutdown(std::chrono::milliseconds(2000));
    io.stop();
  });
  io.run();
  if (processes) processes->shutdown(std::chrono::milliseconds(2000));
  fs::remove(state_dir + "/endpoints.json", ec);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "member-stub") return sim::run_member_stub(argc - 1, argv + 1);
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "frankenetes-sim: " << e.what() << "\n";
    return 1;
  }
}
