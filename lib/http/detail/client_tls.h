#pragma once
// The TLS side of HttpClient and AsyncHttpClient, one copy for both: the shared OpenSSL client
// context built from HttpClientOptions, what is set on a connection before its handshake (SNI,
// host-name or IP verification), and how a failed handshake is reported. Internal to lib/http:
// OpenSSL and Beast stay out of the public headers. Does no I/O: each client runs the
// handshake its own way (blocking on a private io_context, or on the shared loop).

#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/system/error_code.hpp>
#include <memory>
#include <string>

#include "core/result.h"
#include "http/client.h"
#include "http/url.h"

namespace frankenetes::http::detail {

using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

// The client context for these trust settings: TLS 1.2 or newer, the system store plus
// options.ca_file, verify_peer (verify_none with insecure_skip_verify). Clients with the same
// settings and unchanged files share one context. kInvalidConfig when ca_file cannot be read
// or holds no certificate.
core::Result<std::shared_ptr<boost::asio::ssl::context>> shared_tls_context(
    const HttpClientOptions& options);

// The system's trust anchors into `context`. OpenSSL's default paths parse the whole bundle
// file (/etc/ssl/certs/ca-certificates.crt: ~140 certificates, over 1 MiB of heap per context,
// which is most of the daemon's heap at one cluster) when the context is made; a hashed
// directory (`<subject hash>.0` links, as update-ca-certificates and c_rehash make them) is
// looked up during each verification instead, and keeps only the certificates a chain needed.
// Both come from the same ca-certificates package, so the trust is the same. Uses `hash_dir`
// (the caller passes X509_get_default_cert_dir()) when it holds such links and neither
// SSL_CERT_FILE nor SSL_CERT_DIR names anything but OpenSSL's own default file and this
// directory; otherwise OpenSSL's defaults, as before (they honour both variables). False when
// OpenSSL refused (an empty store: every handshake then fails verification and says so).
bool load_system_trust(SSL_CTX* context, const std::string& hash_dir);

// Sets SNI (names only) and, unless insecure_skip_verify, the check that the certificate is for
// url.host. Call before the handshake. kTls when SNI cannot be set.
core::Status prepare_tls_handshake(TlsStream& stream, const Url& url, bool insecure_skip_verify);

// A failed handshake: kTls when OpenSSL rejected it (certificate, protocol, alert), kTransient
// when the peer hung up; "TLS handshake with 127.0.0.1:8443 failed: certificate verify failed:
// unable to get local issuer certificate (trusted: …)". Not for timeouts.
core::Error tls_handshake_error(const boost::system::error_code& ec, TlsStream& stream,
                                const Url& url, const HttpClientOptions& options);

}  // namespace frankenetes::http::detail
