#include "dirmail/queue/group_commit.hpp"

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace dirmail::queue {
namespace {

TEST(GroupCommitter, ConcurrentCommitsShareSyncsAndEachWaitsForALaterSync) {
  std::atomic<std::uint64_t> clock{0};  // orders changes and sync starts
  std::mutex mu;
  std::vector<std::uint64_t> finished_sync_starts;
  GroupCommitter committer([&]() -> Status {
    std::uint64_t start = clock.fetch_add(1);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    std::lock_guard lock(mu);
    finished_sync_starts.push_back(start);
    return ok_status();
  });

  constexpr int kThreads = 16;
  std::atomic<int> violations{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      std::uint64_t change = clock.fetch_add(1);  // "rename done"
      ASSERT_TRUE(committer.commit().ok());
      std::lock_guard lock(mu);
      bool covered = false;
      for (auto start : finished_sync_starts) covered |= start > change;
      if (!covered) ++violations;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(violations.load(), 0);
  EXPECT_GE(committer.syncs(), 1u);
  EXPECT_LT(committer.syncs(), static_cast<std::uint64_t>(kThreads));
}

TEST(GroupCommitter, SequentialCommitsEachSync) {
  int syncs = 0;
  GroupCommitter committer([&]() -> Status {
    ++syncs;
    return ok_status();
  });
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(committer.commit().ok());
  EXPECT_EQ(syncs, 3);
  EXPECT_EQ(committer.syncs(), 3u);
}

TEST(GroupCommitter, FailedSyncIsSticky) {
  bool fail = true;
  GroupCommitter committer([&]() -> Status {
    if (fail) return make_error(ErrorCode::io_error, "fsync: Input/output error");
    return ok_status();
  });
  auto first = committer.commit();
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.error().code, ErrorCode::io_error);
  fail = false;
  EXPECT_FALSE(committer.commit().ok());  // a later sync proves nothing about the lost one
}

}  // namespace
}  // namespace dirmail::queue
