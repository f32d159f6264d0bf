#pragma once
// YamlTree: one YAML document, read-only, held compactly (internal to lib/config).
//
// Why not YAML::Node: yaml-cpp's node graph costs about 430 bytes per node (shared pointers,
// a node_data with its own strings and containers). A configuration for 1000 clusters (1.3 MB
// of YAML, 140 000 nodes) took 60 MB to load, which set the daemon's peak memory. Here a node
// is 24 bytes in one vector, scalars live in one string, and children in one index vector:
// the same document takes a few MB.
//
// Built from yaml-cpp's own parser events (YAML::Parser + EventHandler, the way YAML::Load
// builds its nodes), so it accepts and rejects exactly what YAML::Load does, with the same
// positions; anchors are shared, not copied (an alias is the anchored node's id). Duplicate map
// keys are kept, in file order, for the reader to report.

#include <yaml-cpp/mark.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace frankenetes::config {

class YamlTree {
 public:
  using Id = std::uint32_t;
  enum class Kind : std::uint8_t { kNull, kScalar, kSequence, kMap };

  // The first document of `text` (an empty stream is one null document), and where a second
  // document starts, if there is one. Throws what YAML::Load() throws (YAML::ParserException).
  // Only the first two documents are looked at: yaml-cpp 0.7 (Debian 12) can loop for ever
  // producing null documents after a stray token (jbeder/yaml-cpp#1319).
  struct FirstDocument;
  static FirstDocument parse_first_document(std::string_view text);

  Id root() const { return root_; }
  Kind kind(Id id) const { return nodes_[id].kind; }
  const YAML::Mark& mark(Id id) const { return nodes_[id].mark; }
  // A scalar's text; "" for anything else.
  std::string_view scalar(Id id) const;
  // A sequence's items, or a map's keys and values interleaved (key, value, key, value, …).
  std::span<const Id> children(Id id) const;

  // Where the value at a key path ("clusters[2].members[0].dns.name") is: the deepest node on
  // the path that exists (a null map value or list item stands at its parent's position), and
  // whether the whole path was found. Map keys may themselves contain '.' or '['.
  struct Position {
    YAML::Mark mark;
    bool complete = false;
  };
  Position position(std::string_view key_path) const;

 private:
  friend class YamlTreeBuilder;
  struct Node {
    Kind kind = Kind::kNull;
    YAML::Mark mark;
    std::uint32_t begin = 0;  // into text_ (scalar) or child_ids_ (sequence, map)
    std::uint32_t size = 0;
  };

  std::vector<Node> nodes_;
  std::vector<Id> child_ids_;
  std::string text_;
  Id root_ = 0;
};

struct YamlTree::FirstDocument {
  YamlTree tree;
  std::optional<YAML::Mark> second;
};

}  // namespace frankenetes::config
