#pragma once
// make_dns_provider(): builds the DnsProvider for one dns.providers entry. Called by the
// composition root (daemon/) once per provider at start and on a reload that changed it. The
// dependencies are borrowed and must outlive the provider: the ARM transport should already be
// decorated (RetryingTransport -> ObservingTransport -> HttpClient), the Cloudflare transport
// likewise (RetryingTransport retries GET/PUT/PATCH/DELETE on 429/5xx, never POST).

#include <memory>
#include <string>

#include "azure/token_credential.h"
#include "config/types.h"
#include "core/result.h"
#include "core/time_source.h"
#include "dns/provider.h"
#include "http/transport.h"

namespace frankenetes::dns {

struct DnsProviderDeps {
  http::HttpTransport* arm_transport = nullptr;  // Azure DNS
  azure::TokenCredential* credential = nullptr;  // Azure DNS
  std::string resource_manager = "https://management.azure.com";
  std::string token_scope = "https://management.azure.com/.default";
  http::HttpTransport* http_transport = nullptr;  // Cloudflare
  core::TimeSource* time = nullptr;               // Cloudflare (throttle window)
  std::string user_agent = "frankenetesd";
};

// kInvalidConfig when a dependency the provider type needs is missing.
core::Result<std::unique_ptr<DnsProvider>> make_dns_provider(
    const config::DnsProviderConfig& config, const DnsProviderDeps& deps);

}  // namespace frankenetes::dns
