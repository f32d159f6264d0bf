#include "dns/provider_factory.h"

#include <gtest/gtest.h>

#include "azure/fake_token_credential.h"
#include "support/fake_time_source.h"
#include "support/fake_transport.h"

namespace frankenetes::dns {
namespace {

TEST(ProviderFactory, BuildsEachTypeWithItsDependencies) {
  testing::FakeTransport transport;
  testing::FakeTokenCredential credential;
  testing::FakeTimeSource time;
  DnsProviderDeps deps;
  deps.arm_transport = &transport;
  deps.credential = &credential;
  deps.http_transport = &transport;
  deps.time = &time;

  config::DnsProviderConfig azure{"azure-dns", config::AzureDnsProviderConfig{"s", "rg", "a.com"}};
  auto provider = make_dns_provider(azure, deps);
  ASSERT_TRUE(provider.ok());
  EXPECT_EQ((*provider)->name(), "azure-dns");
  EXPECT_EQ((*provider)->zone(), "a.com");

  config::CloudflareProviderConfig cf;
  cf.zone_name = "b.org";
  cf.api_token.value = core::Secret("t");
  provider = make_dns_provider({"cf", cf}, deps);
  ASSERT_TRUE(provider.ok());
  EXPECT_EQ((*provider)->zone(), "b.org");

  config::Rfc2136ProviderConfig rfc;
  rfc.server = {"127.0.0.1", 53};
  rfc.zone = "c.test.";
  provider = make_dns_provider({"bind", rfc}, deps);
  ASSERT_TRUE(provider.ok());
  EXPECT_EQ((*provider)->zone(), "c.test");
  EXPECT_EQ((*provider)->authoritative_servers(), std::vector<std::string>{"127.0.0.1:53"});
}

TEST(ProviderFactory, MissingDependencyIsInvalidConfig) {
  DnsProviderDeps none;
  auto provider =
      make_dns_provider({"azure-dns", config::AzureDnsProviderConfig{"s", "rg", "a.com"}}, none);
  ASSERT_FALSE(provider.ok());
  EXPECT_EQ(provider.error().kind, core::ErrorKind::kInvalidConfig);
  EXPECT_NE(provider.error().message.find("azure-dns"), std::string::npos);
  config::CloudflareProviderConfig cf;
  cf.zone_id = "z";
  EXPECT_FALSE(make_dns_provider({"cf", cf}, none).ok());
}

}  // namespace
}  // namespace frankenetes::dns
