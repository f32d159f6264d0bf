// The HTTP DNS providers' codecs (lib/dns): Azure DNS record sets and zone-list pages, and
// Cloudflare's v4 envelopes and record lists. The Azure DNS codec is public and is called
// directly; Cloudflare's is internal to CloudflareProvider, so both providers are also driven
// through read(), read_zone() and apply() over a transport that answers from the input
// (fuzz_support.h: parts separated by "====", optional "HTTP nnn" first line). No network.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "azure/token_credential.h"
#include "dns/azure_dns_provider.h"
#include "dns/cloudflare_provider.h"
#include "fuzz_support.h"
#include "log/event.h"

namespace {

using namespace frankenetes;

class FixedCredential final : public azure::TokenCredential {
 public:
  core::Result<azure::AccessToken> get_token(const std::string&) override {
    return azure::AccessToken{core::Secret("fuzz-token"),
                              fuzz::FixedTime{}.system_time() + std::chrono::hours(1)};
  }
  std::string name() const override { return "fuzz"; }
};

std::vector<dns::Change> changes() {
  dns::RecordSet current{"etcd-0.example.com", dns::RecordType::kA, 60, {"10.0.0.1"}, "v1"};
  dns::RecordSet desired{"etcd-0.example.com", dns::RecordType::kA, 60, {"10.0.0.2"}, ""};
  dns::RecordSet txt{"etcd-0.example.com", dns::RecordType::kTxt, 60, {"owner=fuzz"}, ""};
  return {{dns::Change::Kind::kUpsert, desired, current},
          {dns::Change::Kind::kUpsert, txt, dns::RecordSet{txt.fqdn, txt.type, 60, {}, ""}},
          {dns::Change::Kind::kDelete, desired, std::nullopt}};
}

void azure_dns(std::string_view input) {
  for (auto type : {dns::RecordType::kA, dns::RecordType::kTxt, dns::RecordType::kCname}) {
    (void)dns::parse_azure_record_set(input, "etcd-0.example.com", type);
  }
  (void)dns::parse_azure_record_set_page(input, "example.com");

  config::AzureDnsProviderConfig config{"00000000-0000-0000-0000-000000000000", "rg",
                                        "example.com"};
  FixedCredential credential;
  {
    fuzz::ScriptedTransport transport(input);
    dns::AzureDnsProvider provider("azure", config, transport, credential);
    (void)provider.read("etcd-0.example.com");
    (void)provider.read_zone();
  }
  fuzz::ScriptedTransport transport(input);
  dns::AzureDnsProvider provider("azure", config, transport, credential);
  (void)provider.apply(changes());
}

void cloudflare(std::string_view input) {
  fuzz::FixedTime time;
  config::CloudflareProviderConfig by_name;
  by_name.zone_name = "example.com";
  by_name.api_token.value = core::Secret("fuzz-cloudflare-token");
  by_name.base_url = "https://api.cloudflare.example/client/v4";
  config::CloudflareProviderConfig by_id = by_name;
  by_id.zone_id = "023e105f4ecef8ad9ca31a8372d0c353";
  for (const auto& config : {by_name, by_id}) {
    {
      fuzz::ScriptedTransport transport(input);
      dns::CloudflareProvider provider("cloudflare", config, transport, time);
      (void)provider.read("etcd-0.example.com");
    }
    fuzz::ScriptedTransport transport(input);
    dns::CloudflareProvider provider("cloudflare", config, transport, time);
    (void)provider.apply(changes());
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Events such as http.retry_after.clamped would print once per input; the code paths that
  // build them still run up to the level check.
  frankenetes::log::configure(frankenetes::log::Level::kOff, frankenetes::log::Format::kText);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input = fuzz::as_text(data, size);
  azure_dns(input);
  cloudflare(input);
  return 0;
}
