#pragma once
// Generates a throw-away certificate authority and a server certificate signed by it, for
// frankenetes-sim (which writes ca.pem for the daemon to trust) and for TLS tests. Pure
// OpenSSL, no sockets. Not for production PKI: no revocation, no persistence, no key
// protection; keys are EC P-256 in unencrypted PKCS#8 PEM.

#include <chrono>
#include <string>
#include <vector>

#include "core/result.h"

namespace frankenetes::http {

struct GeneratedTls {
  std::string ca_pem;           // self-signed CA certificate (trust anchor)
  std::string ca_key_pem;       // CA private key, should more certificates be needed
  std::string server_cert_pem;  // leaf certificate signed by the CA
  std::string server_key_pem;   // leaf private key
};

// The CA has basicConstraints critical CA:TRUE and keyUsage keyCertSign/cRLSign. The server
// certificate has subjectAltName entries for every DNS name and IP address (IPv4 or IPv6
// literals), extendedKeyUsage serverAuth, and is valid from one hour ago (clock skew) for
// `validity`. Errors: kInvalidConfig for bad input (no names, bad IP, validity <= 0), kTls when
// OpenSSL fails.
core::Result<GeneratedTls> generate_ca_and_server_certificate(std::vector<std::string> dns_names,
                                                              std::vector<std::string> ip_addresses,
                                                              std::chrono::hours validity);

}  // namespace frankenetes::http
