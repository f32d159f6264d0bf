#include "sim/dns/dns_simulator.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <random>

#include "sim/dns/azure_dns_api.h"
#include "sim/dns/azure_dns_codec.h"
#include "sim/dns/cloudflare_api.h"
#include "sim/dns/control_api.h"
#include "sim/dns/dns_server.h"
#include "sim/dns/provider_faults.h"
#include "sim/dns/record_store.h"

namespace frankenetes::sim::dns {
namespace {

std::vector<CloudflareToken> tokens_of(const DnsScenario& scenario) {
  std::vector<CloudflareToken> tokens;
  for (const auto& account : scenario.cloudflare_accounts) {
    // The token id /user/tokens/verify reports: stable, and not the secret itself.
    tokens.push_back({account.api_token, account.id,
                      derive_cloudflare_zone_id("token:" + account.id)});
  }
  return tokens;
}

const char* arm_code_for(int status) {
  switch (status) {
    case 400: return "BadRequest";
    case 404: return "NotFound";
    case 409: return "Conflict";
    case 429: return "TooManyRequests";
    case 502: return "BadGateway";
    case 503: return "ServiceUnavailable";
    case 504: return "GatewayTimeout";
    default: return status >= 500 ? "InternalServerError" : "BadRequest";
  }
}

long long ceil_seconds(std::chrono::milliseconds d) { return (d.count() + 999) / 1000; }

}  // namespace

void load_scenario(RecordStore& store, const DnsScenario& scenario, core::SystemTime now) {
  for (const auto& spec : scenario.azure_zones) {
    Zone zone;
    zone.name = spec.name;
    zone.provider = Provider::kAzureDns;
    zone.subscription_id = spec.subscription_id;
    zone.resource_group = spec.resource_group;
    zone.created_on = now;
    Zone& stored = store.add_zone(std::move(zone));
    for (const auto& set : spec.record_sets) store.put_record_set(stored, set);
    stored.serial = 1;
  }
  for (const auto& account : scenario.cloudflare_accounts) {
    for (const auto& spec : account.zones) {
      Zone zone;
      zone.name = spec.name;
      zone.provider = Provider::kCloudflare;
      zone.cloudflare_id = spec.id;
      zone.cloudflare_account_id = account.id;
      zone.cloudflare_account_name = account.name;
      zone.created_on = now;
      Zone& stored = store.add_zone(std::move(zone));
      for (const auto& record : spec.records) store.create_record(stored, record, now);
      stored.serial = 1;
    }
  }
}

DnsSimulator::DnsSimulator(DnsScenario scenario, core::TimeSource& time,
                           DnsSimulatorOptions options)
    : time_(time) {
  const std::uint64_t seed = options.seed.value_or(std::random_device{}());
  store_ = std::make_unique<RecordStore>(seed);
  faults_ = std::make_unique<FaultInjector>(seed ^ 0x5bd1e995ULL);
  counters_ = std::make_unique<DnsApiCounters>();
  for (auto& zone : scenario.azure_zones) {
    if (zone.subscription_id.empty()) zone.subscription_id = options.default_subscription_id;
  }
  load_scenario(*store_, scenario, time_.system_time());
  azure_ = std::make_unique<AzureDnsApi>(
      *store_, AzureDnsApi::Options{scenario.azure_page_size, options.azure_base_url});
  cloudflare_ = std::make_unique<CloudflareApi>(
      *store_, tokens_of(scenario), time_,
      CloudflareApi::Options{scenario.cloudflare_per_page, scenario.cloudflare_requests_per_window,
                             scenario.cloudflare_window});
  control_ = std::make_unique<DnsControlApi>(*store_, *faults_, *counters_, time_);
}

DnsSimulator::~DnsSimulator() {
  if (server_) server_->stop();
}

bool DnsSimulator::is_api_path(const http::Request& request) {
  return AzureDnsApi::handles(request) || CloudflareApi::handles(request);
}

http::Response DnsSimulator::fault_response(bool azure, int status,
                                            std::chrono::milliseconds retry_after) {
  http::Response response;
  if (azure) {
    const std::string message =
        status == 429 ? "The request is being throttled: too many requests to Microsoft.Network "
                        "DNS (injected by frankenetes-sim)."
                      : "The DNS service is temporarily unavailable (injected by "
                        "frankenetes-sim).";
    response = http::Response::json(status, arm_error_body(arm_code_for(status), message).dump());
    response.headers["x-ms-request-id"] = store_->new_guid();
    if (retry_after.count() > 0) response.headers["Retry-After"] = std::to_string(ceil_seconds(retry_after));
  } else if (status == 429) {
    response = cloudflare_error_response(
        429, 971, "Please wait and consider throttling your request speed");
    response.headers["retry-after"] = std::to_string(std::max(1LL, ceil_seconds(retry_after)));
  } else {
    response = cloudflare_error_response(status, 10001 + (status % 100),
                                         "Service temporarily unavailable (injected by "
                                         "frankenetes-sim).");
    if (retry_after.count() > 0) response.headers["retry-after"] = std::to_string(ceil_seconds(retry_after));
  }
  return response;
}

std::optional<DnsSimulator::ApiReply> DnsSimulator::handle_api_reply(
    const http::Request& request) {
  const bool azure = AzureDnsApi::handles(request);
  if (!azure && !CloudflareApi::handles(request)) return std::nullopt;
  const Provider provider = azure ? Provider::kAzureDns : Provider::kCloudflare;
  std::lock_guard lock(mutex_);
  const auto decision = faults_->decide(provider, time_.monotonic_time());
  ApiReply reply;
  reply.delay = decision.latency;
  if (decision.fail_status) {
    reply.response = fault_response(azure, *decision.fail_status, decision.retry_after);
    ++counters_->faults_injected[provider];
  } else {
    reply.response = azure ? azure_->handle(request) : cloudflare_->handle(request);
  }
  ++counters_->by_status[provider][reply.response.status];
  return reply;
}

std::optional<http::Response> DnsSimulator::handle_api(const http::Request& request) {
  auto reply = handle_api_reply(request);
  if (!reply) return std::nullopt;
  return std::move(reply->response);
}

bool DnsSimulator::dispatch_api(const http::Request& request, const http::Responder& respond) {
  auto reply = handle_api_reply(request);
  if (!reply) return false;
  boost::asio::io_context* io = nullptr;
  {
    std::lock_guard lock(mutex_);
    io = io_;
  }
  if (!io || reply->delay.count() <= 0) {
    respond(std::move(reply->response));
    return true;
  }
  auto timer = std::make_shared<boost::asio::steady_timer>(*io, reply->delay);
  timer->async_wait([timer, respond, response = std::move(reply->response)](
                        boost::system::error_code) mutable { respond(std::move(response)); });
  return true;
}

std::optional<http::Response> DnsSimulator::handle_control(const http::Request& request) {
  if (!DnsControlApi::handles(request)) return std::nullopt;
  std::lock_guard lock(mutex_);
  return control_->handle(request);
}

core::Status DnsSimulator::start_dns_server(boost::asio::io_context& io,
                                            const std::string& listen) {
  set_io_context(io);
  DnsServer::Options options;
  options.listen = listen;
  auto server = std::make_unique<DnsServer>(
      io, options, [this](std::span<const std::uint8_t> query, DnsTransport transport) {
        std::lock_guard lock(mutex_);
        return answer_dns_query(*store_, query, transport);
      });
  auto status = server->start();
  if (!status.ok()) return status;
  std::lock_guard lock(mutex_);
  server_ = std::move(server);
  return {};
}

void DnsSimulator::stop_dns_server() {
  std::unique_ptr<DnsServer> server;
  {
    std::lock_guard lock(mutex_);
    server = std::move(server_);
  }
  if (server) server->stop();
}

std::string DnsSimulator::dns_address() const {
  std::lock_guard lock(mutex_);
  return server_ ? server_->address() : std::string();
}

void DnsSimulator::set_io_context(boost::asio::io_context& io) {
  std::lock_guard lock(mutex_);
  io_ = &io;
}

std::vector<DnsSimulator::ZoneSummary> DnsSimulator::zones() const {
  std::lock_guard lock(mutex_);
  std::vector<ZoneSummary> out;
  for (const auto& zone : store_->zones()) {
    out.push_back({zone.name, to_string(zone.provider),
                   zone.provider == Provider::kAzureDns ? azure_zone_id(zone)
                                                        : zone.cloudflare_id});
  }
  return out;
}

}  // namespace frankenetes::sim::dns
