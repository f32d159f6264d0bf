// TLS: the generated CA/server certificate pair, and HttpServer over TLS with a Beast client
// that verifies the peer the way the daemon's client does (CA, SNI, host-name verification).

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl.hpp>
#include <memory>
#include <thread>
#include <vector>

#include "http/certificates.h"
#include "http/server.h"
#include "http/server_harness.h"

namespace frankenetes::http::testing {
namespace {

namespace ssl = boost::asio::ssl;

std::unique_ptr<X509, decltype(&X509_free)> read_certificate(const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  return {PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), &X509_free};
}

const GeneratedTls& test_tls() {
  static const GeneratedTls tls = [] {
    auto generated = generate_ca_and_server_certificate({"localhost"}, {"127.0.0.1", "::1"},
                                                        std::chrono::hours(1));
    if (!generated) throw std::runtime_error(generated.error().message);
    return *generated;
  }();
  return tls;
}

TEST(Certificates, CaSignsServerCertificateWithSubjectAltNames) {
  const GeneratedTls& tls = test_tls();
  auto ca = read_certificate(tls.ca_pem);
  auto leaf = read_certificate(tls.server_cert_pem);
  ASSERT_TRUE(ca && leaf);

  EXPECT_EQ(X509_check_ca(ca.get()), 1);
  EXPECT_EQ(X509_check_ca(leaf.get()), 0);
  EXPECT_EQ(X509_check_host(leaf.get(), "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(leaf.get(), "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(leaf.get(), "::1", 0), 1);
  EXPECT_EQ(X509_check_host(leaf.get(), "example.com", 0, 0, nullptr), 0);
  EXPECT_NE(X509_get_extended_key_usage(leaf.get()) & XKU_SSL_SERVER, 0u);

  // Chain verification against the CA as the only trust anchor.
  std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), &X509_STORE_free);
  ASSERT_EQ(X509_STORE_add_cert(store.get(), ca.get()), 1);
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx(X509_STORE_CTX_new(),
                                                                      &X509_STORE_CTX_free);
  ASSERT_EQ(X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), nullptr), 1);
  X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_SERVER);
  EXPECT_EQ(X509_verify_cert(ctx.get()), 1)
      << X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()));
}

TEST(Certificates, RejectsBadInput) {
  EXPECT_EQ(generate_ca_and_server_certificate({}, {}, std::chrono::hours(1)).error().kind,
            core::ErrorKind::kInvalidConfig);
  EXPECT_FALSE(generate_ca_and_server_certificate({"ok"}, {"300.1.1.1"}, std::chrono::hours(1)));
  EXPECT_FALSE(generate_ca_and_server_certificate({"a,DNS:evil"}, {}, std::chrono::hours(1)));
  EXPECT_FALSE(generate_ca_and_server_certificate({"ok"}, {}, std::chrono::hours(0)));
}

ServerOptions tls_options() {
  ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.tls = TlsServerCredentials{test_tls().server_cert_pem, test_tls().server_key_pem};
  return options;
}

// A TLS client with a deadline on every step, verifying like production clients should.
class TlsClient {
 public:
  explicit TlsClient(const std::string& trusted_ca_pem) {
    context_.set_verify_mode(ssl::verify_peer);
    if (!trusted_ca_pem.empty()) context_.add_certificate_authority(asio::buffer(trusted_ca_pem));
    stream_ = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(io_, context_);
    stream_->set_verify_callback(ssl::host_name_verification("localhost"));
    SSL_set_tlsext_host_name(stream_->native_handle(), "localhost");  // SNI
  }

  error_code connect_and_handshake(std::uint16_t port) {
    error_code result;
    auto& tcp_layer = beast::get_lowest_layer(*stream_);
    tcp_layer.expires_after(kStepDeadline);
    tcp_layer.async_connect(tcp::endpoint(asio::ip::address_v4::loopback(), port),
                            [&](error_code ec) { result = ec; });
    run();
    if (result) return result;
    tcp_layer.expires_after(kStepDeadline);
    stream_->async_handshake(ssl::stream_base::client, [&](error_code ec) { result = ec; });
    run();
    return result;
  }

  Reply round_trip(const std::string& request) {
    Reply reply;
    beast::get_lowest_layer(*stream_).expires_after(kStepDeadline);
    asio::async_write(*stream_, asio::buffer(request),
                      [&](error_code ec, std::size_t) { reply.ec = ec; });
    run();
    if (reply.ec) return reply;
    beast::get_lowest_layer(*stream_).expires_after(kStepDeadline);
    bhttp::async_read(*stream_, buffer_, reply.response,
                      [&](error_code ec, std::size_t) { reply.ec = ec; });
    run();
    return reply;
  }

  error_code shutdown() {
    error_code result;
    beast::get_lowest_layer(*stream_).expires_after(kStepDeadline);
    stream_->async_shutdown([&](error_code ec) { result = ec; });
    run();
    return result;
  }

 private:
  void run() {
    io_.restart();
    io_.run();
  }

  asio::io_context io_;
  ssl::context context_{ssl::context::tls_client};
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> stream_;
  beast::flat_buffer buffer_;
};

TEST(HttpServerTls, RoundTripWithVerifiedPeer) {
  ServerHarness harness(tls_options(), make_sync_handler([](const Request& r) {
                          return Response::json(200, "{\"path\":\"" + r.path + "\"}");
                        }));
  ASSERT_TRUE(harness.start().ok());
  TlsClient client(test_tls().ca_pem);
  const error_code handshake = client.connect_and_handshake(harness.port());
  ASSERT_FALSE(handshake) << handshake.message();
  for (const char* path : {"/one", "/two"}) {  // keep-alive works over TLS too
    const Reply reply = client.round_trip(http_request("GET", path));
    ASSERT_FALSE(reply.ec) << reply.ec.message();
    EXPECT_EQ(reply.response.result_int(), 200);
    EXPECT_EQ(reply.response.body(), std::string("{\"path\":\"") + path + "\"}");
    EXPECT_EQ(reply.response[bhttp::field::content_type], "application/json");
  }
  // The server answers close_notify with its own; a clean shutdown is no error.
  const error_code shutdown = client.shutdown();
  EXPECT_FALSE(shutdown) << shutdown.message();
}

TEST(HttpServerTls, ClientThatDoesNotTrustTheCaFailsTheHandshake) {
  ServerHarness harness(tls_options(), make_sync_handler([](const Request&) {
                          return Response::text(200, "should not be reached\n");
                        }));
  ASSERT_TRUE(harness.start().ok());
  TlsClient client(/*trusted_ca_pem=*/"");
  const error_code ec = client.connect_and_handshake(harness.port());
  ASSERT_TRUE(ec);
  EXPECT_EQ(ERR_GET_REASON(static_cast<unsigned long>(ec.value())), SSL_R_CERTIFICATE_VERIFY_FAILED)
      << ec.message();
}

// Clients that start a handshake (a record header announcing a ClientHello) and stall hold
// every slot: they count as idle, so a real client evicts the oldest and is served.
TEST(HttpServerTls, HandshakeStallersInEverySlotAreEvictedForARealClient) {
  constexpr std::size_t kLimit = 4;
  ServerOptions options = tls_options();
  options.max_connections = kLimit;
  ServerHarness harness(options, make_sync_handler([](const Request& r) {
                          return Response::text(200, "served " + r.path + "\n");
                        }));
  ASSERT_TRUE(harness.start().ok());
  std::vector<std::unique_ptr<RawClient>> stallers;
  for (std::size_t i = 0; i < kLimit; ++i) {
    stallers.push_back(std::make_unique<RawClient>());
    ASSERT_FALSE(stallers.back()->connect(harness.port()));
    ASSERT_FALSE(stallers.back()->send(std::string("\x16\x03\x01\x02\x00", 5)));
  }
  const auto until = std::chrono::steady_clock::now() + kStepDeadline;
  while (harness.server().open_connections() != kLimit ||
         harness.server().idle_connections() != kLimit) {
    ASSERT_LT(std::chrono::steady_clock::now(), until) << "stallers not all in their handshake";
    std::this_thread::yield();
  }
  TlsClient client(test_tls().ca_pem);
  const error_code handshake = client.connect_and_handshake(harness.port());
  ASSERT_FALSE(handshake) << handshake.message();
  const Reply reply = client.round_trip(http_request("GET", "/real"));
  ASSERT_FALSE(reply.ec) << reply.ec.message();
  EXPECT_EQ(reply.response.result_int(), 200);
  EXPECT_EQ(stallers.front()->wait_for_close(), asio::error::eof);  // the oldest made room
}

TEST(HttpServerTls, PlainHttpClientGetsNoResponse) {
  ServerHarness harness(tls_options(), make_sync_handler([](const Request&) {
                          return Response::text(200, "should not be reached\n");
                        }));
  ASSERT_TRUE(harness.start().ok());
  RawClient client;
  ASSERT_FALSE(client.connect(harness.port()));
  const Reply reply = client.round_trip(http_request("GET", "/"));
  EXPECT_TRUE(reply.ec);  // the failed handshake closes the connection
}

TEST(HttpServerTls, StartFailsOnUnusableCredentials) {
  ServerOptions options = tls_options();
  options.tls->private_key_pem = "not a key";
  ServerHarness bad_key(options, make_sync_handler([](const Request&) { return Response{}; }));
  const auto status = bad_key.start();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, core::ErrorKind::kTls);
  EXPECT_EQ(status.error().message.rfind("listen 127.0.0.1:0: TLS private key", 0), 0u)
      << status.error().message;

  // A key from another pair does not match the certificate (OpenSSL: "key values mismatch").
  auto other = generate_ca_and_server_certificate({"localhost"}, {}, std::chrono::hours(1));
  ASSERT_TRUE(other.ok());
  options.tls->private_key_pem = other->server_key_pem;
  ServerHarness mismatched(options, make_sync_handler([](const Request&) { return Response{}; }));
  const auto mismatch = mismatched.start();
  ASSERT_FALSE(mismatch.ok());
  EXPECT_NE(mismatch.error().message.find("mismatch"), std::string::npos)
      << mismatch.error().message;
}

}  // namespace
}  // namespace frankenetes::http::testing
