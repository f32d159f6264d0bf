#pragma once
// BlobAuthorizer: how a Blob Storage request gets its Authorization header, called by
// BlobService (blob_service.h) last, when every other header is final.
//
//   SharedKeyAuthorizer    "SharedKey <account>:<HMAC>" with the account key (account_key.h,
//                          shared_key.h)
//   BearerTokenAuthorizer  "Bearer <token>" from the credential chain (azure/token_credential.h)
//                          for scope https://storage.azure.com/.default; the identity needs a
//                          Storage Blob Data role on the account. Put a ReauthorizingTransport
//                          (azure/credential_reauthorizing_transport.h) with the same scope under
//                          BlobService so a revoked token is replaced once after a 401.
//
// Neither the key nor a token ever appears in an Error or a log line.

#include <memory>
#include <string>

#include "azure/token_credential.h"
#include "config/types.h"
#include "core/result.h"
#include "http/transport.h"
#include "storage/account_key.h"

namespace frankenetes::storage {

// The Entra ID scope of Azure Storage, the same in every cloud.
inline constexpr std::string_view kStorageTokenScope = "https://storage.azure.com/.default";

class BlobAuthorizer {
 public:
  virtual ~BlobAuthorizer() = default;
  // Sets the Authorization header; the request must not change afterwards.
  virtual core::Status authorize(http::ClientRequest& request) = 0;
  // For logs: "shared_key" or "entra:<credential name>".
  virtual std::string name() const = 0;
};

class SharedKeyAuthorizer final : public BlobAuthorizer {
 public:
  SharedKeyAuthorizer(std::string account, std::unique_ptr<AccountKey> key)
      : account_(std::move(account)), key_(std::move(key)) {}

  core::Status authorize(http::ClientRequest& request) override;
  std::string name() const override { return "shared_key"; }

 private:
  const std::string account_;
  std::unique_ptr<AccountKey> key_;
};

class BearerTokenAuthorizer final : public BlobAuthorizer {
 public:
  explicit BearerTokenAuthorizer(azure::TokenCredential& credential,
                                 std::string scope = std::string(kStorageTokenScope))
      : credential_(credential), scope_(std::move(scope)) {}

  core::Status authorize(http::ClientRequest& request) override;
  std::string name() const override { return "entra:" + credential_.name(); }

 private:
  azure::TokenCredential& credential_;
  const std::string scope_;
};

// The authorizer the storage section asks for: Shared Key with its key (read now, so a missing
// or malformed key is a configuration error at start), or bearer tokens from `credential`,
// which must outlive the authorizer.
core::Result<std::unique_ptr<BlobAuthorizer>> make_blob_authorizer(
    const config::StorageConfig& storage, azure::TokenCredential& credential);

}  // namespace frankenetes::storage
