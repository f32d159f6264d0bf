// ProcessRuntime's child-side hygiene, without the sim: what a fork()ed child keeps open.
// (sim_binary_test checks the real binary's container processes.)

#include "sim/process_runtime.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vector>

namespace frankenetes::sim {
namespace {

// Forks; the child closes everything above stderr and exits 0 if no descriptor from 3 up to
// `highest` is open any more, else with the first one still open (capped at 255).
int child_status_after_closing(bool allow_close_range, int highest) {
  const pid_t pid = fork();
  if (pid == 0) {
    close_descriptors_above_stderr(allow_close_range);
    for (int fd = 3; fd <= highest; ++fd) {
      if (fcntl(fd, F_GETFD) != -1) _exit(fd > 255 ? 255 : fd);
    }
    _exit(0);
  }
  int status = -1;
  if (pid > 0) waitpid(pid, &status, 0);
  return status;
}

class CloseDescriptors : public ::testing::TestWithParam<bool> {};

TEST_P(CloseDescriptors, ChildKeepsOnlyStdinStdoutStderr) {
  // What a sim has open: pipes, sockets (listening and connected), files, some of them
  // without O_CLOEXEC, one far above the others.
  std::vector<int> fds;
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  fds.insert(fds.end(), {pipe_fds[0], pipe_fds[1]});
  int pair[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
  fds.insert(fds.end(), {pair[0], pair[1]});
  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  fds.push_back(listener);
  fds.push_back(open("/dev/null", O_RDONLY));
  fds.push_back(open("/dev/null", O_RDONLY | O_CLOEXEC));
  const int high = fcntl(pipe_fds[0], F_DUPFD, 900);
  ASSERT_GE(high, 900);
  fds.push_back(high);

  const int status = child_status_after_closing(GetParam(), 1023);
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0) << "descriptor " << WEXITSTATUS(status) << " survived";
  for (int fd : fds) close(fd);
}

INSTANTIATE_TEST_SUITE_P(ProcessRuntime, CloseDescriptors, ::testing::Values(true, false),
                         [](const ::testing::TestParamInfo<bool>& p) { return p.param ? "CloseRange" : "ProcSelfFd"; });

}  // namespace
}  // namespace frankenetes::sim
