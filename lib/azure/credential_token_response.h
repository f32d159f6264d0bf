#pragma once
// Token endpoint answers, shared by every credential that talks HTTP (Entra ID v2.0 and IMDS):
// turns a response into an AccessToken or into a core::Error that names the credential and
// the tenant or endpoint but never a secret. Also the small protocol helpers the credentials
// share (scope → resource, form encoding, epoch values written as numbers or strings).
// Pure: no I/O, "now" is an argument.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "azure/token_credential.h"
#include "core/result.h"
#include "core/secret.h"
#include "core/time_source.h"
#include "http/message.h"

namespace frankenetes::azure {

// Who asked and where, for error messages. `secrets` are values that must never appear in a
// message even if the server echoes them back (client secret, client assertion).
struct TokenErrorContext {
  std::string credential;  // "client_secret", "workload_identity", "managed_identity", …
  std::string target;      // "tenant contoso.onmicrosoft.com" or "IMDS endpoint http://…"
  std::vector<const core::Secret*> secrets;
};

// Longest lifetime a token is believed to have. Entra access tokens live 60-90 minutes and
// managed-identity tokens up to 24 hours; a longer lifetime (or an expiry centuries away) is
// a broken server, and is capped — and logged — so the token is renewed within a day and no
// time point overflows.
inline constexpr std::chrono::hours kMaxTokenLifetime{24};

// A 2xx answer: {"access_token", "expires_in" | "expires_on", …}. Entra v2.0 writes the
// expiry as a number, IMDS as a decimal string (reference §3.1, §3.3); both are accepted.
// expires_in (relative to our clock) wins over expires_on (the server's clock). An expiry
// field of the wrong type, a non-positive expires_in or an expires_on not after `now` is an
// error naming the field; a lifetime beyond kMaxTokenLifetime is capped (log event
// azure.token.lifetime_clamped).
// Any other status: an error body {error, error_description, error_codes, trace_id, …}
// becomes an Error whose kind follows the HTTP status, azure_code is `error`
// ("invalid_client") and the message carries the AADSTS code.
core::Result<AccessToken> parse_token_response(const http::Response& response, core::SystemTime now,
                                               const TokenErrorContext& context);

// `seconds` since the epoch as a time point, saturated to a date in the 23rd century when
// core::SystemTime (nanoseconds) could not hold it; never overflows. For expiries read without
// a "now" to cap them against (the Azure CLI); CachingCredential caps them later.
core::SystemTime time_from_epoch_seconds(std::int64_t seconds);

// `expires_on` capped at now + kMaxTokenLifetime; `clamped` says whether the cap applied.
core::SystemTime cap_token_expiry(core::SystemTime now, core::SystemTime expires_on, bool& clamped);

// "https://management.azure.com/.default" → "https://management.azure.com" (the v1 resource
// IMDS and the Azure CLI expect). Other scopes come back unchanged.
std::string resource_for_scope(std::string_view scope);

// application/x-www-form-urlencoded body from ordered name/value pairs.
std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace frankenetes::azure
