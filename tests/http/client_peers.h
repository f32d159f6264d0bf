#pragma once
// The peers the client tests (client_test.cc for HttpClient, async_client_test.cc for
// AsyncHttpClient) talk to: HttpServer options for a plain or TLS server on loopback, canned
// responses for ScriptedServer, scripts both clients must cope with alike, and the request
// they send. Test-only.

#include <atomic>
#include <chrono>
#include <string>

#include "http/certificates.h"
#include "http/scripted_server.h"
#include "http/server.h"
#include "http/server_harness.h"
#include "http/transport.h"

namespace frankenetes::http::testing {

inline std::string ok_response(const std::string& body, const std::string& extra_headers = "") {
  return "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
         extra_headers + "\r\n" + body;
}

inline ServerOptions plain_server() {
  ServerOptions options;
  options.listen = "127.0.0.1:0";
  return options;
}

inline ServerOptions tls_server(const GeneratedTls& tls) {
  ServerOptions options = plain_server();
  options.tls = TlsServerCredentials{tls.server_cert_pem, tls.server_key_pem};
  return options;
}

inline ClientRequest get(const std::string& url,
                         std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  ClientRequest request;
  request.url = url;
  request.timeout = timeout;
  request.operation = "test.get";
  return request;
}

inline std::string plain_url(const ServerHarness& harness, const std::string& target = "/") {
  return "http://127.0.0.1:" + std::to_string(harness.port()) + target;
}

// The race the pool cannot see: the server closes the kept-alive connection after our second
// request reached it but before it answered (as a server whose idle timeout fires just then
// does). Later connections answer "from-<index>".
inline ScriptedServer::Script closes_second_request_unanswered(std::atomic<int>& requests) {
  return [&requests](ScriptedConnection& c, int index) {
    for (;;) {
      const std::string request = c.read_request();
      if (request.empty()) return;
      ++requests;
      if (index == 0 && requests == 2) return c.close();
      c.write(ok_response("from-" + std::to_string(index)));
    }
  };
}

}  // namespace frankenetes::http::testing
