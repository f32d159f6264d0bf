#pragma once
// ReauthorizingTransport: an HttpTransport decorator for the clients that send a bearer token
// from a TokenCredential (AciClient, AzureDnsProvider). A 401 to a request that carried
// "Authorization: Bearer <t>" means the service no longer accepts <t> although our cache still
// thinks it valid (revoked, rotated, expired early, clock skew; ARM says
// InvalidAuthenticationToken / ExpiredAuthenticationToken, reference §2.1). It tells the
// credential to forget <t> (TokenCredential::invalidate), asks it again and, when that yields
// a different token, sends the request once more with it.
//
// One retry, never a loop: the second answer is returned as it is, 401 or not. The first 401
// is returned unchanged when the request had no bearer token, when the credential fails, or
// when it hands back the same token (a static token file nobody rotated). Retrying a POST is
// safe here: a 401 means the request was refused before it did anything.
//
// Sits above the retrying stack, so the resend is throttled and budgeted like any request:
//   AciClient / AzureDnsProvider -> ReauthorizingTransport -> StopAwareTransport
//                                -> RetryingTransport -> ObservingTransport -> HttpClient
// Logs azure.token.rejected (warn) once per refused token. The token never appears anywhere.

#include <string>

#include "azure/token_credential.h"
#include "http/transport.h"

namespace frankenetes::azure {

class ReauthorizingTransport final : public http::HttpTransport {
 public:
  // `scope`: the one scope the clients above ask tokens for (the resource manager's).
  ReauthorizingTransport(http::HttpTransport& inner, TokenCredential& credential,
                         std::string scope);

  core::Result<http::Response> send(const http::ClientRequest& request) override;

 private:
  http::HttpTransport& inner_;
  TokenCredential& credential_;
  const std::string scope_;
};

}  // namespace frankenetes::azure
