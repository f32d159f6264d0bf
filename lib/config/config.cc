#include "config/config.h"

#include <yaml-cpp/exceptions.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "config/cross_checks.h"
#include "config/sections.h"
#include "config/yaml_reader.h"

namespace frankenetes::config {
namespace {

Config parse_document(const Node& root, const EnvLookup& env) {
  MapReader map(root);
  Config config;
  if (const auto azure = map.get("azure", Presence::kRequired)) config.azure = parse_azure(*azure);
  if (const auto clusters = map.get("clusters", Presence::kRequired)) {
    config.clusters = parse_clusters(*clusters, config.azure);
  }
  if (const auto dns = map.get("dns")) config.dns = parse_dns(*dns, config.azure);
  if (const auto policy = map.get("policy")) config.policy = parse_policy(*policy);
  if (const auto storage = map.get("storage")) {
    config.storage = parse_storage(*storage, config.azure);
  }
  // Snapshots default to on exactly when there is somewhere to put them.
  config.etcd.snapshots.enabled = config.storage.has_value();
  if (const auto etcd = map.get("etcd")) config.etcd = parse_etcd(*etcd, config.etcd);
  if (const auto coordination = map.get("coordination")) {
    config.coordination = parse_coordination(*coordination);
  }
  if (const auto server = map.get("server")) config.server = parse_server(*server);
  if (const auto log = map.get("log")) config.log = parse_log(*log);
  std::optional<std::string> state_directory;
  map.read_path("stateDirectory", state_directory);
  if (state_directory) {
    config.state_directory = *state_directory;
  } else if (const auto from_env = env(kStateDirectoryEnv); from_env && !from_env->empty()) {
    // systemd's StateDirectory= sets $STATE_DIRECTORY (colon-separated when several).
    config.state_directory = from_env->substr(0, from_env->find(':'));
  }
  map.finish();
  return config;
}

LoadResult whole_file_problem(const std::string& file_name, std::string message) {
  return LoadResult{std::nullopt, {ConfigProblem{file_name, 0, 0, "", std::move(message)}}};
}

// parse_config() with the directory for relative paths given separately from the name shown
// in messages, so that load_config_file() can resolve against an absolute directory.
LoadResult parse(std::string_view yaml_text, const std::string& file_name,
                 const std::string& base_dir, const EnvLookup& env) {
  if (yaml_text.size() > kMaxConfigBytes) {
    return whole_file_problem(file_name, "file is larger than the limit of " +
                                             std::to_string(kMaxConfigBytes) + " bytes");
  }
  ParseContext ctx(file_name, base_dir, env);
  YamlTree::FirstDocument document;
  try {
    document = YamlTree::parse_first_document(yaml_text);
  } catch (const YAML::Exception& e) {  // ParserException, and yaml-cpp's depth guard
    ctx.report(e.mark, "", "invalid YAML: " + e.msg);
    return LoadResult{std::nullopt, ctx.take_problems()};
  }
  const auto& tree = document.tree;
  if (tree.kind(tree.root()) == YamlTree::Kind::kNull) {
    ctx.report(YAML::Mark(), "",
               "configuration is empty: expected a map with \"azure\" and \"clusters\"");
    return LoadResult{std::nullopt, ctx.take_problems()};
  }
  if (document.second) ctx.report(*document.second, "", "only one YAML document is allowed");
  ctx.attach(tree);
  const Node root(ctx, tree.root(), "", tree.mark(tree.root()));
  const Config config = parse_document(root, env);
  check_cross_references(config, ctx);
  auto problems = ctx.take_problems();
  if (!problems.empty()) return LoadResult{std::nullopt, std::move(problems)};
  return LoadResult{config, {}};
}

}  // namespace

LoadResult parse_config(std::string_view yaml_text, const std::string& file_name,
                        const EnvLookup& env) {
  return parse(yaml_text, file_name, std::filesystem::path(file_name).parent_path().string(), env);
}

LoadResult load_config_file(const std::string& path, const EnvLookup& env) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return whole_file_problem(path, std::string("cannot read file: ") + std::strerror(errno));
  // Read at most one byte past the limit, so that parse() can tell "too large" without
  // reading it all, in chunks: memory grows with the file, not with the limit.
  std::string text;
  std::array<char, 64 * 1024> chunk{};
  while (text.size() <= kMaxConfigBytes && in) {
    const auto want = std::min(chunk.size(), kMaxConfigBytes + 1 - text.size());
    in.read(chunk.data(), static_cast<std::streamsize>(want));
    text.append(chunk.data(), static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad())
    return whole_file_problem(path, std::string("cannot read file: ") + std::strerror(errno));

  std::error_code error;
  const auto absolute = std::filesystem::absolute(path, error);
  const auto base_dir = error ? std::filesystem::path(path).parent_path() : absolute.parent_path();
  return parse(text, path, base_dir.string(), env);
}

}  // namespace frankenetes::config
