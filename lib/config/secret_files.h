#pragma once
// The files a configuration names that hold a secret, each with the key that names it, for
// the daemon's check that no one but its own user can read them (daemon/configuration.h).
// Pure: it lists paths, it does not look at them.

#include <string>
#include <vector>

#include "config/types.h"

namespace frankenetes::config {

struct SecretFile {
  std::string key;   // "storage.keyFile", "dns.providers.bind.tsig.secretFile", …
  std::string path;  // as resolved at load (relative to the config file's directory)

  bool operator==(const SecretFile&) const = default;
};

// azure.auth, dns.providers (by name), storage, server. Not the workload identity's
// federatedTokenFile: kubelet writes that short-lived token with a projected volume's mode
// (0644 by default), which is not the operator's to fix.
std::vector<SecretFile> secret_files(const Config& config);

}  // namespace frankenetes::config
