#pragma once
// Reads a small secret from a file: a client secret, a federated (projected service account)
// token or a static bearer token. Credentials call it on every token request, so a file that
// kubelet or an operator rotates is picked up without a restart. Errors name the file and
// what it was for, never its content.

#include <string>
#include <string_view>

#include "core/result.h"
#include "core/secret.h"

namespace frankenetes::azure {

// The file's content without surrounding whitespace (editors and `echo` add a newline).
// kInvalidConfig when the file is missing, unreadable, empty or larger than
// core::kMaxSecretFileBytes (core/small_file.h).
core::Result<core::Secret> read_secret_file(const std::string& path, std::string_view what);

}  // namespace frankenetes::azure
