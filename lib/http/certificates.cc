#include "http/certificates.h"

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <memory>

namespace frankenetes::http {
namespace {

// unique_ptr deleters for the OpenSSL types used here.
template <auto FreeFn>
struct OpensslFree {
  template <class T>
  void operator()(T* p) const {
    FreeFn(p);
  }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, OpensslFree<EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, OpensslFree<X509_free>>;
using BioPtr = std::unique_ptr<BIO, OpensslFree<BIO_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, OpensslFree<BN_free>>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, OpensslFree<X509_EXTENSION_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, OpensslFree<GENERAL_NAMES_free>>;

core::Error generation_error(core::ErrorKind kind, const std::string& message) {
  return core::make_error(kind, "generate certificate: " + message);
}

// Takes the oldest queued OpenSSL error (the root cause) and clears the queue, so a later
// unrelated call does not report this one.
core::Error openssl_error(const std::string& step) {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  char text[256] = "unknown error";
  if (code != 0) ERR_error_string_n(code, text, sizeof text);
  return generation_error(core::ErrorKind::kTls, step + ": " + text);
}

core::Result<KeyPtr> generate_p256_key() {
  KeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) return openssl_error("EC P-256 key generation");
  return key;
}

// Adds an extension written in OpenSSL's config syntax ("critical,CA:TRUE"). Only used with
// constant strings; names from callers go through build_subject_alt_names instead, so a
// comma in a name can never add an extension value.
bool add_extension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  ExtensionPtr extension(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  return extension && X509_add_ext(cert, extension.get(), -1) == 1;
}

core::Result<GeneralNamesPtr> build_subject_alt_names(
    const std::vector<std::string>& dns_names, const std::vector<std::string>& ip_addresses) {
  GeneralNamesPtr names(GENERAL_NAMES_new());
  if (!names) return openssl_error("subjectAltName");
  for (const auto& dns : dns_names) {
    const bool valid = !dns.empty() && std::all_of(dns.begin(), dns.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '-' || c == '.' || c == '*';
    });
    if (!valid)
      return generation_error(core::ErrorKind::kInvalidConfig, "invalid DNS name '" + dns + "'");
    GENERAL_NAME* name = GENERAL_NAME_new();
    ASN1_IA5STRING* value = ASN1_IA5STRING_new();
    if (name == nullptr || value == nullptr ||
        ASN1_STRING_set(value, dns.data(), static_cast<int>(dns.size())) != 1) {
      GENERAL_NAME_free(name);
      ASN1_IA5STRING_free(value);
      return openssl_error("subjectAltName DNS");
    }
    GENERAL_NAME_set0_value(name, GEN_DNS, value);  // `name` owns `value` now
    sk_GENERAL_NAME_push(names.get(), name);        // `names` owns `name` now
  }
  for (const auto& ip : ip_addresses) {
    unsigned char bytes[16];
    int length = 0;
    if (inet_pton(AF_INET, ip.c_str(), bytes) == 1) {
      length = 4;
    } else if (inet_pton(AF_INET6, ip.c_str(), bytes) == 1) {
      length = 16;
    } else {
      return generation_error(core::ErrorKind::kInvalidConfig, "invalid IP address '" + ip + "'");
    }
    GENERAL_NAME* name = GENERAL_NAME_new();
    ASN1_OCTET_STRING* value = ASN1_OCTET_STRING_new();
    if (name == nullptr || value == nullptr || ASN1_OCTET_STRING_set(value, bytes, length) != 1) {
      GENERAL_NAME_free(name);
      ASN1_OCTET_STRING_free(value);
      return openssl_error("subjectAltName IP");
    }
    GENERAL_NAME_set0_value(name, GEN_IPADD, value);
    sk_GENERAL_NAME_push(names.get(), name);
  }
  return names;
}

// A v3 certificate for `key` named `common_name`, signed by `issuer_key`. With a null
// `issuer` the certificate is self-signed. Extensions are added by `add_extensions`.
template <class AddExtensions>
core::Result<CertPtr> make_certificate(const std::string& common_name, EVP_PKEY* key, X509* issuer,
                                       EVP_PKEY* issuer_key, std::chrono::hours validity,
                                       AddExtensions add_extensions) {
  CertPtr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1) return openssl_error("X509_new");

  // RFC 5280 §4.1.2.2: positive, unique per issuer, at most 20 octets. 159 random bits are
  // positive and fit.
  BignumPtr serial(BN_new());
  if (!serial || BN_rand(serial.get(), 159, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) == nullptr) {
    return openssl_error("serial number");
  }

  // Backdated by an hour so a peer whose clock is slightly behind accepts it at once.
  const long validity_seconds = static_cast<long>(validity.count()) * 3600;
  if (X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(cert.get()), validity_seconds) == nullptr) {
    return openssl_error("validity");
  }

  X509_NAME* subject = X509_get_subject_name(cert.get());
  const auto* cn = reinterpret_cast<const unsigned char*>(common_name.c_str());
  const auto* org = reinterpret_cast<const unsigned char*>("frankenetes");
  if (X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_UTF8, org, -1, -1, 0) != 1 ||
      X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8, cn, -1, -1, 0) != 1 ||
      X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : subject) != 1 ||
      X509_set_pubkey(cert.get(), key) != 1) {
    return openssl_error("subject");
  }

  if (auto status = add_extensions(cert.get(), issuer ? issuer : cert.get()); !status) {
    return status.error();
  }
  if (X509_sign(cert.get(), issuer_key, EVP_sha256()) <= 0) return openssl_error("signing");
  return cert;
}

template <class WriteFn>
core::Result<std::string> to_pem(WriteFn write) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || write(bio.get()) != 1) return openssl_error("PEM encoding");
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

core::Result<std::string> certificate_pem(X509* cert) {
  return to_pem([cert](BIO* bio) { return PEM_write_bio_X509(bio, cert); });
}

core::Result<std::string> key_pem(EVP_PKEY* key) {
  return to_pem([key](BIO* bio) {  // PKCS#8, unencrypted
    return PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  });
}

}  // namespace

core::Result<GeneratedTls> generate_ca_and_server_certificate(std::vector<std::string> dns_names,
                                                              std::vector<std::string> ip_addresses,
                                                              std::chrono::hours validity) {
  if (dns_names.empty() && ip_addresses.empty()) {
    return generation_error(core::ErrorKind::kInvalidConfig,
                            "need at least one DNS name or IP address");
  }
  if (validity.count() <= 0) {
    return generation_error(core::ErrorKind::kInvalidConfig, "validity must be positive");
  }
  auto names = build_subject_alt_names(dns_names, ip_addresses);
  if (!names) return names.error();

  auto ca_key = generate_p256_key();
  if (!ca_key) return ca_key.error();
  auto ca = make_certificate(
      "frankenetes test CA", ca_key->get(), nullptr, ca_key->get(), validity,
      [](X509* cert, X509* issuer) -> core::Status {
        // RFC 5280 §4.2.1.9 / §4.2.1.3: a CA certificate says so, critically, and may sign.
        if (!add_extension(cert, issuer, NID_basic_constraints, "critical,CA:TRUE") ||
            !add_extension(cert, issuer, NID_key_usage, "critical,keyCertSign,cRLSign") ||
            !add_extension(cert, issuer, NID_subject_key_identifier, "hash")) {
          return openssl_error("CA extensions");
        }
        return {};
      });
  if (!ca) return ca.error();

  auto server_key = generate_p256_key();
  if (!server_key) return server_key.error();
  const std::string common_name = dns_names.empty() ? ip_addresses.front() : dns_names.front();
  auto server = make_certificate(
      common_name, server_key->get(), ca->get(), ca_key->get(), validity,
      [&names](X509* cert, X509* issuer) -> core::Status {
        // Clients match host names against subjectAltName only (RFC 6125 §6.4.4); the CN is
        // for humans. digitalSignature is the key usage ECDHE-ECDSA handshakes need.
        if (!add_extension(cert, issuer, NID_basic_constraints, "critical,CA:FALSE") ||
            !add_extension(cert, issuer, NID_key_usage, "critical,digitalSignature") ||
            !add_extension(cert, issuer, NID_ext_key_usage, "serverAuth") ||
            !add_extension(cert, issuer, NID_subject_key_identifier, "hash") ||
            !add_extension(cert, issuer, NID_authority_key_identifier, "keyid:always") ||
            X509_add1_ext_i2d(cert, NID_subject_alt_name, names->get(), 0, X509V3_ADD_DEFAULT) !=
                1) {
          return openssl_error("server certificate extensions");
        }
        return {};
      });
  if (!server) return server.error();

  GeneratedTls out;
  auto ca_pem = certificate_pem(ca->get());
  auto ca_key_pem = key_pem(ca_key->get());
  auto server_pem = certificate_pem(server->get());
  auto server_key_pem = key_pem(server_key->get());
  for (const auto* pem : {&ca_pem, &ca_key_pem, &server_pem, &server_key_pem}) {
    if (!*pem) return pem->error();
  }
  out.ca_pem = std::move(*ca_pem);
  out.ca_key_pem = std::move(*ca_key_pem);
  out.server_cert_pem = std::move(*server_pem);
  out.server_key_pem = std::move(*server_key_pem);
  return out;
}

}  // namespace frankenetes::http
