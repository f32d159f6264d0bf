// The secret files a configuration names (config/secret_files.h) and the load-time check that
// nobody but the daemon's user can read or write them (daemon/configuration.h).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "config/secret_files.h"
#include "daemon/configuration.h"
#include "support/temp_dir.h"

namespace frankenetes::daemon {
namespace {

config::SecretSource from_file(const std::string& path) { return {std::nullopt, path}; }

// Every kind of secret file, each in `dir` with the given mode.
config::Config config_with_secret_files(const testing::TempDir& dir) {
  config::Config c;
  c.azure.auth.client_secret = from_file(dir.write("client-secret", "s\n"));
  c.azure.auth.token_file = dir.write("token", "t\n");
  c.azure.auth.federated_token_file = dir.write("federated", "f\n");  // kubelet's, not listed
  config::DnsConfig dns;
  config::CloudflareProviderConfig cloudflare;
  cloudflare.api_token = from_file(dir.write("cf-token", "c\n"));
  dns.providers["cf"] = {"cf", cloudflare};
  config::Rfc2136ProviderConfig bind;
  bind.tsig = config::TsigConfig{"k", config::TsigAlgorithm::kHmacSha256,
                                 from_file(dir.write("tsig.key", "a2V5\n"))};
  dns.providers["bind"] = {"bind", bind};
  config::Rfc2136ProviderConfig unsigned_updates;  // no TSIG: nothing to list
  dns.providers["open"] = {"open", unsigned_updates};
  config::CloudflareProviderConfig from_env;  // apiToken: ${NAME}, no file
  from_env.api_token.value = core::Secret("from-the-environment");
  dns.providers["env"] = {"env", from_env};
  c.dns = dns;
  config::StorageConfig storage;
  storage.key = from_file(dir.write("storage-key", "a2V5\n"));
  c.storage = storage;
  c.server.admin_token = from_file(dir.write("admin-token", "0123456789abcdef\n"));
  c.server.tls = config::ServerTlsConfig{dir.write("cert.pem", "c"), dir.write("key.pem", "k")};
  return c;
}

TEST(SecretFiles, ListsEveryFileThatHoldsASecretWithItsKey) {
  const testing::TempDir dir("fk-secret-files");
  const auto at = [&](const char* name) { return (dir.path() / name).string(); };
  EXPECT_EQ(config::secret_files(config_with_secret_files(dir)),
            (std::vector<config::SecretFile>{
                {"azure.auth.clientSecretFile", at("client-secret")},
                {"azure.auth.tokenFile", at("token")},
                {"dns.providers.bind.tsig.secretFile", at("tsig.key")},
                {"dns.providers.cf.apiTokenFile", at("cf-token")},
                {"storage.keyFile", at("storage-key")},
                {"server.adminTokenFile", at("admin-token")},
                {"server.tls.keyFile", at("key.pem")},
            }));
  EXPECT_TRUE(config::secret_files(config::Config{}).empty());
}

TEST(SecretFiles, FilesOthersMayReadOrWriteAreReportedWithTheirMode) {
  const testing::TempDir dir("fk-secret-modes");
  const auto config = config_with_secret_files(dir);
  for (const auto& file : config::secret_files(config)) {
    ASSERT_EQ(::chmod(file.path.c_str(), 0600), 0) << file.path;
  }
  ASSERT_EQ(::chmod((dir.path() / "federated").c_str(), 0644), 0);
  EXPECT_TRUE(readable_secret_files(config).empty());

  ASSERT_EQ(::chmod((dir.path() / "storage-key").c_str(), 0644), 0);
  ASSERT_EQ(::chmod((dir.path() / "admin-token").c_str(), 0640), 0);
  ASSERT_EQ(::chmod((dir.path() / "tsig.key").c_str(), 0602), 0);  // writable by others
  ASSERT_EQ(::chmod((dir.path() / "cf-token").c_str(), 0700), 0);  // executable: harmless
  ASSERT_EQ(::chmod((dir.path() / "key.pem").c_str(), 0400), 0);
  std::filesystem::remove(dir.path() / "token");  // missing: its reader reports that
  const auto found = readable_secret_files(config);
  ASSERT_EQ(found.size(), 3u);
  EXPECT_EQ(found[0].key, "dns.providers.bind.tsig.secretFile");
  EXPECT_EQ(octal_mode(found[0].mode), "0602");
  EXPECT_EQ(found[1].key, "storage.keyFile");
  EXPECT_EQ(found[1].path, (dir.path() / "storage-key").string());
  EXPECT_EQ(octal_mode(found[1].mode), "0644");
  EXPECT_EQ(found[2].key, "server.adminTokenFile");
  EXPECT_EQ(octal_mode(found[2].mode), "0640");
}

}  // namespace
}  // namespace frankenetes::daemon
