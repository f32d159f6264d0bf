#include "config/yaml_reader.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <filesystem>

#include "config/value_syntax.h"
#include "core/duration.h"
#include "core/strings.h"

namespace frankenetes::config {
namespace {

std::string in_quotes(std::string_view text) { return "\"" + std::string(text) + "\""; }

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

}  // namespace

std::string describe_value(const YamlTree& tree, YamlTree::Id id) {
  constexpr std::size_t kMaxShown = 60;
  switch (tree.kind(id)) {
    case YamlTree::Kind::kMap:
      return "a map";
    case YamlTree::Kind::kSequence:
      return "a list";
    case YamlTree::Kind::kScalar: {
      const auto text = tree.scalar(id);
      return in_quotes(text.size() <= kMaxShown ? std::string(text)
                                                : std::string(text.substr(0, kMaxShown)) + "...");
    }
    case YamlTree::Kind::kNull:
      return "nothing";
  }
  return "nothing";
}

// --- ParseContext ---

ParseContext::ParseContext(std::string file_name, std::string base_dir, const EnvLookup& env)
    : file_name_(std::move(file_name)), base_dir_(std::move(base_dir)), env_(env) {}

void ParseContext::report(const YAML::Mark& mark, const std::string& key_path,
                          std::string message) {
  // yaml-cpp marks are 0-based, and -1 for nodes that have no position (an empty document).
  problems_.push_back(ConfigProblem{file_name_, std::max(mark.line, 0) + 1,
                                    std::max(mark.column, 0) + 1, key_path, std::move(message)});
}

void ParseContext::report_at(const std::string& key_path, std::string message) {
  report(tree_ ? tree_->position(key_path).mark : YAML::Mark(), key_path, std::move(message));
}

int ParseContext::line_of(const std::string& key_path) const {
  if (!tree_) return 0;
  const auto found = tree_->position(key_path);
  return found.complete ? std::max(found.mark.line, 0) + 1 : 0;
}

std::string ParseContext::resolve_path(std::string_view path) const {
  const std::filesystem::path given(path);
  if (given.is_absolute() || base_dir_.empty()) return given.lexically_normal().string();
  return (std::filesystem::path(base_dir_) / given).lexically_normal().string();
}

std::vector<ConfigProblem> ParseContext::take_problems() {
  std::stable_sort(problems_.begin(), problems_.end(), [](const auto& a, const auto& b) {
    return std::tie(a.line, a.column) < std::tie(b.line, b.column);
  });
  return std::move(problems_);
}

// --- Node ---

Node::Node(ParseContext& ctx, YamlTree::Id id, std::string path, YAML::Mark mark)
    : ctx_(&ctx), id_(id), path_(std::move(path)), mark_(mark) {}

void Node::report(std::string message) const { ctx_->report(mark_, path_, std::move(message)); }

std::optional<std::string> Node::scalar(std::string_view expected) const {
  if (!is_scalar()) {
    report("expected " + std::string(expected) + ", got " + describe_value(ctx_->tree(), id_));
    return std::nullopt;
  }
  auto expanded = expand_env_references(ctx_->tree().scalar(id_), ctx_->env());
  if (!expanded.ok()) {
    report(expanded.error().message);
    return std::nullopt;
  }
  return std::move(expanded).value();
}

std::optional<std::string> Node::as_string() const {
  auto text = scalar("a string");
  if (text && text->empty()) {
    report("must not be empty");
    return std::nullopt;
  }
  return text;
}

std::optional<int> Node::as_int(int min, int max) const {
  const auto text = scalar("an integer");
  if (!text) return std::nullopt;
  long long value = 0;
  const auto* end = text->data() + text->size();
  const auto [ptr, ec] = std::from_chars(text->data(), end, value);
  if (text->empty() || ptr != end || (ec != std::errc() && ec != std::errc::result_out_of_range)) {
    report("expected an integer, got " + in_quotes(*text));
    return std::nullopt;
  }
  if (ec == std::errc::result_out_of_range || value < min || value > max) {
    report("must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " +
           *text);
    return std::nullopt;
  }
  return static_cast<int>(value);
}

std::optional<bool> Node::as_bool() const {
  const auto text = scalar("true or false");
  if (!text) return std::nullopt;
  // The YAML 1.2 core schema's spellings; "yes"/"on" are YAML 1.1 surprises we do not accept.
  if (*text == "true" || *text == "True" || *text == "TRUE") return true;
  if (*text == "false" || *text == "False" || *text == "FALSE") return false;
  report("expected true or false, got " + in_quotes(*text));
  return std::nullopt;
}

std::optional<Duration> Node::as_duration(Duration min, Duration max) const {
  const auto text = scalar("a duration");
  if (!text) return std::nullopt;
  const auto value = core::parse_duration(*text);
  if (!value) {
    report("invalid duration " + in_quotes(*text) +
           ": use a number with a unit: ms, s, m, h (e.g. 500ms, 10s, 5m)");
    return std::nullopt;
  }
  if (max != Duration::max() && (*value < min || *value > max)) {
    report("must be between " + core::format_duration(min) + " and " + core::format_duration(max) +
           ", got " + *text);
    return std::nullopt;
  }
  if (*value < min) {
    report("must be at least " + core::format_duration(min) + ", got " + *text);
    return std::nullopt;
  }
  return value;
}

std::optional<std::string> Node::as_path() const {
  const auto text = as_string();
  if (!text) return std::nullopt;
  return ctx_->resolve_path(*text);
}

std::optional<HostPort> Node::as_host_port(std::optional<std::uint16_t> default_port) const {
  const auto text = as_string();
  if (!text) return std::nullopt;
  auto parsed = parse_host_port(*text, default_port);
  if (!parsed) {
    report("invalid address " + in_quotes(*text) +
           (default_port
                ? ": use host or host:port (port defaults to " + std::to_string(*default_port) + ")"
                : ": use host:port (e.g. 127.0.0.1:9720)"));
  }
  return parsed;
}

std::vector<Node> Node::as_list() const {
  std::vector<Node> items;
  const auto& tree = ctx_->tree();
  if (!is_list()) {
    report("expected a list, got " + describe_value(tree, id_));
    return items;
  }
  for (const auto item : tree.children(id_)) {
    items.emplace_back(*ctx_, item, path_ + "[" + std::to_string(items.size()) + "]",
                       tree.kind(item) == YamlTree::Kind::kNull ? mark_ : tree.mark(item));
  }
  return items;
}

void Node::report_invalid_enum(const std::string& value,
                               const std::vector<std::string_view>& names) const {
  std::string list;
  for (const auto name : names) list += (list.empty() ? "" : ", ") + std::string(name);
  report("invalid value " + in_quotes(value) + " (expected one of: " + list + ")");
}

// --- MapReader ---

MapReader::MapReader(const Node& node) : node_(node) {
  const auto& tree = context().tree();
  if (!node_.is_map()) {
    node_.report("expected a map, got " + describe_value(tree, node_.id_));
    return;
  }
  const auto children = tree.children(node_.id_);
  for (std::size_t i = 0; i + 1 < children.size(); i += 2) {
    const auto key_node = children[i];
    if (tree.kind(key_node) != YamlTree::Kind::kScalar) {
      context().report(tree.mark(key_node), path(), "keys must be plain strings");
      continue;
    }
    const auto key = tree.scalar(key_node);
    if (const auto* first = find(key)) {
      context().report(tree.mark(key_node), path(),
                       "duplicate key " + in_quotes(key) + " (first at line " +
                           std::to_string(first->key_mark.line + 1) + ")");
      continue;
    }
    entries_.push_back(Entry{key, tree.mark(key_node), children[i + 1]});
  }
}

MapReader::~MapReader() { assert(finished_ && "MapReader::finish() not called"); }

std::string MapReader::child_path(std::string_view key) const {
  return path().empty() ? std::string(key) : path() + "." + std::string(key);
}

const MapReader::Entry* MapReader::find(std::string_view key) const {
  const auto it = std::find_if(entries_.begin(), entries_.end(),
                               [&](const Entry& entry) { return entry.key == key; });
  return it == entries_.end() ? nullptr : &*it;
}

std::optional<Node> MapReader::get(std::string_view key, Presence presence) {
  if (std::find(known_keys_.begin(), known_keys_.end(), key) == known_keys_.end()) {
    known_keys_.emplace_back(key);
  }
  const auto* entry = find(key);
  const bool required = presence == Presence::kRequired;
  if (entry == nullptr) {
    // A node that is not a map was reported already; its keys are not "missing" as well.
    if (required && node_.is_map()) report("missing required key " + in_quotes(key));
    return std::nullopt;
  }
  const auto& tree = context().tree();
  if (tree.kind(entry->value) == YamlTree::Kind::kNull) {
    if (required) {
      context().report(entry->key_mark, child_path(key),
                       "required key " + in_quotes(key) + " has no value");
    }
    return std::nullopt;
  }
  return Node(context(), entry->value, child_path(key), tree.mark(entry->value));
}

bool MapReader::has(std::string_view key) const {
  const auto* entry = find(key);
  return entry != nullptr && context().tree().kind(entry->value) != YamlTree::Kind::kNull;
}

std::vector<std::string> MapReader::keys() const {
  std::vector<std::string> out;
  for (const auto& entry : entries_) out.emplace_back(entry.key);
  return out;
}

void MapReader::read_string(std::string_view key, std::string& out, Presence presence) {
  if (const auto value = get(key, presence)) {
    if (auto text = value->as_string()) out = std::move(*text);
  }
}

void MapReader::read_string(std::string_view key, std::optional<std::string>& out) {
  if (const auto value = get(key)) {
    if (auto text = value->as_string()) out = std::move(*text);
  }
}

void MapReader::read_int(std::string_view key, int& out, int min, int max) {
  if (const auto value = get(key)) {
    if (const auto number = value->as_int(min, max)) out = *number;
  }
}

void MapReader::read_bool(std::string_view key, bool& out) {
  if (const auto value = get(key)) {
    if (const auto flag = value->as_bool()) out = *flag;
  }
}

void MapReader::read_duration(std::string_view key, Duration& out, Duration min, Duration max) {
  if (const auto value = get(key)) {
    if (const auto duration = value->as_duration(min, max)) out = *duration;
  }
}

void MapReader::read_path(std::string_view key, std::string& out, Presence presence) {
  if (const auto value = get(key, presence)) {
    if (auto resolved = value->as_path()) out = std::move(*resolved);
  }
}

void MapReader::read_path(std::string_view key, std::optional<std::string>& out) {
  if (const auto value = get(key)) {
    if (auto resolved = value->as_path()) out = std::move(*resolved);
  }
}

void MapReader::read_string_list(std::string_view key, std::vector<std::string>& out) {
  if (const auto value = get(key)) {
    for (const auto& item : value->as_list()) {
      if (auto text = item.as_string()) out.push_back(std::move(*text));
    }
  }
}

std::optional<SecretSource> MapReader::read_secret(std::string_view value_key,
                                                   std::string_view file_key, Presence presence) {
  const auto value = get(value_key);
  const auto file = get(file_key);
  if (value && file) {
    file->report("set either " + in_quotes(value_key) + " or " + in_quotes(file_key) +
                 ", not both");
    return std::nullopt;
  }
  if (file) {
    auto resolved = file->as_path();
    if (!resolved) return std::nullopt;
    return SecretSource{std::nullopt, std::move(*resolved)};
  }
  if (!value) {
    if (presence == Presence::kRequired && node_.is_map()) {
      report("missing required key " + in_quotes(file_key) + " or " + in_quotes(value_key));
    }
    return std::nullopt;
  }
  // Never quote the value in a message: it may be the secret itself.
  if (!value->is_scalar()) {
    value->report("expected a string, got " + describe_value(context().tree(), value->id_));
    return std::nullopt;
  }
  const auto name = env_reference_name(context().tree().scalar(value->id_));
  if (!name) {
    value->report("inline secret not allowed: put it in a file and use " + in_quotes(file_key) +
                  ", or reference an environment variable as \"${NAME}\"");
    return std::nullopt;
  }
  const auto resolved = context().env()(*name);
  if (!resolved || resolved->empty()) {
    value->report("environment variable " + in_quotes(*name) +
                  (resolved ? " is empty" : " is not set"));
    return std::nullopt;
  }
  return SecretSource{core::Secret(*resolved), std::nullopt};
}

void MapReader::finish() {
  finished_ = true;
  for (const auto& entry : entries_) {
    if (std::find(known_keys_.begin(), known_keys_.end(), entry.key) != known_keys_.end()) continue;
    const auto suggestion = core::closest_match(entry.key, known_keys_);
    context().report(entry.key_mark, path(),
                     "unknown key " + in_quotes(entry.key) +
                         (suggestion.empty() ? " (valid keys: " + join(known_keys_) + ")"
                                             : " (did you mean " + in_quotes(suggestion) + "?)"));
  }
}

}  // namespace frankenetes::config
