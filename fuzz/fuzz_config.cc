// The configuration parser (lib/config): YAML text -> validated Config or every problem.
// The environment is fixed, so ${NAME} references resolve without reading the process's.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>

#include "config/config.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace frankenetes;
  const config::EnvLookup env = [](std::string_view name) -> std::optional<std::string> {
    if (name == "FUZZ_SECRET") return std::string("s3cret");
    if (name == "FUZZ_EMPTY") return std::string();
    return std::nullopt;
  };
  const auto result = config::parse_config(fuzz::as_text(data, size), "/etc/fuzz/config.yaml", env);
  // The documented contract: a Config exactly when there are no problems, and every problem
  // says where it is.
  if (result.ok() != result.problems.empty()) std::abort();
  for (const auto& problem : result.problems) {
    if (problem.message.empty() || problem.to_string().empty()) std::abort();
  }
  return 0;
}
