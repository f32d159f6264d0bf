#include "config/secret_files.h"

#include <variant>

namespace frankenetes::config {
namespace {

void add(std::vector<SecretFile>& out, std::string key, const std::optional<SecretSource>& source) {
  if (source && source->file) out.push_back({std::move(key), *source->file});
}

}  // namespace

std::vector<SecretFile> secret_files(const Config& config) {
  std::vector<SecretFile> out;
  add(out, "azure.auth.clientSecretFile", config.azure.auth.client_secret);
  if (config.azure.auth.token_file) {
    out.push_back({"azure.auth.tokenFile", *config.azure.auth.token_file});
  }
  if (config.dns) {
    for (const auto& [name, provider] : config.dns->providers) {
      const std::string prefix = "dns.providers." + name + ".";
      if (const auto* cloudflare = std::get_if<CloudflareProviderConfig>(&provider.settings)) {
        add(out, prefix + "apiTokenFile", cloudflare->api_token);
      } else if (const auto* rfc2136 = std::get_if<Rfc2136ProviderConfig>(&provider.settings)) {
        if (rfc2136->tsig) add(out, prefix + "tsig.secretFile", rfc2136->tsig->secret);
      }
    }
  }
  if (config.storage) add(out, "storage.keyFile", config.storage->key);
  add(out, "server.adminTokenFile", config.server.admin_token);
  if (config.server.tls) out.push_back({"server.tls.keyFile", config.server.tls->key_file});
  return out;
}

}  // namespace frankenetes::config
