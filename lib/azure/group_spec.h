#pragma once
// Container group specs (a member's `spec.file`): the ARM body that recreate PUTs. Read and
// validated when the configuration is loaded — at start, on SIGHUP and by --check-config — so
// a spec that is not valid JSON or not a container group is a configuration error with
// file:line:col before anything is deleted, never a surprise after a DELETE (issue: "a
// recreate that always finishes"). Used by the daemon's config loading; pure apart from
// reading the spec files.
//
// Checked (the shape "Container Groups - Create Or Update" needs): a JSON object with a string
// `location`; `properties.osType`; a non-empty `properties.containers[]` whose entries have a
// `name`, `properties.image` and `properties.resources.requests.{cpu,memoryInGB}` (numbers);
// every `volumeMounts[].name` names an entry of `properties.volumes[]`.

#include <string>
#include <string_view>
#include <vector>

#include "config/problem.h"
#include "config/types.h"
#include "core/result.h"
#include "model/container_group.h"

namespace frankenetes::azure {

// Validates one spec's text; `file` names it in the problems. On success the parsed view
// (containers with command, env and volume mounts; volumes) is returned.
core::Result<model::ContainerGroupView> parse_group_spec(
    std::string_view text, const std::string& file, std::vector<config::ConfigProblem>& problems);

// Reads every member's spec file and fills GroupSpecConfig::text and ::view. Returns every
// problem found (key paths like clusters[0].members[1].spec.file); the config must not be used
// when the list is not empty.
std::vector<config::ConfigProblem> load_group_specs(config::Config& config);

}  // namespace frankenetes::azure
