#pragma once
// YAML → JSON conversion for scenario files: container-group specs are written in YAML that
// mirrors the ACI JSON body, and fault actions mirror control-API JSON. Plain scalars are
// typed the YAML 1.2 core-schema way (null, bool, int, float, else string); quoted scalars
// stay strings. Used by the scenario parser only.

#include <nlohmann/json.hpp>
#include <string>

namespace YAML {
class Node;
}

namespace frankenetes::sim {

nlohmann::json yaml_to_json(const YAML::Node& node);

// "file:line:col" (1-based) of a node, for error messages.
std::string yaml_location(const std::string& file, const YAML::Node& node);

}  // namespace frankenetes::sim
