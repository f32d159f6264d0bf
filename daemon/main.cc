// frankenetesd entry point: arguments → Controller, exceptions → exit code (and malloc's tuning,
// the descriptor limit).

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include "daemon/cli.h"
#include "daemon/controller.h"
#include "daemon/etcd_restore.h"
#include "daemon/memory.h"

int main(int argc, char** argv) {
  using namespace frankenetes::daemon;
  tune_allocator();  // daemon/memory.h
  raise_descriptor_limit();
  const auto parsed = parse_cli(std::vector<std::string>(argv + 1, argv + argc));
  if (!parsed.error.empty()) {
    std::fprintf(stderr, "frankenetesd: %s\n\n%s", parsed.error.c_str(), usage_text().c_str());
    return 2;
  }
  const auto& options = parsed.options;
  if (options.show_help) {
    std::fputs(usage_text().c_str(), stdout);
    return 0;
  }
  if (options.show_version) {
    std::printf("%s\n", version_text().c_str());
    return 0;
  }
  try {
    if (options.check_config) return check_config(options);
    if (options.etcd_restore) return run_etcd_restore(options);
    Controller controller(options);
    return controller.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "frankenetesd: fatal: %s\n", e.what());
    return 1;
  }
}
