#include "azure/group_spec.h"

#include <set>

#include "azure/container_group_codec.h"
#include "azure/json_fields.h"
#include "core/small_file.h"

namespace frankenetes::azure {
namespace {

namespace jf = json_fields;
using jf::json;

// A container group definition is a few kilobytes; anything near this is not one.
constexpr std::size_t kMaxSpecBytes = 1024 * 1024;

// Line and column (1-based) of byte `offset` in `text`.
std::pair<int, int> line_column(std::string_view text, std::size_t offset) {
  int line = 1;
  int column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

class SpecChecker {
 public:
  SpecChecker(const std::string& file, std::vector<config::ConfigProblem>& problems)
      : file_(file), problems_(problems) {}

  void check(const json& doc) {
    if (!doc.is_object()) return problem("", "a container group spec must be a JSON object");
    if (!jf::optional_string(doc, "location")) problem("location", "required string is missing");
    const json* props = jf::object(doc, "properties");
    if (props == nullptr) return problem("properties", "required object is missing");
    if (!jf::optional_string(*props, "osType")) {
      problem("properties.osType", "required string is missing (Linux or Windows)");
    }
    std::set<std::string> volumes;
    if (const json* list = jf::member(*props, "volumes")) {
      if (!list->is_array()) {
        problem("properties.volumes", "must be an array");
      } else {
        for (std::size_t i = 0; i < list->size(); ++i) {
          if (auto name = jf::optional_string((*list)[i], "name")) {
            volumes.insert(*name);
          } else {
            problem("properties.volumes[" + std::to_string(i) + "].name", "required string is missing");
          }
        }
      }
    }
    const json* containers = jf::array(*props, "containers");
    if (containers == nullptr || containers->empty()) {
      return problem("properties.containers", "at least one container is required");
    }
    for (std::size_t i = 0; i < containers->size(); ++i) {
      check_container((*containers)[i], "properties.containers[" + std::to_string(i) + "]", volumes);
    }
  }

 private:
  void check_container(const json& c, const std::string& path, const std::set<std::string>& volumes) {
    if (!jf::optional_string(c, "name")) problem(path + ".name", "required string is missing");
    const json* props = jf::object(c, "properties");
    if (props == nullptr) return problem(path + ".properties", "required object is missing");
    if (!jf::optional_string(*props, "image")) {
      problem(path + ".properties.image", "required string is missing");
    }
    const json* resources = jf::object(*props, "resources");
    const json* requests = resources != nullptr ? jf::object(*resources, "requests") : nullptr;
    if (requests == nullptr) {
      problem(path + ".properties.resources.requests", "required object is missing");
    } else {
      for (const char* key : {"cpu", "memoryInGB"}) {
        const json* v = jf::member(*requests, key);
        if (v == nullptr || !v->is_number() || v->get<double>() <= 0) {
          problem(path + ".properties.resources.requests." + key, "must be a positive number");
        }
      }
    }
    if (const json* command = jf::member(*props, "command")) {
      bool strings = command->is_array();
      if (strings) {
        for (const auto& arg : *command) strings = strings && arg.is_string();
      }
      if (!strings) problem(path + ".properties.command", "must be an array of strings");
    }
    if (const json* mounts = jf::array(*props, "volumeMounts")) {
      for (std::size_t i = 0; i < mounts->size(); ++i) {
        const auto where = path + ".properties.volumeMounts[" + std::to_string(i) + "]";
        const auto name = jf::optional_string((*mounts)[i], "name");
        if (!name) {
          problem(where + ".name", "required string is missing");
        } else if (!volumes.contains(*name)) {
          problem(where + ".name", "names volume '" + *name + "', which properties.volumes does not define");
        }
        if (!jf::optional_string((*mounts)[i], "mountPath")) {
          problem(where + ".mountPath", "required string is missing");
        }
      }
    }
  }

  void problem(const std::string& json_path, std::string message) {
    // nlohmann keeps no source positions of values: the problem names the JSON path instead,
    // and the whole-file position (line 0) is not used so the editor still jumps to the file.
    problems_.push_back(config::ConfigProblem{file_, 1, 1, json_path, std::move(message)});
  }

  const std::string& file_;
  std::vector<config::ConfigProblem>& problems_;
};

}  // namespace

core::Result<model::ContainerGroupView> parse_group_spec(
    std::string_view text, const std::string& file, std::vector<config::ConfigProblem>& problems) {
  const auto before = problems.size();
  core::Error failed;
  failed.kind = core::ErrorKind::kInvalidConfig;
  failed.message = "invalid container group spec " + file;
  json doc;
  try {
    doc = json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    // e.byte is 1-based and points just past the offending character.
    const auto [line, column] = line_column(text, e.byte > 0 ? e.byte - 1 : 0);
    std::string what = e.what();
    if (const auto pos = what.find("parse error"); pos != std::string::npos) what = what.substr(pos);
    problems.push_back(config::ConfigProblem{file, line, column, "", "not valid JSON: " + what});
    return failed;
  }
  SpecChecker(file, problems).check(doc);
  if (problems.size() != before) return failed;
  auto view = parse_container_group_spec(text);
  if (!view.ok()) {
    problems.push_back(config::ConfigProblem{file, 1, 1, "", view.error().message});
    return failed;
  }
  return view;
}

std::vector<config::ConfigProblem> load_group_specs(config::Config& config) {
  std::vector<config::ConfigProblem> problems;
  for (std::size_t ci = 0; ci < config.clusters.size(); ++ci) {
    auto& cluster = config.clusters[ci];
    for (std::size_t mi = 0; mi < cluster.members.size(); ++mi) {
      auto& member = cluster.members[mi];
      if (!member.spec) continue;
      const std::string key = "clusters[" + std::to_string(ci) + "].members[" + std::to_string(mi) + "].spec.file";
      auto text = core::read_small_file(member.spec->file, kMaxSpecBytes, "spec file");
      if (!text.ok()) {
        problems.push_back(
            config::ConfigProblem{member.spec->file, 0, 0, key, text.error().message});
        continue;
      }
      auto view = parse_group_spec(*text, member.spec->file, problems);
      if (!view.ok()) continue;
      member.spec->text = std::move(text).value();
      member.spec->view = std::make_shared<const model::ContainerGroupView>(std::move(view).value());
    }
  }
  return problems;
}

}  // namespace frankenetes::azure
