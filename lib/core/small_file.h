#pragma once
// read_small_file: the one way a file an operator names (a container group spec, a secret, a
// credential) is read whole. Bounded, so a wrong path (a log, a device, /dev/zero) is refused
// instead of filling memory; errors are kInvalidConfig (the operator must fix the path or the
// file) and name the file, never its content. Not for the state directory (state_store) or
// /proc, which have their own readers.

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.h"

namespace frankenetes::core {

// Tokens, client secrets and TSIG keys are a few KiB at most; anything much larger is the
// wrong file.
inline constexpr std::size_t kMaxSecretFileBytes = std::size_t{64} * 1024;

// The file's bytes, or an Error "cannot read <what> <path>: <reason>" or "<what> <path> is
// larger than <max_bytes>" (sizes read "64 KiB", "1 MiB"). `what` says what the file is for
// ("spec file", "client secret file").
Result<std::string> read_small_file(const std::string& path, std::size_t max_bytes,
                                    std::string_view what = "file");

}  // namespace frankenetes::core
