// YamlTree holds what YAML::Load() would, node for node and position for position, in a
// fraction of the memory; and it finds the position of a key path for messages.

#include "config/yaml_tree.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

namespace frankenetes::config {
namespace {

std::string where(const YAML::Mark& mark) {
  return std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

// Walks both and fails at the first difference; `depth` bounds aliases that refer to their own
// ancestors.
void expect_same(const YAML::Node& expected, const YamlTree& tree, YamlTree::Id id,
                 const std::string& path, int depth = 0) {
  ASSERT_LT(depth, 16) << path;
  SCOPED_TRACE(path);
  EXPECT_EQ(where(expected.Mark()), where(tree.mark(id)));
  switch (expected.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      EXPECT_EQ(tree.kind(id), YamlTree::Kind::kNull);
      return;
    case YAML::NodeType::Scalar:
      ASSERT_EQ(tree.kind(id), YamlTree::Kind::kScalar);
      EXPECT_EQ(std::string(tree.scalar(id)), expected.Scalar());
      return;
    case YAML::NodeType::Sequence: {
      ASSERT_EQ(tree.kind(id), YamlTree::Kind::kSequence);
      const auto items = tree.children(id);
      ASSERT_EQ(items.size(), expected.size());
      for (std::size_t i = 0; i < items.size(); ++i) {
        expect_same(expected[i], tree, items[i], path + "[" + std::to_string(i) + "]", depth + 1);
      }
      return;
    }
    case YAML::NodeType::Map: {
      ASSERT_EQ(tree.kind(id), YamlTree::Kind::kMap);
      const auto entries = tree.children(id);
      ASSERT_EQ(entries.size(), 2 * expected.size());
      std::size_t i = 0;
      for (auto it = expected.begin(); it != expected.end(); ++it, i += 2) {
        expect_same(it->first, tree, entries[i], path + "{key " + std::to_string(i / 2) + "}",
                    depth + 1);
        expect_same(it->second, tree, entries[i + 1],
                    path + "{value " + std::to_string(i / 2) + "}", depth + 1);
      }
      return;
    }
  }
}

class SameAsYamlLoad : public ::testing::TestWithParam<std::string> {};

TEST_P(SameAsYamlLoad, NodeForNode) {
  const auto document = YamlTree::parse_first_document(GetParam());
  expect_same(YAML::Load(GetParam()), document.tree, document.tree.root(), "root");
  EXPECT_FALSE(document.second.has_value());
}

INSTANTIATE_TEST_SUITE_P(
    Documents, SameAsYamlLoad,
    ::testing::Values(
        "a: 1\nb: two\n",
        "azure:\n  subscriptionId: x\nclusters:\n  - name: c1\n    members:\n      - {name: etcd, "
        "role: etcd}\n"
        "      - name: api\n        dependsOn: [etcd]\n",
        "plain: ~\nword: null\nquoted: \"null\"\nempty:\nlast: end\n",
        "- 1\n-\n- [a, [b, c], {d: e}]\n- ''\n",
        "base: &b {x: 1, y: [2, 3]}\ncopy: *b\nscalar: &s text\nagain: *s\n",
        "dup: 1\ndup: 2\n? [complex, key]\n: value\n",
        "folded: >\n  one\n  two\nliteral: |\n  three\n  four\n# a comment\nafter: \"esc\\tape\"\n",
        "123", "[]", "{}"));

TEST(YamlTree, EmptyStreamIsOneNullDocumentWithoutPosition) {
  const auto document = YamlTree::parse_first_document("");
  EXPECT_EQ(document.tree.kind(document.tree.root()), YamlTree::Kind::kNull);
  EXPECT_EQ(document.tree.mark(document.tree.root()).line, -1);
  EXPECT_FALSE(document.second.has_value());
}

TEST(YamlTree, SecondDocumentIsWhereItStarts) {
  const auto document = YamlTree::parse_first_document("a: 1\n---\nb: 2\n");
  ASSERT_TRUE(document.second.has_value());
  EXPECT_EQ(where(*document.second), "3:1");
  // An empty first document ends the stream, as in yaml-cpp's upstream fix of LoadAll().
  EXPECT_FALSE(YamlTree::parse_first_document("---\n---\nb: 2\n").second.has_value());
}

TEST(YamlTree, RejectsWhatYamlLoadRejects) {
  for (const std::string text : {"a: [1, 2", "a: *nowhere\n", "a: b: c\n", "]\n", "{a: 1"}) {
    EXPECT_THROW(YAML::Load(text), YAML::Exception) << text;
    EXPECT_THROW(YamlTree::parse_first_document(text), YAML::Exception) << text;
  }
}

TEST(YamlTree, AnAliasIsTheAnchoredNodeNotACopy) {
  const auto document = YamlTree::parse_first_document("a: &x [1, 2]\nb: *x\n");
  const auto entries = document.tree.children(document.tree.root());
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[1], entries[3]);
}

class Positions : public ::testing::Test {
 protected:
  const YamlTree tree = YamlTree::parse_first_document(
                            "clusters:\n"                    // 1
                            "  - name: c1\n"                 // 2
                            "    members:\n"                 // 3
                            "      - name: etcd\n"           // 4
                            "        dns: {name: a.b}\n"     // 5
                            "      - name: api\n"            // 6
                            "        probe:\n"               // 7
                            "dns:\n"                         // 8
                            "  providers:\n"                 // 9
                            "    corp.example: {type: x}\n"  // 10
                            "    corp: {type: y}\n")         // 11
                            .tree;

  std::string at(const std::string& path) {
    const auto found = tree.position(path);
    return where(found.mark) + (found.complete ? "" : " (ancestor)");
  }
};

TEST_F(Positions, FindsValuesThroughMapsAndLists) {
  EXPECT_EQ(at(""), "1:1");
  EXPECT_EQ(at("clusters"), "2:3");
  EXPECT_EQ(at("clusters[0].name"), "2:11");
  EXPECT_EQ(at("clusters[0].members[1].name"), "6:15");
  EXPECT_EQ(at("clusters[0].members[0].dns.name"), "5:21");
}

TEST_F(Positions, StopsAtTheDeepestValueThatExists) {
  EXPECT_EQ(at("clusters[0].members[5].name"), "4:7 (ancestor)");
  EXPECT_EQ(at("clusters[0].members[0].dns.ttl"), "5:14 (ancestor)");
  EXPECT_EQ(at("nothing.here"), "1:1 (ancestor)");
  EXPECT_EQ(at("clusters[x]"), "2:3 (ancestor)");
}

TEST_F(Positions, ANullValueStandsAtItsParent) {
  EXPECT_EQ(at("clusters[0].members[1].probe"), "6:9 (ancestor)");
}

TEST_F(Positions, KeysMayContainDots) {
  EXPECT_EQ(at("dns.providers.corp.example.type"), "10:26");
  EXPECT_EQ(at("dns.providers.corp.type"), "11:18");
}

}  // namespace
}  // namespace frankenetes::config
