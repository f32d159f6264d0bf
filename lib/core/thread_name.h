#pragma once
// Names the calling thread, as `top -H`, `ps -L`, /proc/<pid>/task/*/comm, perf and gdb show
// it: which of the daemon's threads spends the CPU or holds a lock is then plain to see.
// Linux keeps the first 15 bytes; longer names are cut there. Best effort: a failure changes
// nothing else.

#include <string_view>

namespace frankenetes::core {

void name_this_thread(std::string_view name);

}  // namespace frankenetes::core
