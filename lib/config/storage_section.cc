// storage: the Azure Blob Storage account and container for etcd snapshots (lib/storage).

#include "config/sections.h"
#include "config/value_syntax.h"

namespace frankenetes::config {
namespace {

// Blob endpoint suffix of the well-known clouds (`az cloud show`: suffixes.storageEndpoint).
// A custom cloud (and the simulator, and Azurite) names its endpoint itself.
std::string_view blob_suffix(const Cloud& cloud) {
  if (cloud.name == "AzurePublicCloud") return "blob.core.windows.net";
  if (cloud.name == "AzureChinaCloud") return "blob.core.chinacloudapi.cn";
  if (cloud.name == "AzureUSGovernment") return "blob.core.usgovcloudapi.net";
  return {};
}

void read_name(MapReader& map, std::string_view key, std::string& out,
               bool (*valid)(std::string_view), std::string_view rule) {
  const auto node = map.get(key, Presence::kRequired);
  if (!node) return;
  auto text = node->as_string();
  if (!text) return;
  if (!valid(*text)) {
    node->report("invalid " + std::string(key) + " name \"" + *text + "\": " + std::string(rule));
    return;
  }
  out = std::move(*text);
}

void read_endpoint(MapReader& map, StorageConfig& storage, const AzureConfig& azure) {
  const auto suffix = blob_suffix(azure.cloud);
  const bool required = suffix.empty();
  const auto problems_before = map.context().problem_count();
  read_secure_url(map, "endpoint", storage.endpoint,
                  required ? Presence::kRequired : Presence::kOptional);
  if (map.context().problem_count() != problems_before) return;
  if (storage.endpoint.empty()) {
    if (!storage.account.empty())
      storage.endpoint = "https://" + storage.account + "." + std::string(suffix);
    return;
  }
  // Paths are appended to the endpoint: a query or fragment would end up in the middle.
  if (storage.endpoint.find_first_of("?#") != std::string::npos) {
    map.get("endpoint")
        ->report("the endpoint must not have a query or fragment, got \"" + storage.endpoint +
                 "\"");
    storage.endpoint.clear();
    return;
  }
  while (storage.endpoint.ends_with('/')) storage.endpoint.pop_back();
}

// fileEndpoint: optional; by default the account's file endpoint of a well-known cloud.
void read_file_endpoint(MapReader& map, StorageConfig& storage, const AzureConfig& azure) {
  const auto problems_before = map.context().problem_count();
  read_secure_url(map, "fileEndpoint", storage.file_endpoint, Presence::kOptional);
  if (map.context().problem_count() != problems_before) return;
  if (storage.file_endpoint.empty()) {
    auto suffix = std::string(blob_suffix(azure.cloud));
    if (!suffix.empty() && !storage.account.empty()) {
      storage.file_endpoint = "https://" + storage.account + ".file" + suffix.substr(4);
    }
    return;
  }
  if (storage.file_endpoint.find_first_of("?#") != std::string::npos) {
    map.get("fileEndpoint")
        ->report("the endpoint must not have a query or fragment, got \"" +
                 storage.file_endpoint + "\"");
    storage.file_endpoint.clear();
    return;
  }
  while (storage.file_endpoint.ends_with('/')) storage.file_endpoint.pop_back();
}

}  // namespace

StorageConfig parse_storage(const Node& node, const AzureConfig& azure) {
  MapReader map(node);
  StorageConfig storage;
  read_name(map, "account", storage.account, is_storage_account_name,
            "use 3 to 24 lowercase letters and digits");
  read_name(map, "container", storage.container, is_blob_container_name,
            "use 3 to 63 lowercase letters, digits and single hyphens, starting and ending with a "
            "letter or digit");
  read_endpoint(map, storage, azure);
  read_file_endpoint(map, storage, azure);
  map.read_enum("auth", storage.auth, kStorageAuthNames);
  storage.key = map.read_secret("key", "keyFile", Presence::kOptional);
  // Exactly one way to authenticate: a key that is present but unused would still have to be
  // protected, and rotated, for nothing.
  const bool has_key = map.has("key") || map.has("keyFile");
  if (storage.auth == StorageAuth::kAzure && has_key) {
    map.get(map.has("keyFile") ? "keyFile" : "key")
        ->report(
            "auth \"azure\" uses Entra ID tokens: remove the account key, or remove "
            "\"auth: azure\" to use the key");
    storage.key.reset();
  } else if (storage.auth == StorageAuth::kSharedKey && !has_key && node.is_map()) {
    map.report(
        "missing required key \"keyFile\" (the account key, or \"key: ${NAME}\"), or "
        "\"auth: azure\" for Entra ID tokens");
  }
  map.finish();
  return storage;
}

}  // namespace frankenetes::config
