// The TLS pieces both clients share (detail/client_tls.h).

#include "http/detail/client_tls.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <sys/stat.h>

#include <boost/asio/ssl.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <string>

namespace frankenetes::http::detail {
namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using boost::system::error_code;
using core::make_error;

// OpenSSL's reason without Asio's " (SSL routines)" suffix, plus the certificate verification
// result when that is what failed ("certificate verify failed: hostname mismatch"). An unknown
// issuer is the usual operator mistake (the simulator's CA not configured), so that message
// says where trust anchors come from.
std::string tls_reason(const error_code& ec, SSL* ssl_handle, const std::string& ca_file) {
  std::string reason;
  if (ec.category() == asio::error::get_ssl_category()) {
    const char* text = ERR_reason_error_string(static_cast<unsigned long>(ec.value()));
    reason = text ? text : ec.message();
  } else {
    reason = ec.message();
  }
  const long verify = ssl_handle != nullptr ? SSL_get_verify_result(ssl_handle) : X509_V_OK;
  if (verify == X509_V_OK) return reason;
  reason += std::string(": ") + X509_verify_cert_error_string(verify);
  if (verify == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
      verify == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN ||
      verify == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT) {
    reason += ca_file.empty() ? " (trusted: system store only, no CA file configured)"
                              : " (trusted: system store and CA file " + ca_file + ")";
  }
  return reason;
}

// A file's identity for the context cache: its path, size and modification time (empty when
// it cannot be read: the context is then made and fails as it would have).
std::string file_stamp(const std::string& path) {
  struct stat st {};
  if (path.empty() || ::stat(path.c_str(), &st) != 0) return path;
  return path + "|" + std::to_string(st.st_size) + "|" + std::to_string(st.st_mtim.tv_sec) + "." +
         std::to_string(st.st_mtim.tv_nsec);
}

// True when the environment variable `variable` (SSL_CERT_FILE, SSL_CERT_DIR) is unset or names
// `default_path` itself (some distributions set them to the defaults).
bool names_default(const char* variable, const std::string& default_path) {
  const char* value = std::getenv(variable);
  if (value == nullptr) return true;
  std::error_code ec;
  return std::filesystem::equivalent(value, default_path, ec) && !ec;
}

bool has_hash_links(const std::string& dir) {
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    // <8 hex digits of the subject-name hash>.<n>, as c_rehash and update-ca-certificates make.
    const auto dot = name.find('.');
    if (dot == 8 && name.size() > 9 && name.find_first_not_of("0123456789abcdef") == 8 &&
        name.find_first_not_of("0123456789", 9) == std::string::npos) {
      return true;
    }
  }
  return false;
}

core::Result<std::shared_ptr<ssl::context>> make_tls_context(const HttpClientOptions& options) {
  auto tls = std::make_shared<ssl::context>(ssl::context::tls_client);
  // TLS 1.2 is the oldest version still considered sound (RFC 8996 deprecates 1.0 and 1.1).
  SSL_CTX_set_min_proto_version(tls->native_handle(), TLS1_2_VERSION);
  tls->set_options(ssl::context::default_workarounds | ssl::context::no_compression);
  if (options.insecure_skip_verify) {
    tls->set_verify_mode(ssl::verify_none);
    return tls;
  }
  tls->set_verify_mode(ssl::verify_peer);
  error_code ec;
  // The system store may be empty (a minimal container); then only ca_file can make TLS work,
  // and the handshake says "unable to get local issuer certificate".
  load_system_trust(tls->native_handle(), X509_get_default_cert_dir());
  if (!options.ca_file.empty()) {
    std::ifstream probe(options.ca_file);
    if (!probe) {
      return make_error(core::ErrorKind::kInvalidConfig,
                        "CA file " + options.ca_file + ": cannot be read");
    }
    tls->load_verify_file(options.ca_file, ec);
    if (ec) {
      return make_error(
          core::ErrorKind::kInvalidConfig,
          "CA file " + options.ca_file + ": no PEM certificate (" + ec.message() + ")");
    }
  }
  return tls;
}

}  // namespace

bool load_system_trust(SSL_CTX* context, const std::string& hash_dir) {
  if (names_default(X509_get_default_cert_file_env(), X509_get_default_cert_file()) &&
      names_default(X509_get_default_cert_dir_env(), hash_dir) && has_hash_links(hash_dir)) {
    return SSL_CTX_load_verify_dir(context, hash_dir.c_str()) == 1;
  }
  // OpenSSL's own defaults: the bundle file (whole, now) and the directory (per handshake);
  // SSL_CERT_FILE and SSL_CERT_DIR replace them.
  return SSL_CTX_set_default_verify_paths(context) == 1;
}

// Clients with the same trust settings share one OpenSSL context (SSL_CTX is safe to use from
// several threads once set up): each context parses its CA file (and, where the system store
// has no hashed directory, the system's whole bundle, about 1 MiB), and the daemon makes a
// client per purpose (ARM, DNS providers, probes, etcd, storage), again on
// every reload. Keyed by the settings and the identity (size, mtime) of the CA file and of
// the system bundle, so a changed file is loaded again; held weakly, so a context lives only
// as long as a client uses it.
core::Result<std::shared_ptr<ssl::context>> shared_tls_context(const HttpClientOptions& options) {
  static std::mutex mutex;
  static std::map<std::string, std::weak_ptr<ssl::context>> contexts;
  const std::string key = std::string(options.insecure_skip_verify ? "insecure" : "verify") + "\n" +
                          file_stamp(options.ca_file) + "\n" +
                          file_stamp(X509_get_default_cert_file());
  std::lock_guard lock(mutex);
  for (auto it = contexts.begin(); it != contexts.end();) {
    it = it->second.expired() ? contexts.erase(it) : std::next(it);
  }
  if (auto found = contexts.find(key); found != contexts.end()) {
    if (auto tls = found->second.lock()) return tls;
  }
  auto tls = make_tls_context(options);
  if (tls.ok()) contexts[key] = *tls;
  return tls;
}

core::Status prepare_tls_handshake(TlsStream& stream, const Url& url, bool insecure_skip_verify) {
  SSL* handle = stream.native_handle();
  // SNI carries names only; RFC 6066 §3 forbids IP literals in server_name.
  if (!url.ip_literal && SSL_set_tlsext_host_name(handle, url.host.c_str()) != 1) {
    return make_error(core::ErrorKind::kTls,
                      "TLS handshake with " + url.authority() + " failed: cannot set SNI");
  }
  // Chain verification (verify_peer, set on the context) proves the certificate is genuine;
  // host_name_verification proves it is for this host (DNS SAN, or IP SAN for literals).
  // On a mismatch it only returns false, which OpenSSL would report as "certificate verify
  // failed: ok"; recording the X509 error makes the message say what was wrong.
  // With insecure_skip_verify (verify_none on the context) there is nothing to check.
  if (!insecure_skip_verify) {
    stream.set_verify_callback([check = ssl::host_name_verification(url.host), ip = url.ip_literal](
                                   bool preverified, ssl::verify_context& context) {
      const bool ok = check(preverified, context);
      if (preverified && !ok) {
        X509_STORE_CTX_set_error(context.native_handle(), ip ? X509_V_ERR_IP_ADDRESS_MISMATCH
                                                             : X509_V_ERR_HOSTNAME_MISMATCH);
      }
      return ok;
    });
  }
  return {};
}

core::Error tls_handshake_error(const error_code& ec, TlsStream& stream, const Url& url,
                                const HttpClientOptions& options) {
  // A peer that hangs up mid-handshake is a connection failure, worth retrying; anything
  // OpenSSL rejected (certificate, protocol version, alert) is a TLS failure.
  // (stream_truncated, eof and resets are in other categories than OpenSSL's.)
  // Without verification the verify result is meaningless (OpenSSL still records it), so
  // it is left out of the message.
  const bool tls_failure = ec.category() == asio::error::get_ssl_category();
  const bool verified = tls_failure && !options.insecure_skip_verify;
  return make_error(
      tls_failure ? core::ErrorKind::kTls : core::ErrorKind::kTransient,
      "TLS handshake with " + url.authority() + " failed: " +
          tls_reason(ec, verified ? stream.native_handle() : nullptr, options.ca_file));
}

}  // namespace frankenetes::http::detail
