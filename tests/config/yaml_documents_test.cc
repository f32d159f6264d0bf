// How many YAML documents a configuration file holds: exactly one, and a stream that yaml-cpp
// cannot split into documents is an error, never a hang.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "config_test_util.h"

namespace frankenetes::config::testing {
namespace {

TEST(YamlDocuments, EmptyFileIsOneProblem) {
  EXPECT_EQ(
      problem_lines(parse("")),
      std::vector<std::string>{
          "test.yaml:1:1: configuration is empty: expected a map with \"azure\" and \"clusters\""});
}

TEST(YamlDocuments, SecondDocumentIsAProblemWhereItStarts) {
  const std::string yaml = std::string(yaml_text(kMinimalConfig)) + "---\nextra: 1\n";
  EXPECT_EQ(problem_lines(parse(yaml)),
            std::vector<std::string>{"test.yaml:11:1: only one YAML document is allowed"});
}

// Found by fuzz/fuzz_config: yaml-cpp 0.7's LoadAll() never returned for this text (a stray
// token after the first document), growing a vector of null documents until memory ran out. A
// deadline turns that hang into a failure instead of a stuck test run.
TEST(YamlDocuments, StrayTokenAfterTheFirstDocumentIsAProblemNotAHang) {
  auto promise = std::make_shared<std::promise<std::vector<std::string>>>();
  auto lines = promise->get_future();
  std::thread([promise] { promise->set_value(problem_lines(parse("\"\",\"\" "))); }).detach();
  if (lines.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
    ADD_FAILURE() << "parse_config() did not return within 20 s";
    std::_Exit(1);  // the parsing thread cannot be stopped
  }
  EXPECT_EQ(lines.get(),
            (std::vector<std::string>{"test.yaml:1:1: expected a map, got \"\"",
                                      "test.yaml:1:3: only one YAML document is allowed"}));
}

}  // namespace
}  // namespace frankenetes::config::testing
