#include "azure/credential_reauthorizing_transport.h"

#include <string_view>
#include <utility>

#include "log/event.h"

namespace frankenetes::azure {
namespace {

constexpr std::string_view kBearer = "Bearer ";

}  // namespace

ReauthorizingTransport::ReauthorizingTransport(http::HttpTransport& inner,
                                               TokenCredential& credential, std::string scope)
    : inner_(inner), credential_(credential), scope_(std::move(scope)) {}

core::Result<http::Response> ReauthorizingTransport::send(const http::ClientRequest& request) {
  auto first = inner_.send(request);
  if (!first.ok() || first->status != 401) return first;
  const auto header = request.headers.find("Authorization");
  if (header == request.headers.end() || !header->second.starts_with(kBearer)) return first;

  const core::Secret refused(header->second.substr(kBearer.size()));
  credential_.invalidate(scope_, refused);
  auto fresh = credential_.get_token(scope_);
  if (!fresh.ok()) {
    // The 401 is the better answer for the caller; the credential's failure is logged here
    // and will be the next request's error.
    log::warn("azure.token.rejected", {{"operation", request.operation},
                                       {"credential", credential_.name()},
                                       {"action", "no retry: getting a new token failed"},
                                       {"error", fresh.error().describe()}});
    return first;
  }
  if (fresh->token == refused) {
    log::warn("azure.token.rejected", {{"operation", request.operation},
                                       {"credential", credential_.name()},
                                       {"action", "no retry: the credential has no other token"}});
    return first;
  }
  log::warn("azure.token.rejected", {{"operation", request.operation},
                                     {"credential", credential_.name()},
                                     {"action", "retrying once with a new token"}});
  http::ClientRequest again = request;
  again.headers["Authorization"] = std::string(kBearer) + fresh->token.reveal();
  return inner_.send(again);
}

}  // namespace frankenetes::azure
