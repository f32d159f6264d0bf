// name_this_thread: the name the kernel shows for the calling thread (its comm), cut to the
// 15 bytes Linux keeps.

#include "core/thread_name.h"

#include <gtest/gtest.h>
#include <pthread.h>

#include <string>
#include <thread>

namespace frankenetes::core {
namespace {

std::string name_of_this_thread() {
  char name[16] = {};
  if (pthread_getname_np(pthread_self(), name, sizeof name) != 0) return "<error>";
  return name;
}

// On a thread of its own, so the test runner's thread keeps its name.
std::string named(const std::string& name) {
  std::string seen;
  std::thread([&] {
    name_this_thread(name);
    seen = name_of_this_thread();
  }).join();
  return seen;
}

TEST(ThreadName, NamesTheCallingThread) { EXPECT_EQ(named("scheduler"), "scheduler"); }

TEST(ThreadName, LongNamesAreCutToFifteenBytes) {
  EXPECT_EQ(named("a-name-longer-than-fifteen"), "a-name-longer-t");
}

}  // namespace
}  // namespace frankenetes::core
