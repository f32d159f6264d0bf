// The daemon's HTTP request handling without a socket: the input is what a client sent on one
// connection. It goes through the server's own steps (lib/http/detail/server_request.h: Beast's
// request parser with the server's header and body limits, the protocol error a failed read
// answers, the Request the handler sees) into the daemon's router (status::AdminRouter: health
// checks, /metrics, /status, the status page, the admin API with its bearer token), and the
// answer back through to_beast_response() and Beast's serializer. Keep-alive requests follow one
// another as on a real connection, at most 16 per input.
#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/write.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include "fuzz_support.h"
#include "http/detail/server_request.h"
#include "status/admin_router.h"

namespace {

using namespace frankenetes;
namespace bhttp = boost::beast::http;

std::shared_ptr<const status::StatusSnapshot> snapshot() {
  auto s = std::make_shared<status::StatusSnapshot>();
  s->generated_at = fuzz::FixedTime{}.system_time();
  s->build = {"0.1.0", "fuzz", "Debug"};
  status::PlanStatus plan;
  status::MemberStatus member;
  member.cluster = "prod";
  member.name = "etcd-0";
  member.role = "etcd";
  member.health = "healthy";
  plan.clusters.push_back({"prod", {member}});
  s->plan = plan;
  return s;
}

status::AdminRouter make_router() {
  status::AdminRouter::Endpoints endpoints;
  endpoints.liveness = {{"loop", [] { return status::CheckResult::pass(); }}};
  endpoints.readiness = {{"arm", [] { return status::CheckResult::fail("no answer yet"); }},
                         {"config", [] { return status::CheckResult::pass("loaded"); }}};
  endpoints.render_metrics = [] { return std::string("frankenetes_up 1\n"); };
  endpoints.metrics_content_type = "text/plain; version=0.0.4";
  endpoints.status = [] { return snapshot(); };
  endpoints.admin_token = [] { return std::optional<core::Secret>("fuzz-admin-token-0123456789"); };
  endpoints.run_admin = [](status::AdminCommand,
                           std::function<void(status::AdminCommandResult)> done) {
    done({200, "done"});
  };
  endpoints.on_auth_failure = [](const http::Request&, status::AuthOutcome) {};
  return status::AdminRouter(std::move(endpoints));
}

// What the server writes for `response`; HEAD answers carry the head only. Whatever a request
// made the router answer, a client must read back one well-formed response with that status
// (no header injected through a value that came from the request).
void write(http::Response response, unsigned version, bool keep_alive, bool head) {
  auto out =
      http::detail::to_beast_response(std::move(response), version, keep_alive, "frankenetes");
  std::ostringstream stream;
  if (head) {
    stream << out.base();
  } else {
    stream << out;
  }
  const std::string wire = stream.str();
  bhttp::response_parser<bhttp::string_body> client;
  client.body_limit(std::uint64_t{1} << 30);
  client.skip(head);
  client.eager(true);
  boost::system::error_code ec;
  const std::size_t used = client.put(boost::asio::buffer(wire), ec);
  if (!ec && !client.is_done()) client.put_eof(ec);
  if (ec || !client.is_done() || used != wire.size() ||
      client.get().result_int() != out.result_int()) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const status::AdminRouter router = make_router();
  // Small limits so that 413 and 431 are within reach of short inputs.
  http::ServerOptions options;
  options.max_header_bytes = 1024;
  options.max_body_bytes = 4096;

  std::string_view rest = fuzz::as_text(data, size);
  for (int requests = 0; requests < 16; ++requests) {
    http::detail::RequestParser parser;
    http::detail::limit_request_parser(parser, options);
    parser.eager(true);
    boost::system::error_code ec;
    // As Beast's read loop in the server: put() what has arrived; on need_more the server reads
    // more, and here nothing more comes, so the connection ends (put_eof once it began).
    while (!parser.is_done() && !ec) {
      std::size_t used = 0;
      if (!rest.empty()) {
        used = parser.put(boost::asio::buffer(rest.data(), rest.size()), ec);
        rest.remove_prefix(used);
      }
      if (ec == bhttp::error::need_more || (!ec && used == 0 && !parser.is_done())) {
        ec = {};
        if (!parser.got_some()) return 0;  // a clean close between requests
        parser.put_eof(ec);
        if (!ec && !parser.is_done()) std::abort();
      }
    }
    if (ec) {
      // Protocol errors are answered once and the connection closes; anything else just closes.
      if (auto error = http::detail::protocol_error_for(ec)) {
        write(http::Response::text(error->status, error->body), 11, false, false);
      }
      return 0;
    }
    auto& message = parser.get();
    const bool keep_alive = message.keep_alive();
    const bool head = message.method() == bhttp::verb::head;
    const unsigned version = message.version();
    auto request = http::detail::to_request(message, "127.0.0.1:40000");
    if (!request) {
      write(http::Response::text(400, "malformed request target\n"), 11, false, false);
      return 0;
    }
    std::optional<http::Response> answer;
    router.serve(*request, [&answer](http::Response r) { answer = std::move(r); });
    if (!answer) std::abort();  // every route answers at once here (run_admin is synchronous)
    write(std::move(*answer), version, keep_alive, head);
    if (!keep_alive || rest.empty()) return 0;
  }
  return 0;
}
