#pragma once
// Checks that relate values read in different places (internal to lib/config): unique names,
// dependsOn references and cycles, members' DNS records against dns.providers, etcd
// snapshots and coordination against the storage section, and the admin API against a
// plain-HTTP listener that is not loopback. They run on the typed Config after every section
// was read, and find the file position of what they report through the key paths the ParseContext
// recorded while reading.

#include "config/types.h"
#include "config/yaml_reader.h"

namespace frankenetes::config {

void check_cross_references(const Config& config, ParseContext& ctx);

}  // namespace frankenetes::config
