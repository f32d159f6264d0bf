// frankenetesd entry point: arguments → Controller, exceptions → exit code (and malloc's arena limit).

#include <malloc.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include "daemon/cli.h"
#include "daemon/controller.h"
#include "daemon/etcd_restore.h"

int main(int argc, char** argv) {
  using namespace frankenetes::daemon;
  // glibc gives each thread that allocates its own arena (up to 8 per core), and each keeps
  // what its threads freed: with a dozen worker threads that is RSS for nothing. Two arenas
  // cut peak RSS at 1000 container groups from 63.8 to 58.2 MiB (bench/scale, N=250); the
  // daemon's threads mostly wait on I/O, so they hardly contend. MALLOC_ARENA_MAX in the
  // environment still wins.
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) mallopt(M_ARENA_MAX, 2);
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
