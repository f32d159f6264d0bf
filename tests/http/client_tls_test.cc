// Where the clients' system trust anchors come from (http/detail/client_tls.h): a hashed
// directory is looked up per verification instead of parsing the whole bundle up front.

#include "http/detail/client_tls.h"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "http/certificates.h"
#include "support/temp_dir.h"

namespace frankenetes::http {
namespace {

using X509Ptr = std::unique_ptr<X509, decltype(&X509_free)>;
using ContextPtr = std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)>;

X509Ptr read_pem(const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  return X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), &X509_free);
}

// The name update-ca-certificates gives a CA's link: its subject-name hash, ".0".
std::string hash_name(X509* ca) {
  char name[32];
  std::snprintf(name, sizeof name, "%08lx.0", X509_subject_name_hash(ca));
  return name;
}

int objects_in(SSL_CTX* context) {
  return sk_X509_OBJECT_num(X509_STORE_get0_objects(SSL_CTX_get_cert_store(context)));
}

// What a handshake's chain verification would say of `leaf` with this context's store.
int verify(SSL_CTX* context, X509* leaf) {
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> check(X509_STORE_CTX_new(),
                                                                        &X509_STORE_CTX_free);
  X509_STORE_CTX_init(check.get(), SSL_CTX_get_cert_store(context), leaf, nullptr);
  X509_verify_cert(check.get());
  return X509_STORE_CTX_get_error(check.get());
}

class SystemTrust : public ::testing::Test {
 protected:
  void SetUp() override {
    // Variables naming other stores take OpenSSL's own path (a test of its own below).
    for (const char* name : {"SSL_CERT_FILE", "SSL_CERT_DIR"}) {
      if (const char* value = std::getenv(name)) saved_.emplace_back(name, value);
      unsetenv(name);
    }
    auto generated = generate_ca_and_server_certificate({"localhost"}, {}, std::chrono::hours(1));
    ASSERT_TRUE(generated.ok()) << generated.error().message;
    tls = std::move(generated).value();
  }

  void TearDown() override {
    unsetenv("SSL_CERT_FILE");
    unsetenv("SSL_CERT_DIR");
    for (const auto& [name, value] : saved_) setenv(name.c_str(), value.c_str(), 1);
  }

  ContextPtr context{SSL_CTX_new(TLS_client_method()), &SSL_CTX_free};
  GeneratedTls tls;
  testing::TempDir dir{"fk-trust"};

 private:
  std::vector<std::pair<std::string, std::string>> saved_;
};

TEST_F(SystemTrust, AHashedDirectoryIsReadWhenAChainNeedsIt) {
  auto ca = read_pem(tls.ca_pem);
  auto leaf = read_pem(tls.server_cert_pem);
  ASSERT_TRUE(ca && leaf);
  dir.write(hash_name(ca.get()), tls.ca_pem);

  ASSERT_TRUE(detail::load_system_trust(context.get(), dir.path().string()));
  EXPECT_EQ(objects_in(context.get()), 0) << "nothing is parsed before a verification needs it";
  EXPECT_EQ(verify(context.get(), leaf.get()), X509_V_OK);
  EXPECT_EQ(objects_in(context.get()), 1) << "the one CA the chain needed";
}

TEST_F(SystemTrust, ACertificateFromAnotherAuthorityIsStillRejected) {
  auto other = generate_ca_and_server_certificate({"localhost"}, {}, std::chrono::hours(1));
  ASSERT_TRUE(other.ok());
  auto ca = read_pem(tls.ca_pem);
  auto stranger = read_pem(other->server_cert_pem);
  dir.write(hash_name(ca.get()), tls.ca_pem);

  ASSERT_TRUE(detail::load_system_trust(context.get(), dir.path().string()));
  EXPECT_EQ(verify(context.get(), stranger.get()), X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
}

TEST_F(SystemTrust, WithoutHashLinksOpenSslsDefaultsAreLoaded) {
  dir.write("ca-certificates.crt", tls.ca_pem);  // a bundle file is not a hash link
  const std::string bundle = X509_get_default_cert_file();
  std::error_code ec;
  if (std::filesystem::file_size(bundle, ec) == 0 || ec) {
    GTEST_SKIP() << "no system CA bundle at " << bundle << " (install ca-certificates)";
  }
  ASSERT_TRUE(detail::load_system_trust(context.get(), dir.path().string()));
  EXPECT_GT(objects_in(context.get()), 0) << "the system bundle, parsed when the context is made";
}

TEST_F(SystemTrust, AVariableNamingAnotherBundleKeepsOpenSslsDefaults) {
  auto ca = read_pem(tls.ca_pem);
  dir.write(hash_name(ca.get()), tls.ca_pem);
  setenv("SSL_CERT_FILE", dir.write("mine.pem", tls.ca_pem).c_str(), 1);
  ASSERT_TRUE(detail::load_system_trust(context.get(), dir.path().string()));
  EXPECT_EQ(objects_in(context.get()), 1)
      << "the variable's bundle, parsed when the context is made";
}

TEST_F(SystemTrust, VariablesNamingTheDefaultsKeepTheLookUpPerVerification) {
  auto ca = read_pem(tls.ca_pem);
  dir.write(hash_name(ca.get()), tls.ca_pem);
  setenv("SSL_CERT_DIR", dir.path().c_str(), 1);
  setenv("SSL_CERT_FILE", X509_get_default_cert_file(), 1);
  ASSERT_TRUE(detail::load_system_trust(context.get(), dir.path().string()));
  EXPECT_EQ(objects_in(context.get()), 0);
}

}  // namespace
}  // namespace frankenetes::http
