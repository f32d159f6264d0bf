// Our HTTPS clients against a hostile server (hostile_server.h): truncated and wrong-typed
// bodies, 50 MiB and never-ending bodies, slowloris answers, certificates for another host or
// expired, and redirects. Each must end in an Error that names the cause, within the request's
// deadline (plus slack for a loaded ASan machine), having read at most the body cap, and
// without acting on the answer or sending anything (least of all a token) elsewhere.

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "azure/aci_client.h"
#include "azure/credential_client_secret.h"
#include "dns/azure_dns_provider.h"
#include "dns/cloudflare_provider.h"
#include "hostile/hostile_server.h"
#include "http/certificates.h"
#include "http/client.h"
#include "support/cached_tls.h"
#include "support/fake_sleeper.h"
#include "support/fake_time_source.h"
#include "support/temp_dir.h"

namespace frankenetes::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Room for a loaded CI machine (ASan, 2 cores, other tests running) on top of a deadline.
constexpr auto kSlack = 1500ms;
constexpr auto kTimeout = 2s;  // every request's overall deadline here
constexpr std::size_t kMiB = 1024 * 1024;
const std::size_t kBodyCap = http::HttpClientOptions{}.max_response_body_bytes;
constexpr const char* kToken = "hostile-test-TOKEN-0123456789";

HostileTls server_credentials(const http::GeneratedTls& tls) {
  return {tls.server_cert_pem, tls.server_key_pem};
}

// The loopback certificate again, signed by the same CA, but valid only from two days ago
// until yesterday.
HostileTls expired_credentials() {
  const http::GeneratedTls& tls = loopback_tls();
  std::unique_ptr<BIO, decltype(&BIO_free)> cert_in(
      BIO_new_mem_buf(tls.server_cert_pem.data(), static_cast<int>(tls.server_cert_pem.size())),
      &BIO_free);
  std::unique_ptr<BIO, decltype(&BIO_free)> key_in(
      BIO_new_mem_buf(tls.ca_key_pem.data(), static_cast<int>(tls.ca_key_pem.size())), &BIO_free);
  std::unique_ptr<X509, decltype(&X509_free)> leaf(
      PEM_read_bio_X509(cert_in.get(), nullptr, nullptr, nullptr), &X509_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> ca_key(
      PEM_read_bio_PrivateKey(key_in.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
  if (!leaf || !ca_key) throw std::runtime_error("expired_credentials: cannot read PEM");
  X509_gmtime_adj(X509_getm_notBefore(leaf.get()), -2 * 24 * 3600);
  X509_gmtime_adj(X509_getm_notAfter(leaf.get()), -24 * 3600);
  if (X509_sign(leaf.get(), ca_key.get(), EVP_sha256()) == 0) {
    throw std::runtime_error("expired_credentials: cannot sign");
  }
  std::unique_ptr<BIO, decltype(&BIO_free)> out(BIO_new(BIO_s_mem()), &BIO_free);
  PEM_write_bio_X509(out.get(), leaf.get());
  char* data = nullptr;
  const long size = BIO_get_mem_data(out.get(), &data);
  return {std::string(data, static_cast<std::size_t>(size)), tls.server_key_pem};
}

// A client that trusts the loopback CA, with the default limits.
class ClientFixture : public ::testing::Test {
 protected:
  ClientFixture() {
    http::HttpClientOptions options;
    options.ca_file = dir_.write("ca.pem", loopback_tls().ca_pem);
    options.connect_timeout = kTimeout;
    auto created = http::HttpClient::create(options);
    if (!created) throw std::runtime_error(created.error().message);
    client_ = std::move(*created);
  }

  core::Result<http::Response> get(const std::string& url) {
    http::ClientRequest request;
    request.url = url;
    request.timeout = kTimeout;
    request.operation = "hostile.get";
    request.headers["Authorization"] = std::string("Bearer ") + kToken;
    const auto start = Clock::now();
    auto result = client_->send(request);
    elapsed_ = Clock::now() - start;
    return result;
  }

  // The call ended within its deadline (plus slack), not when the peer gave up.
  void expect_within_deadline() const {
    EXPECT_LT(elapsed_, kTimeout + kSlack)
        << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed_).count() << " ms";
  }

  TempDir dir_{"fk-hostile"};
  std::unique_ptr<http::HttpClient> client_;
  Clock::duration elapsed_{};
};

void expect_error(const core::Result<http::Response>& result, core::ErrorKind kind,
                  const std::string& fragment) {
  ASSERT_FALSE(result) << "unexpected status " << result->status;
  EXPECT_EQ(result.error().kind, kind) << result.error().message;
  EXPECT_NE(result.error().message.find(fragment), std::string::npos) << result.error().message;
  EXPECT_EQ(result.error().message.find(kToken), std::string::npos);
}

std::string head_with(const std::string& status_line, const std::string& headers) {
  return "HTTP/1.1 " + status_line + "\r\n" + headers + "\r\n";
}

// ---------------------------------------------------------------------------------------------
// HttpClient itself.

using HostileServerClient = ClientFixture;

TEST_F(HostileServerClient, TruncatedBodyIsTransientAndNamesThePeer) {
  HostileServer server(
      [](HostileConnection& c) {
        c.read_request();
        c.write(head_with("200 OK", "Content-Length: 100\r\n") + "{\"partial\":");
      },
      server_credentials(loopback_tls()));
  const auto got = get(server.origin() + "/truncated");
  expect_error(got, core::ErrorKind::kTransient,
               "connection to 127.0.0.1:" + std::to_string(server.port()) +
                   " closed before the response was complete");
  expect_within_deadline();
}

TEST_F(HostileServerClient, FiftyMiBBodyStopsAtTheCap) {
  HostileServer server(
      [](HostileConnection& c) {
        c.read_request();
        if (!c.write(head_with("200 OK", "Content-Length: " + std::to_string(50 * kMiB) + "\r\n"))) {
          return;
        }
        const std::string piece(64 * 1024, 'x');
        for (std::size_t sent = 0; sent < 50 * kMiB && c.write(piece); sent += piece.size()) {
        }
      },
      server_credentials(loopback_tls()));
  const auto got = get(server.origin() + "/huge");
  // Beast refuses a declared length over the cap before reading the body.
  expect_error(got, core::ErrorKind::kTerminal, "exceeds " + std::to_string(kBodyCap) + " bytes");
  expect_within_deadline();
  ASSERT_TRUE(server.wait_for_scripts());
  EXPECT_LT(server.written(), kBodyCap + 8 * kMiB);  // what socket buffers can absorb
}

TEST_F(HostileServerClient, NeverEndingChunkedBodyStopsAtTheCap) {
  HostileServer server(
      [](HostileConnection& c) {
        c.read_request();
        if (!c.write(head_with("200 OK", "Transfer-Encoding: chunked\r\n"))) return;
        const std::string chunk = "10000\r\n" + std::string(0x10000, 'x') + "\r\n";
        while (c.write(chunk)) {
        }
      },
      server_credentials(loopback_tls()));
  const auto got = get(server.origin() + "/endless");
  expect_error(got, core::ErrorKind::kTerminal, "exceeds " + std::to_string(kBodyCap) + " bytes");
  expect_within_deadline();
  ASSERT_TRUE(server.wait_for_scripts());
  EXPECT_LT(server.written(), kBodyCap + 8 * kMiB);
}

// One byte every 200 ms: bytes keep arriving, so only an overall deadline ends the call.
void drip(HostileConnection& c, const std::string& bytes) {
  for (const char byte : bytes) {
    if (!c.write(std::string(1, byte))) return;
    std::this_thread::sleep_for(200ms);  // the attack's pace, not a wait for an event
  }
}

TEST_F(HostileServerClient, SlowlorisHeadIsCutByTheDeadline) {
  HostileServer server(
      [](HostileConnection& c) {
        c.read_request();
        drip(c, head_with("200 OK", "X-Slow: " + std::string(200, 's') + "\r\nContent-Length: 0\r\n"));
      },
      server_credentials(loopback_tls()));
  const auto got = get(server.origin() + "/slow-head");
  expect_error(got, core::ErrorKind::kTransient, "timeout after 2s");
  EXPECT_GE(elapsed_, kTimeout - 100ms);
  expect_within_deadline();
}

TEST_F(HostileServerClient, SlowlorisChunkedBodyIsCutByTheDeadline) {
  HostileServer server(
      [](HostileConnection& c) {
        c.read_request();
        if (!c.write(head_with("200 OK", "Transfer-Encoding: chunked\r\n"))) return;
        std::string endless;
        for (int i = 0; i < 200; ++i) endless += "1\r\nx\r\n";
        drip(c, endless);
      },
      server_credentials(loopback_tls()));
  const auto got = get(server.origin() + "/slow-body");
  expect_error(got, core::ErrorKind::kTransient, "timeout after 2s");
  expect_within_deadline();
}

TEST_F(HostileServerClient, CertificateForAnotherHostIsRefusedBeforeAnyRequest) {
  // Signed by the trusted CA, but for other names.
  const http::GeneratedTls& other = tls_for({"wrong.example"}, {"192.0.2.1"});
  http::HttpClientOptions options;
  options.ca_file = dir_.write("other-ca.pem", other.ca_pem);
  auto created = http::HttpClient::create(options);
  ASSERT_TRUE(created) << created.error().message;
  std::unique_ptr<http::HttpClient> client = std::move(*created);
  int requests = 0;
  HostileServer server(
      [&](HostileConnection& c) {
        if (!c.read_request().empty()) ++requests;
      },
      server_credentials(other));
  http::ClientRequest request;
  request.url = server.origin() + "/";
  request.timeout = kTimeout;
  request.headers["Authorization"] = std::string("Bearer ") + kToken;
  const auto got = client->send(request);
  expect_error(got, core::ErrorKind::kTls, "IP address mismatch");
  ASSERT_TRUE(server.wait_for_scripts());
  EXPECT_EQ(requests, 0);
}

TEST_F(HostileServerClient, ExpiredCertificateIsRefusedBeforeAnyRequest) {
  int requests = 0;
  HostileServer server(
      [&](HostileConnection& c) {
        if (!c.read_request().empty()) ++requests;
      },
      expired_credentials());
  const auto got = get(server.origin() + "/");
  expect_error(got, core::ErrorKind::kTls, "certificate has expired");
  ASSERT_TRUE(server.wait_for_scripts());
  EXPECT_EQ(requests, 0);
}

// A server that records the requests it gets and answers each with one canned response.
class RecordingServer {
 public:
  RecordingServer(std::string response, std::optional<HostileTls> tls)
      : server_(
            [this, response = std::move(response)](HostileConnection& c) {
              for (std::string request = c.read_request(); !request.empty();
                   request = c.read_request()) {
                {
                  std::lock_guard lock(mutex_);
                  requests_.push_back(request);
                }
                if (!c.write(response)) return;
              }
            },
            std::move(tls)) {}

  std::string origin() const { return server_.origin(); }
  int accepted() const { return server_.accepted(); }
  std::vector<std::string> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> requests_;
  HostileServer server_;
};

std::string json_response(const std::string& status_line, const std::string& body,
                          const std::string& extra_headers = "") {
  return head_with(status_line, "Content-Type: application/json\r\nContent-Length: " +
                                    std::to_string(body.size()) + "\r\n" + extra_headers) +
         body;
}

TEST_F(HostileServerClient, RedirectIsReturnedNotFollowed) {
  RecordingServer elsewhere(json_response("200 OK", "{}"), server_credentials(loopback_tls()));
  RecordingServer redirector(
      json_response("302 Found", "", "Location: " + elsewhere.origin() + "/steal\r\n"),
      server_credentials(loopback_tls()));
  const auto got = get(redirector.origin() + "/start");
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->status, 302);
  EXPECT_EQ(redirector.requests().size(), 1u);
  EXPECT_EQ(elsewhere.accepted(), 0);
}

// ---------------------------------------------------------------------------------------------
// The clients built on it: ARM (container groups), Entra ID (tokens), DNS providers.

class TokenFor final : public azure::TokenCredential {
 public:
  core::Result<azure::AccessToken> get_token(const std::string&) override {
    return azure::AccessToken{core::Secret(kToken),
                              core::SystemTime(std::chrono::seconds(1767229200))};
  }
  std::string name() const override { return "hostile-test"; }
};

class HostileArm : public ClientFixture {
 protected:
  azure::AciClient aci(const std::string& origin) {
    azure::AciClientSettings settings;
    settings.endpoint.resource_manager = origin;
    settings.request_timeout = kTimeout;
    return azure::AciClient(*client_, credential_, time_, sleeper_, settings);
  }

  // A Cloudflare provider for zone example.com at `origin`, reading api.example.com.
  auto read_from_cloudflare(const std::string& origin) {
    config::CloudflareProviderConfig config;
    config.zone_id = "zone1";
    config.zone_name = "example.com";
    config.api_token = config::SecretSource{core::Secret(kToken), std::nullopt};
    config.base_url = origin;
    dns::CloudflareSettings settings;
    settings.request_timeout = kTimeout;
    dns::CloudflareProvider provider("cf", config, *client_, time_, settings);
    return provider.read("api.example.com");
  }

  static void expect_only_to(RecordingServer& server, std::size_t n) {
    const auto requests = server.requests();
    EXPECT_EQ(requests.size(), n);
    for (const auto& r : requests) EXPECT_NE(r.find(kToken), std::string::npos) << r;
  }

  const azure::ContainerGroupRef group_{"00000000-0000-0000-0000-000000000001", "cp", "etcd"};
  TokenFor credential_;
  FakeTimeSource time_;
  FakeSleeper sleeper_{time_};
};

TEST_F(HostileArm, WrongTypedContainerGroupIsATerminalErrorNamingTheField) {
  RecordingServer arm(json_response("200 OK", R"({"name": "etcd", "properties": ["not", "an", "object"]})"),
                      server_credentials(loopback_tls()));
  const auto got = aci(arm.origin()).get(group_);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().kind, core::ErrorKind::kTerminal) << got.error().message;
  EXPECT_NE(got.error().message.find("\"properties\" is array, expected an object"),
            std::string::npos)
      << got.error().message;
  EXPECT_EQ(got.error().message.find(kToken), std::string::npos);

  // The same one level down: a state that is not an object.
  RecordingServer nested(
      json_response("200 OK", R"({"name": "etcd", "properties": {"instanceView": "Running"}})"),
      server_credentials(loopback_tls()));
  const auto inner = aci(nested.origin()).get(group_);
  ASSERT_FALSE(inner);
  EXPECT_NE(inner.error().message.find("\"instanceView\" is string, expected an object"),
            std::string::npos)
      << inner.error().message;
}

TEST_F(HostileArm, TruncatedJsonIsATerminalError) {
  RecordingServer arm(json_response("200 OK", R"({"name": "etcd", "properties": {"contai)"),
                      server_credentials(loopback_tls()));
  const auto got = aci(arm.origin()).get(group_);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().kind, core::ErrorKind::kTerminal) << got.error().message;
  EXPECT_NE(got.error().message.find("JSON"), std::string::npos) << got.error().message;
}

TEST_F(HostileArm, RedirectIsAnErrorAndTheTokenStaysHome) {
  RecordingServer elsewhere(json_response("200 OK", "{}"), server_credentials(loopback_tls()));
  RecordingServer arm(
      json_response("307 Temporary Redirect", "", "Location: " + elsewhere.origin() + "/steal\r\n"),
      server_credentials(loopback_tls()));
  auto client = aci(arm.origin());
  const auto got = client.get(group_);
  ASSERT_FALSE(got);
  EXPECT_NE(got.error().message.find("307"), std::string::npos) << got.error().message;
  const auto restarted = client.restart(group_);
  ASSERT_FALSE(restarted.ok());
  EXPECT_NE(restarted.error().message.find("307"), std::string::npos) << restarted.error().message;
  expect_only_to(arm, 2);
  EXPECT_EQ(elsewhere.accepted(), 0);
}

TEST_F(HostileArm, AsyncOperationOnAnotherHostIsNotPolled) {
  RecordingServer elsewhere(json_response("200 OK", R"({"status": "Succeeded"})"),
                            server_credentials(loopback_tls()));
  RecordingServer arm(json_response("202 Accepted", "",
                                    "Azure-AsyncOperation: " + elsewhere.origin() + "/op\r\n"),
                      server_credentials(loopback_tls()));
  const auto started = aci(arm.origin()).start(group_);
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().message.find(kToken), std::string::npos);
  std::printf("[ message  ] %s\n", started.error().message.c_str());
  expect_only_to(arm, 1);
  EXPECT_EQ(elsewhere.accepted(), 0);
}

TEST_F(HostileArm, FiftyMiBContainerGroupIsRefusedAtTheCap) {
  HostileServer arm(
      [](HostileConnection& c) {
        c.read_request();
        if (!c.write(head_with("200 OK", "Transfer-Encoding: chunked\r\n") +
                     "9\r\n{\"name\":\"\r\n10000\r\n")) {
          return;
        }
        const std::string chunk = std::string(0x10000, 'x') + "\r\n10000\r\n";
        for (std::size_t sent = 0; sent < 50 * kMiB && c.write(chunk); sent += chunk.size()) {
        }
      },
      server_credentials(loopback_tls()));
  const auto start = Clock::now();
  const auto got = aci(arm.origin()).get(group_);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().kind, core::ErrorKind::kTerminal) << got.error().message;
  EXPECT_NE(got.error().message.find("exceeds " + std::to_string(kBodyCap) + " bytes"),
            std::string::npos)
      << got.error().message;
  EXPECT_LT(Clock::now() - start, kTimeout + kSlack);
}

TEST_F(HostileArm, WrongTypedTokenResponseIsAnErrorWithoutTheSecret) {
  const std::string secret = "client-SECRET-value-42";
  for (const std::string body :
       {R"({"access_token": 5, "expires_in": 3599, "token_type": "Bearer"})",
        R"({"access_token": "abc", "expires_in": "soon", "token_type": "Bearer"})",
        R"(["access_token"])", R"({"access_token": "abc", "expires_in": 3599)"}) {
    RecordingServer entra(json_response("200 OK", body), server_credentials(loopback_tls()));
    azure::ClientSecretCredential credential(
        {entra.origin(), "tenant", "client", kTimeout},
        config::SecretSource{core::Secret(secret), std::nullopt}, *client_, time_);
    const auto got = credential.get_token("https://management.azure.com/.default");
    ASSERT_FALSE(got) << body;
    EXPECT_EQ(got.error().message.find(secret), std::string::npos) << got.error().message;
    EXPECT_NE(got.error().message.find("token"), std::string::npos) << got.error().message;
    std::printf("[ message  ] %s\n", got.error().message.c_str());
  }
}

TEST_F(HostileArm, TokenEndpointRedirectIsNotFollowedWithTheSecret) {
  const std::string secret = "client-SECRET-value-42";
  RecordingServer elsewhere(json_response("200 OK", "{}"), server_credentials(loopback_tls()));
  RecordingServer entra(
      json_response("302 Found", "", "Location: " + elsewhere.origin() + "/steal\r\n"),
      server_credentials(loopback_tls()));
  azure::ClientSecretCredential credential({entra.origin(), "tenant", "client", kTimeout},
                                           config::SecretSource{core::Secret(secret), std::nullopt},
                                           *client_, time_);
  const auto got = credential.get_token("https://management.azure.com/.default");
  ASSERT_FALSE(got);
  EXPECT_NE(got.error().message.find("302"), std::string::npos) << got.error().message;
  EXPECT_EQ(entra.requests().size(), 1u);
  EXPECT_EQ(elsewhere.accepted(), 0);
}

TEST_F(HostileArm, WrongTypedCloudflareRecordsAreATerminalErrorNamingTheField) {
  RecordingServer cloudflare(
      json_response("200 OK",
                    R"({"success": true, "errors": [], "result": [{"id": "r1", "type": "A",)"
                    R"( "name": "api.example.com", "content": "192.0.2.1", "ttl": "60"}],)"
                    R"( "result_info": {"page": 1, "total_pages": 1}})"),
      server_credentials(loopback_tls()));
  const auto got = read_from_cloudflare(cloudflare.origin());
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().kind, core::ErrorKind::kTerminal) << got.error().message;
  EXPECT_NE(got.error().message.find("ttl"), std::string::npos) << got.error().message;
  EXPECT_EQ(got.error().message.find(kToken), std::string::npos);
}

TEST_F(HostileArm, CloudflareRedirectIsAnErrorAndTheApiTokenStaysHome) {
  RecordingServer elsewhere(json_response("200 OK", "{}"), server_credentials(loopback_tls()));
  RecordingServer cloudflare(
      json_response("301 Moved Permanently", "", "Location: " + elsewhere.origin() + "/steal\r\n"),
      server_credentials(loopback_tls()));
  const auto got = read_from_cloudflare(cloudflare.origin());
  ASSERT_FALSE(got);
  EXPECT_NE(got.error().message.find("301"), std::string::npos) << got.error().message;
  EXPECT_EQ(got.error().message.find(kToken), std::string::npos);
  EXPECT_EQ(cloudflare.requests().size(), 1u);
  EXPECT_EQ(elsewhere.accepted(), 0);
}

TEST_F(HostileArm, AzureDnsNextLinkToAnotherHostIsNotFollowed) {
  RecordingServer elsewhere(json_response("200 OK", R"({"value": []})"),
                            server_credentials(loopback_tls()));
  RecordingServer arm(json_response("200 OK", R"({"value": [], "nextLink": ")" +
                                                  elsewhere.origin() + R"(/steal"})"),
                      server_credentials(loopback_tls()));
  dns::AzureDnsSettings settings;
  settings.resource_manager = arm.origin();
  settings.request_timeout = kTimeout;
  dns::AzureDnsProvider provider("az", {"00000000-0000-0000-0000-000000000001", "dns", "example.com"},
                                 *client_, credential_, settings);
  const auto got = provider.read_zone();
  ASSERT_FALSE(got);
  EXPECT_NE(got.error().message.find("nextLink"), std::string::npos) << got.error().message;
  expect_only_to(arm, 1);
  EXPECT_EQ(elsewhere.accepted(), 0);
}

TEST_F(HostileArm, WrongTypedAzureDnsRecordSetIsATerminalErrorNamingTheField) {
  RecordingServer arm(
      json_response("200 OK", R"({"name": "api", "etag": "e1", "properties": {"TTL": "60", "ARecords": 7}})"),
      server_credentials(loopback_tls()));
  dns::AzureDnsSettings settings;
  settings.resource_manager = arm.origin();
  settings.request_timeout = kTimeout;
  dns::AzureDnsProvider provider("az", {"00000000-0000-0000-0000-000000000001", "dns", "example.com"},
                                 *client_, credential_, settings);
  const auto got = provider.read("api.example.com");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().kind, core::ErrorKind::kTerminal) << got.error().message;
  EXPECT_NE(got.error().message.find("TTL"), std::string::npos) << got.error().message;
}

}  // namespace
}  // namespace frankenetes::testing
