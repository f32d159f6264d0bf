#include "status/series_family.h"

#include <gtest/gtest.h>

#include <limits>
#include <map>
#include <random>
#include <stdexcept>
#include <string>

namespace frankenetes::status {
namespace {

std::string rendered(const SeriesFamily& family) {
  std::string out;
  family.render(out);
  return out;
}

TEST(SeriesFamily, RendersHelpTypeAndOneLinePerSeriesInLabelOrder) {
  SeriesFamily up("frankenetes_member_up", "1 when up.", SeriesFamily::Type::kGauge,
                  {"cluster", "member"});
  up.set({"prod", "etcd"}, 1);
  up.set({"dev", "etcd"}, 0);
  up.set({"prod", "apiserver"}, 0.25);
  EXPECT_EQ(rendered(up),
            "# HELP frankenetes_member_up 1 when up.\n"
            "# TYPE frankenetes_member_up gauge\n"
            "frankenetes_member_up{cluster=\"dev\",member=\"etcd\"} 0\n"
            "frankenetes_member_up{cluster=\"prod\",member=\"apiserver\"} 0.25\n"
            "frankenetes_member_up{cluster=\"prod\",member=\"etcd\"} 1\n");
}

TEST(SeriesFamily, AnEmptyFamilyStillDeclaresItself) {
  SeriesFamily family("x_total", "Things.", SeriesFamily::Type::kCounter, {"cluster"});
  EXPECT_EQ(rendered(family), "# HELP x_total Things.\n# TYPE x_total counter\n");
}

TEST(SeriesFamily, CountersStartAtZeroAndNeverGoDown) {
  SeriesFamily skips("skips_total", "Skips.", SeriesFamily::Type::kCounter,
                     {"cluster", "member", "reason"});
  skips.add({"prod", "etcd", "backoff"}, 0);
  EXPECT_EQ(skips.value({"prod", "etcd", "backoff"}), 0.0);
  skips.add({"prod", "etcd", "backoff"});
  skips.add({"prod", "etcd", "backoff"}, 2);
  skips.add({"prod", "etcd", "backoff"}, -5);
  EXPECT_EQ(skips.value({"prod", "etcd", "backoff"}), 3.0);
  EXPECT_EQ(skips.value({"prod", "etcd", "paused"}), std::nullopt);
  EXPECT_EQ(skips.size(), 1u);
}

TEST(SeriesFamily, RemoveDropsOnlyThatSeries) {
  SeriesFamily up("up", "Up.", SeriesFamily::Type::kGauge, {"cluster", "member"});
  up.set({"prod", "etcd"}, 1);
  up.set({"prod", "apiserver"}, 1);
  up.remove({"prod", "etcd"});
  up.remove({"prod", "never-there"});
  EXPECT_EQ(up.value({"prod", "etcd"}), std::nullopt);
  EXPECT_EQ(up.value({"prod", "apiserver"}), 1.0);
  EXPECT_EQ(rendered(up).find("etcd"), std::string::npos);
}

// Random updates and removals (enough removals to compact the label text several times)
// against a std::map that does the same: values, sizes and the rendered text always agree.
TEST(SeriesFamily, BehavesLikeAMapThroughUpdatesRemovalsAndCompactions) {
  SeriesFamily family("f", "F.", SeriesFamily::Type::kGauge, {"cluster", "member"});
  std::map<std::pair<std::string, std::string>, double> model;
  std::mt19937 random(12);
  const auto name = [&random](const char* prefix) {
    return prefix + std::to_string(random() % 300);
  };
  for (int step = 0; step < 20000; ++step) {
    const std::string cluster = name("cluster-with-a-long-name-"), member = name("m");
    switch (random() % 3) {
      case 0:
        family.set({cluster, member}, step);
        model[{cluster, member}] = step;
        break;
      case 1:
        family.add({cluster, member}, 2);
        model[{cluster, member}] += 2;
        break;
      default:
        family.remove({cluster, member});
        model.erase({cluster, member});
    }
    if (step % 1000 == 0) {
      ASSERT_EQ(family.size(), model.size()) << "step " << step;
    }
  }
  std::string expected = "# HELP f F.\n# TYPE f gauge\n";
  std::map<std::string, double> by_labels;
  for (const auto& [key, value] : model) {
    by_labels["cluster=\"" + key.first + "\",member=\"" + key.second + "\""] = value;
    EXPECT_EQ(family.value({key.first, key.second}), value);
  }
  for (const auto& [labels, value] : by_labels) {
    expected += "f{" + labels + "} ";
    append_sample_value(expected, value);
    expected += "\n";
  }
  EXPECT_EQ(rendered(family), expected);
}

TEST(SeriesFamily, AFamilyWithoutLabelsHasOneSeries) {
  SeriesFamily family("g", "G.", SeriesFamily::Type::kGauge, {});
  family.set({}, 2);
  family.set({}, 3);
  EXPECT_EQ(rendered(family), "# HELP g G.\n# TYPE g gauge\ng 3\n");
}

TEST(SeriesFamily, EscapesLabelValuesAndHelp) {
  SeriesFamily family("f", "A \\ and\na newline.", SeriesFamily::Type::kGauge, {"cluster"});
  family.set({"we\"ird\\name\n"}, 1);
  EXPECT_EQ(rendered(family),
            "# HELP f A \\\\ and\\na newline.\n"
            "# TYPE f gauge\n"
            "f{cluster=\"we\\\"ird\\\\name\\n\"} 1\n");
}

TEST(SeriesFamily, LabelValuesAreNotConfusedAcrossPositions) {
  // ("a,b", "c") and ("a", "b,c") must be two series.
  SeriesFamily family("f", "F.", SeriesFamily::Type::kGauge, {"cluster", "member"});
  family.set({"a\",member=\"b", "c"}, 1);
  family.set({"a", "b\",member=\"c"}, 2);
  EXPECT_EQ(family.size(), 2u);
}

TEST(SeriesFamily, RefusesUnsortedLabelNamesAndAWrongNumberOfValues) {
  EXPECT_THROW(SeriesFamily("f", "F.", SeriesFamily::Type::kGauge, {"member", "cluster"}),
               std::invalid_argument);
  SeriesFamily family("f", "F.", SeriesFamily::Type::kGauge, {"cluster", "member"});
  EXPECT_THROW(family.set({"prod"}, 1), std::invalid_argument);
}

TEST(SampleValue, ShortestRoundTripAndSpecials) {
  const auto text = [](double v) {
    std::string out;
    append_sample_value(out, v);
    return out;
  };
  EXPECT_EQ(text(0), "0");
  EXPECT_EQ(text(1), "1");
  EXPECT_EQ(text(0.25), "0.25");
  EXPECT_EQ(text(1767225600), "1767225600");
  EXPECT_EQ(text(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(text(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(text(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(text(std::numeric_limits<double>::quiet_NaN()), "NaN");
}

}  // namespace
}  // namespace frankenetes::status
