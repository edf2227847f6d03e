// A process killed right after commit() returned must not lose the message; one killed
// while writing must leave nothing behind. The child is a forked copy of this test
// process that talks to the parent through a pipe and is SIGKILLed (no cleanup runs).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "dirmail/queue/file_queue.hpp"
#include "../common/temp_dir.hpp"

namespace dirmail::queue {
namespace {

namespace fs = std::filesystem;
using dirmail::testing::TempDir;

Envelope envelope() {
  Envelope e;
  e.sender = "alice@example.test";
  e.recipients = {"bob@example.test"};
  e.received_at = 1700000000;
  return e;
}

std::string body_text() {
  std::string body;
  for (int i = 0; i < 2000; ++i) body += "crash test line " + std::to_string(i) + "\r\n";
  return body;
}

// Runs `child(report)` in a forked process. The child calls report(line) with its
// objects still alive; report() sends the line to the parent and waits there to be
// killed, so no destructor or cleanup ever runs. Returns the line.
template <typename Child>
std::string run_child_and_kill(Child child) {
  int fds[2];
  EXPECT_EQ(::pipe(fds), 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    int out = fds[1];
    auto report = [out](std::string line) {
      line += "\n";
      if (::write(out, line.data(), line.size()) < 0) ::_exit(2);
      for (;;) ::pause();
    };
    child(report);
    report("ERROR child returned");
  }
  ::close(fds[1]);
  std::string line;
  char c;
  while (::read(fds[0], &c, 1) == 1 && c != '\n') line += c;
  ::close(fds[0]);
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  return line;
}

TEST(QueueCrash, MessageCommittedBeforeKillIsComplete) {
  TempDir dir;
  std::string id = run_child_and_kill([&](auto report) {
    auto queue = FileQueue::open(dir.path(), "node-a");
    if (!queue.ok()) report("ERROR open");
    auto writer = (*queue)->begin(envelope());
    if (!writer.ok()) report("ERROR begin");
    if (!(*writer)->write(body_text()).ok()) report("ERROR write");
    if (!(*writer)->commit().ok()) report("ERROR commit");
    report((*writer)->id());  // the parent kills us as soon as it reads this
  });
  ASSERT_EQ(id.rfind("ERROR", 0), std::string::npos) << id;

  auto queue = FileQueue::open(dir.path(), "node-a");
  ASSERT_TRUE(queue.ok());
  EXPECT_EQ(*(*queue)->list(), std::vector<std::string>{id});
  auto loaded = (*queue)->load(id);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(loaded->envelope.recipients, envelope().recipients);
  std::ifstream in(loaded->path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str().substr(loaded->body_offset), body_text());
}

TEST(QueueCrash, MessageKilledWhileWritingLeavesNothing) {
  TempDir dir;
  std::string line = run_child_and_kill([&](auto report) {
    auto queue = FileQueue::open(dir.path(), "node-a");
    if (!queue.ok()) report("ERROR open");
    auto writer = (*queue)->begin(envelope());
    if (!writer.ok()) report("ERROR begin");
    // More than the write buffer, so part of the message is in the tmp file.
    if (!(*writer)->write(body_text() + body_text()).ok()) report("ERROR write");
    report("writing");
  });
  ASSERT_EQ(line, "writing");
  ASSERT_EQ(std::distance(fs::directory_iterator(dir / "tmp"), fs::directory_iterator{}), 1);

  auto queue = FileQueue::open(dir.path(), "node-a");
  ASSERT_TRUE(queue.ok());
  EXPECT_TRUE((*queue)->list()->empty());
  EXPECT_EQ(std::distance(fs::directory_iterator(dir / "incoming"), fs::directory_iterator{}), 0);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir / "tmp"), fs::directory_iterator{}), 0);
}

}  // namespace
}  // namespace dirmail::queue
