#include "config/yaml_tree.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include <charconv>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace frankenetes::config {

// Builds a YamlTree from one document's parser events; NodeBuilder's job in yaml-cpp.
class YamlTreeBuilder final : public YAML::EventHandler {
 public:
  explicit YamlTreeBuilder(YamlTree& tree) : tree_(tree) {}

  bool has_root() const { return has_root_; }

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    place(add(YamlTree::Kind::kNull, mark), anchor);
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    // The parser rejects an alias to an undefined anchor before it gets here.
    if (anchor >= anchors_.size())
      throw YAML::ParserException(mark, "the referenced anchor is not defined");
    place(anchors_[anchor], YAML::NullAnchor);
  }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                const std::string& value) override {
    const auto id = add(YamlTree::Kind::kScalar, mark);
    auto& node = tree_.nodes_[id];
    node.begin = checked_size(tree_.text_.size());
    node.size = checked_size(value.size());
    tree_.text_ += value;
    place(id, anchor);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(YamlTree::Kind::kSequence, mark, anchor);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(YamlTree::Kind::kMap, mark, anchor);
  }
  void OnMapEnd() override { close(); }

 private:
  struct Open {
    YamlTree::Id id;
    std::vector<YamlTree::Id> children;
  };

  static std::uint32_t checked_size(std::size_t n) {
    // The configuration is at most a few MB (kMaxConfigBytes); this guards the narrowing.
    if (n > std::numeric_limits<std::uint32_t>::max())
      throw std::length_error("YAML document too large");
    return static_cast<std::uint32_t>(n);
  }

  YamlTree::Id add(YamlTree::Kind kind, const YAML::Mark& mark) {
    tree_.nodes_.push_back(YamlTree::Node{kind, mark, 0, 0});
    return checked_size(tree_.nodes_.size() - 1);
  }

  void remember(YamlTree::Id id, YAML::anchor_t anchor) {
    if (anchor == YAML::NullAnchor) return;
    if (anchor >= anchors_.size()) anchors_.resize(anchor + 1, 0);
    anchors_[anchor] = id;
  }

  // A finished node (or an alias) becomes the root or its parent's next child.
  void place(YamlTree::Id id, YAML::anchor_t anchor) {
    remember(id, anchor);
    if (open_.empty()) {
      tree_.root_ = id;
      has_root_ = true;
    } else {
      open_.back().children.push_back(id);
    }
  }

  void open(YamlTree::Kind kind, const YAML::Mark& mark, YAML::anchor_t anchor) {
    const auto id = add(kind, mark);
    remember(id, anchor);  // before the children: an alias inside may refer to it, as in yaml-cpp
    open_.push_back(Open{id, {}});
  }

  void close() {
    auto done = std::move(open_.back());
    open_.pop_back();
    auto& node = tree_.nodes_[done.id];
    node.begin = checked_size(tree_.child_ids_.size());
    node.size = checked_size(done.children.size());
    tree_.child_ids_.insert(tree_.child_ids_.end(), done.children.begin(), done.children.end());
    if (open_.empty()) {
      tree_.root_ = done.id;
      has_root_ = true;
    } else {
      open_.back().children.push_back(done.id);
    }
  }

  YamlTree& tree_;
  std::vector<Open> open_;
  std::vector<YamlTree::Id> anchors_;
  bool has_root_ = false;
};

namespace {

// Where the root node of a document starts, from the parser's events.
class DocumentRoot final : public YAML::EventHandler {
 public:
  std::optional<YAML::Mark> mark;

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& m, YAML::anchor_t) override { root(m); }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t) override { root(m); }
  void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                const std::string&) override {
    root(m);
  }
  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    root(m);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    root(m);
  }
  void OnMapEnd() override {}

 private:
  void root(const YAML::Mark& m) {
    if (!mark) mark = m;
  }
};

}  // namespace

YamlTree::FirstDocument YamlTree::parse_first_document(std::string_view text) {
  FirstDocument out;
  std::istringstream in{std::string(text)};
  YAML::Parser parser(in);
  YamlTreeBuilder builder(out.tree);
  parser.HandleNextDocument(builder);
  if (!builder.has_root()) {
    // An empty stream: YAML::Load() answers a null node without a position.
    out.tree.nodes_.push_back(Node{Kind::kNull, YAML::Mark::null_mark(), 0, 0});
    out.tree.root_ = 0;
    return out;
  }
  // Like YAML::LoadAll() with upstream's fix: an empty first document ends the stream.
  if (out.tree.kind(out.tree.root_) == Kind::kNull) return out;
  DocumentRoot second;
  if (parser.HandleNextDocument(second)) out.second = second.mark;
  return out;
}

std::string_view YamlTree::scalar(Id id) const {
  const auto& node = nodes_[id];
  if (node.kind != Kind::kScalar) return {};
  return std::string_view(text_).substr(node.begin, node.size);
}

std::span<const YamlTree::Id> YamlTree::children(Id id) const {
  const auto& node = nodes_[id];
  if (node.kind != Kind::kSequence && node.kind != Kind::kMap) return {};
  return std::span<const Id>(child_ids_).subspan(node.begin, node.size);
}

YamlTree::Position YamlTree::position(std::string_view key_path) const {
  Id at = root_;
  std::string_view rest = key_path;
  while (!rest.empty()) {
    std::optional<Id> next;
    std::size_t used = 0;
    if (rest.front() == '[') {
      const auto close = rest.find(']');
      std::size_t index = 0;
      if (close != std::string_view::npos && kind(at) == Kind::kSequence) {
        const auto [ptr, ec] = std::from_chars(rest.data() + 1, rest.data() + close, index);
        const auto items = children(at);
        if (ec == std::errc() && ptr == rest.data() + close && index < items.size()) {
          next = items[index];
          used = close + 1;
        }
      }
    } else {
      const std::size_t skip = at != root_ && rest.front() == '.' ? 1 : 0;
      const auto key_and_rest = rest.substr(skip);
      if (kind(at) == Kind::kMap) {
        const auto entries = children(at);
        std::size_t best = 0;
        for (std::size_t i = 0; i + 1 < entries.size(); i += 2) {
          if (kind(entries[i]) != Kind::kScalar) continue;
          const auto key = scalar(entries[i]);
          const bool matches = key_and_rest.starts_with(key) &&
                               (key.size() == key_and_rest.size() ||
                                key_and_rest[key.size()] == '.' || key_and_rest[key.size()] == '[');
          // The longest key that fits, the first of equals (as the reader uses the first of
          // duplicate keys).
          if (matches && !key.empty() && (!next || key.size() > best)) {
            next = entries[i + 1];
            best = key.size();
          }
        }
        used = skip + best;
      }
    }
    // A null value has no position of its own worth showing: it stands at its parent's.
    if (!next || kind(*next) == Kind::kNull) return Position{mark(at), false};
    at = *next;
    rest.remove_prefix(used);
  }
  return Position{mark(at), true};
}

}  // namespace frankenetes::config
