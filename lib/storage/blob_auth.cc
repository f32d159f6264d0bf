#include "storage/blob_auth.h"

#include "storage/shared_key.h"

namespace frankenetes::storage {

core::Status SharedKeyAuthorizer::authorize(http::ClientRequest& request) {
  return sign_with_shared_key(account_, key_->current(), request);
}

core::Status BearerTokenAuthorizer::authorize(http::ClientRequest& request) {
  auto token = credential_.get_token(scope_);
  if (!token.ok()) {
    // The credential's own message explains the failure; it never contains a token.
    core::Error error = token.error();
    error.message = request.operation + ": no access token for Azure Storage (" +
                    credential_.name() + "): " + error.message;
    return error;
  }
  request.headers["Authorization"] = "Bearer " + token->token.reveal();
  return {};
}

core::Result<std::unique_ptr<BlobAuthorizer>> make_blob_authorizer(
    const config::StorageConfig& storage, azure::TokenCredential& credential) {
  if (storage.auth == config::StorageAuth::kAzure) {
    return std::unique_ptr<BlobAuthorizer>(std::make_unique<BearerTokenAuthorizer>(credential));
  }
  if (!storage.key) {
    return core::make_error(core::ErrorKind::kInvalidConfig,
                            "storage: Shared Key needs an account key (keyFile)");
  }
  auto key = AccountKey::create(*storage.key);
  if (!key.ok()) return key.error();
  return std::unique_ptr<BlobAuthorizer>(
      std::make_unique<SharedKeyAuthorizer>(storage.account, std::move(*key)));
}

}  // namespace frankenetes::storage
