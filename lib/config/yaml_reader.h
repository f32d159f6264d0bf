#pragma once
// The YAML reading layer under the section parsers (internal to lib/config). It keeps track of
// where each value is (file position and key path), converts scalars to typed values, and turns
// everything that does not fit into a ConfigProblem instead of stopping, so one pass finds every
// problem. With it, a section parser is a short list of "read this key into that field" lines:
//
//   MapReader map(node);
//   map.read_duration("period", probe.period, kMinInterval);
//   map.read_string("url", probe.url, Presence::kRequired);
//   map.finish();  // unknown keys, with "did you mean"
//
// Conversions never throw and leave the target untouched when a key is absent or wrong, so a
// failed parse still yields a complete (if partly default) Config for the cross-checks to run
// on; parse_config() discards it when any problem was reported.

#include <yaml-cpp/mark.h>

#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/enums.h"
#include "config/env.h"
#include "config/problem.h"
#include "config/types.h"
#include "config/yaml_tree.h"

namespace frankenetes::config {

// Everything one parse shares: the problem list, the environment, the directory relative paths
// resolve against, and the document (positions of key paths, for checks that run after parsing).
class ParseContext {
 public:
  ParseContext(std::string file_name, std::string base_dir, const EnvLookup& env);

  void report(const YAML::Mark& mark, const std::string& key_path, std::string message);
  // At the position of `key_path` in the document, or of its closest ancestor there.
  void report_at(const std::string& key_path, std::string message);
  // The 1-based line of `key_path`'s value, or 0 when the document has no such value.
  int line_of(const std::string& key_path) const;

  // The document being read; set once it is parsed, before any Node is made.
  void attach(const YamlTree& tree) { tree_ = &tree; }
  const YamlTree& tree() const { return *tree_; }

  const EnvLookup& env() const { return env_; }
  // `path` unchanged when absolute, else joined to the config file's directory and normalised.
  std::string resolve_path(std::string_view path) const;

  // How many problems were reported so far: a check comparing two values runs only when
  // reading them added none, so that a bad value does not also cause a misleading second report.
  std::size_t problem_count() const { return problems_.size(); }

  // The problems, ordered by position (stable for equal positions).
  std::vector<ConfigProblem> take_problems();

 private:
  std::string file_name_;
  std::string base_dir_;
  const EnvLookup& env_;
  std::vector<ConfigProblem> problems_;
  const YamlTree* tree_ = nullptr;
};

enum class Presence { kOptional, kRequired };

// One YAML value and where it is. The typed accessors report what is wrong at the value's
// position and return nullopt; scalars have ${NAME} references expanded.
class Node {
 public:
  Node(ParseContext& ctx, YamlTree::Id id, std::string path, YAML::Mark mark);

  ParseContext& context() const { return *ctx_; }
  bool is_scalar() const { return kind() == YamlTree::Kind::kScalar; }
  bool is_list() const { return kind() == YamlTree::Kind::kSequence; }
  bool is_map() const { return kind() == YamlTree::Kind::kMap; }
  const std::string& path() const { return path_; }
  const YAML::Mark& mark() const { return mark_; }
  void report(std::string message) const;

  std::optional<std::string> as_string() const;  // non-empty
  std::optional<int> as_int(int min, int max) const;
  std::optional<bool> as_bool() const;
  // At least `min` and at most `max`; with a `max`, the message names the whole range.
  std::optional<Duration> as_duration(Duration min, Duration max = Duration::max()) const;
  std::optional<std::string> as_path() const;  // resolved against the config directory
  std::optional<HostPort> as_host_port(std::optional<std::uint16_t> default_port) const;
  std::vector<Node> as_list() const;  // empty (and reported) when not a list

  template <typename E, std::size_t N>
  std::optional<E> as_enum(const std::array<EnumName<E>, N>& names) const;

 private:
  // The scalar text with ${NAME} expanded; reports `expected` for maps and lists.
  std::optional<std::string> scalar(std::string_view expected) const;
  void report_invalid_enum(const std::string& value,
                           const std::vector<std::string_view>& names) const;

  YamlTree::Kind kind() const { return ctx_->tree().kind(id_); }
  friend class MapReader;

  ParseContext* ctx_;
  YamlTree::Id id_;
  std::string path_;
  YAML::Mark mark_;
};

// Reads one YAML map. Every key a get()/read_*() call asks for becomes known; finish() reports
// the keys nobody asked for. A node that is not a map is reported once and then reads as empty.
class MapReader {
 public:
  explicit MapReader(const Node& node);
  MapReader(const MapReader&) = delete;
  MapReader& operator=(const MapReader&) = delete;
  ~MapReader();

  const Node& node() const { return node_; }
  const std::string& path() const { return node_.path(); }
  std::string child_path(std::string_view key) const;
  ParseContext& context() const { return node_.context(); }
  void report(std::string message) const { node_.report(std::move(message)); }

  // The value under `key`, or nullopt when absent or null. kRequired also reports the absence.
  std::optional<Node> get(std::string_view key, Presence presence = Presence::kOptional);
  // Whether `key` has a non-null value; does not make the key known.
  bool has(std::string_view key) const;
  // All keys in file order, for maps whose keys are names (dns.providers).
  std::vector<std::string> keys() const;

  // Field readers: on absence or error, `out` keeps its (default) value.
  void read_string(std::string_view key, std::string& out, Presence presence = Presence::kOptional);
  void read_string(std::string_view key, std::optional<std::string>& out);
  void read_int(std::string_view key, int& out, int min, int max);
  void read_bool(std::string_view key, bool& out);
  void read_duration(std::string_view key, Duration& out, Duration min,
                     Duration max = Duration::max());
  void read_path(std::string_view key, std::string& out, Presence presence = Presence::kOptional);
  void read_path(std::string_view key, std::optional<std::string>& out);
  void read_string_list(std::string_view key, std::vector<std::string>& out);
  template <typename E, std::size_t N>
  void read_enum(std::string_view key, E& out, const std::array<EnumName<E>, N>& names,
                 Presence presence = Presence::kOptional);

  // A credential given either as `value_key: ${NAME}` or as `file_key: path`, never both and
  // never as an inline literal. With kRequired, one of the two must be present.
  std::optional<SecretSource> read_secret(std::string_view value_key, std::string_view file_key,
                                          Presence presence);

  // Reports every key no one asked for, with the closest known key as a suggestion.
  void finish();
  // Ends reading without the unknown-key check, for when the valid keys depend on a value that
  // was itself wrong (a DNS provider's `type`): listing "unknown" keys then would only mislead.
  void finish_without_key_check() { finished_ = true; }

 private:
  struct Entry {
    std::string_view key;  // into the document
    YAML::Mark key_mark;
    YamlTree::Id value;
  };
  const Entry* find(std::string_view key) const;

  Node node_;
  std::vector<Entry> entries_;
  std::vector<std::string> known_keys_;
  bool finished_ = false;
};

// Human wording of a YAML value for "got …" in messages: "\"three\"", "a map", "a list".
std::string describe_value(const YamlTree& tree, YamlTree::Id id);

template <typename E, std::size_t N>
std::optional<E> Node::as_enum(const std::array<EnumName<E>, N>& names) const {
  const auto text = scalar("a string");
  if (!text) return std::nullopt;
  std::vector<std::string_view> spellings;
  for (const auto& entry : names) {
    if (entry.name == *text) return entry.value;
    spellings.push_back(entry.name);
  }
  report_invalid_enum(*text, spellings);
  return std::nullopt;
}

template <typename E, std::size_t N>
void MapReader::read_enum(std::string_view key, E& out, const std::array<EnumName<E>, N>& names,
                          Presence presence) {
  if (const auto value = get(key, presence)) {
    if (const auto parsed = value->as_enum(names)) out = *parsed;
  }
}

}  // namespace frankenetes::config
