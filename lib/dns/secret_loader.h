#pragma once
// Reads a config::SecretSource at the moment a provider needs the credential: the value given
// in the config, or the file's contents re-read on every call so a rotated token or TSIG key
// takes effect without a reload. Trailing whitespace (the newline editors add) is dropped.
// Files over core::kMaxSecretFileBytes (64 KiB) are refused. Errors never contain the secret.

#include <string_view>

#include "config/types.h"
#include "core/result.h"
#include "core/secret.h"

namespace frankenetes::dns {

// `what` names the secret in errors ("cloudflare 'cf' api token"). kInvalidConfig when the
// source is empty, the file is missing/unreadable/too large, or the secret is empty.
core::Result<core::Secret> load_secret(const config::SecretSource& source, std::string_view what);

}  // namespace frankenetes::dns
