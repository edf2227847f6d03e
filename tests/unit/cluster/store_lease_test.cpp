// The store lease between two nodes on one folder, each with a clock of its own that
// the test moves (store_lease.hpp has the rules).
#include "dirmail/cluster/store_lease.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "../common/temp_dir.hpp"
#include "dirmail/store/posix_file_system.hpp"

namespace dirmail::cluster {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Whether the lease was taken (an error counts as not).
bool taken(StoreLease& lease) {
  auto r = lease.try_acquire();
  EXPECT_TRUE(r) << r.error().message;
  return r && *r;
}

// One write through the fence, as FencedFileSystem makes it.
Status write_once(StoreLease& lease) {
  DIRMAIL_TRY(lease.begin_write());
  lease.end_write();
  return ok_status();
}

struct Node {
  Clock::time_point now = Clock::time_point(1000s);
  std::shared_ptr<StoreLease> lease;
  std::vector<std::string> lost;

  Node(const std::string& dir, const std::string& name, std::int64_t pid, bool pid_gone = false) {
    StoreLeaseOptions o;
    o.fs = std::make_shared<store::PosixFileSystem>();
    o.dir = dir;
    o.node = name;
    o.pid = pid;
    o.lease_time = 4000ms;
    o.clock = [this] { return now; };
    o.process_gone = [pid_gone](std::int64_t) { return pid_gone; };
    auto opened = StoreLease::open(std::move(o));
    EXPECT_TRUE(opened) << opened.error().message;
    lease = *opened;
    lease->set_on_lost([this](const std::string& why) { lost.push_back(why); });
    lease->arm();
  }
  bool take() { return taken(*lease); }
};

class StoreLeaseTest : public ::testing::Test {
 protected:
  testing::TempDir tmp;
  std::string dir = tmp / ".dirmail-cluster";

  // node1 (`a`) takes epoch 1 and stops renewing (frozen, say); node2 (`b`), which saw
  // it, takes epoch 2 a lease time later.
  static void take_over(Node& a, Node& b) {
    ASSERT_TRUE(a.take());
    ASSERT_TRUE(b.lease->observe());
    b.now += 4100ms;
    ASSERT_TRUE(b.take());
  }
};

TEST_F(StoreLeaseTest, AFreeStoreIsTakenAtOnceAsEpochOne) {
  Node a(dir, "node1", 11);
  EXPECT_FALSE(write_once(*a.lease)) << "a standby writes nothing";
  ASSERT_TRUE(a.take());
  EXPECT_TRUE(std::filesystem::exists(dir + "/epochs/1"));
  EXPECT_EQ(a.lease->view().epoch, 1u);
  EXPECT_TRUE(write_once(*a.lease));
}

TEST_F(StoreLeaseTest, UntilArmedEverythingMayBeWritten) {
  StoreLeaseOptions o;
  o.fs = std::make_shared<store::PosixFileSystem>();
  o.dir = dir;
  o.node = "node1";
  auto lease = StoreLease::open(std::move(o));
  ASSERT_TRUE(lease);
  EXPECT_TRUE(write_once(**lease));
  (*lease)->arm();
  EXPECT_FALSE(write_once(**lease));
}

TEST_F(StoreLeaseTest, ARenewedLeaseIsNeverTakenAndAnUnrenewedOneIsTakenAfterTheLeaseTime) {
  Node a(dir, "node1", 11), b(dir, "node2", 22);
  ASSERT_TRUE(a.take());
  // node2 watches for 20 s while node1 renews every 800 ms.
  for (int i = 0; i < 25; ++i) {
    a.now += 800ms;
    b.now += 800ms;
    ASSERT_TRUE(a.lease->renew());
    EXPECT_FALSE(b.take()) << "taken while renewed, at step " << i;
  }
  EXPECT_NE(b.lease->view().reason.find("held by node1"), std::string::npos) << b.lease->view().reason;
  // node1 stops renewing (killed, frozen or cut off). node2 waits a whole lease time from
  // the last change it saw.
  b.now += 3900ms;
  EXPECT_FALSE(b.take());
  b.now += 200ms;
  ASSERT_TRUE(b.take());
  EXPECT_EQ(b.lease->view().epoch, 2u);
  EXPECT_TRUE(write_once(*b.lease));
}

TEST_F(StoreLeaseTest, AFrozenHolderThatResumesIsRefusedByTheEpochCheck) {
  Node a(dir, "node1", 11), b(dir, "node2", 22);
  ASSERT_NO_FATAL_FAILURE(take_over(a, b));
  // node1 wakes up with its clock only 150 ms on (say, frozen between two steps): its own
  // deadline would still allow a write; the epoch file of node2 does not.
  a.now += 150ms;
  auto refused = write_once(*a.lease);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::temporary_failure);
  EXPECT_EQ(refused.error().message, "store write refused: stale epoch 1: epoch 2 was taken by node2");
  ASSERT_EQ(a.lost.size(), 1u);
  EXPECT_EQ(a.lease->view().state, LeaseState::lost);
  EXPECT_FALSE(a.lease->renew());
  EXPECT_FALSE(write_once(*a.lease));
  EXPECT_EQ(a.lost.size(), 1u) << "on_lost is called once";
  EXPECT_TRUE(write_once(*b.lease));
  // node2's next renewal finds the lease file its own.
  b.now += 800ms;
  EXPECT_TRUE(b.lease->renew());
}

TEST_F(StoreLeaseTest, AHolderThatCannotRenewStopsWritingAtHalfTheLeaseTime) {
  Node a(dir, "node1", 11);
  ASSERT_TRUE(a.take());
  a.now += 1900ms;
  EXPECT_TRUE(write_once(*a.lease));
  a.now += 200ms;  // 2.1 s after the last renewal began, nobody else took the lease
  auto refused = write_once(*a.lease);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("lease epoch 1 not renewed within 2000 ms"), std::string::npos)
      << refused.error().message;
  ASSERT_EQ(a.lost.size(), 1u);
  EXPECT_FALSE(a.lease->renew()) << "a late renewal does not bring the lease back";
}

TEST_F(StoreLeaseTest, TheWatchdogEndsTheLeaseAtItsDeadlineWithoutTouchingTheStore) {
  Node a(dir, "node1", 11);
  ASSERT_TRUE(a.take());
  a.now += 1900ms;
  a.lease->expire_if_late();
  EXPECT_EQ(a.lease->view().state, LeaseState::active);
  // The share stops answering: the folder is gone; the watchdog needs no I/O.
  std::filesystem::remove_all(dir);
  a.now += 200ms;
  a.lease->expire_if_late();
  EXPECT_EQ(a.lease->view().state, LeaseState::lost);
  ASSERT_EQ(a.lost.size(), 1u);
  EXPECT_NE(a.lost[0].find("not renewed within 2000 ms"), std::string::npos) << a.lost[0];
  a.lease->expire_if_late();
  EXPECT_EQ(a.lost.size(), 1u);
}

TEST_F(StoreLeaseTest, ALeaseLostByItsDeadlineLearnsWhoTookItOver) {
  Node a(dir, "node1", 11), b(dir, "node2", 22);
  ASSERT_NO_FATAL_FAILURE(take_over(a, b));
  a.now += 10s;  // frozen: the watchdog ends the lease first, without I/O
  a.lease->expire_if_late();
  ASSERT_EQ(a.lease->view().state, LeaseState::lost);
  ASSERT_TRUE(a.lease->explain_loss());
  EXPECT_EQ(a.lease->view().reason, "stale epoch 1: epoch 2 was taken by node2");
  auto refused = write_once(*a.lease);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message, "store write refused: stale epoch 1: epoch 2 was taken by node2");
}

TEST_F(StoreLeaseTest, ANodeDemotedAfterATakeoverDoesNotReleaseTheNewHoldersLease) {
  Node a(dir, "node1", 11), b(dir, "node2", 22);
  ASSERT_NO_FATAL_FAILURE(take_over(a, b));
  a.now += 10s;
  ASSERT_TRUE(a.lease->release());
  std::ifstream in(dir + "/lease");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto record = parse_lease_record(text);
  ASSERT_TRUE(record) << record.error().message;
  EXPECT_EQ(record->holder, "node2");
  EXPECT_FALSE(record->released);
  EXPECT_FALSE(write_once(*a.lease));
  EXPECT_TRUE(write_once(*b.lease));
}

TEST_F(StoreLeaseTest, ALeaseLostWhileFrozenThenReleasedByADemotionIsNotReleasedAgain) {
  Node a(dir, "node1", 11), b(dir, "node2", 22);
  ASSERT_NO_FATAL_FAILURE(take_over(a, b));
  a.now += 10s;
  a.lease->expire_if_late();  // the watchdog first, then the engine's demotion
  ASSERT_TRUE(a.lease->release());
  EXPECT_EQ(a.lease->view().state, LeaseState::standby);
  EXPECT_TRUE(write_once(*b.lease));
  b.now += 800ms;
  EXPECT_TRUE(b.lease->renew()) << "node2's lease file untouched";
}

TEST_F(StoreLeaseTest, ALateRenewalLosesTheLease) {
  Node a(dir, "node1", 11);
  ASSERT_TRUE(a.take());
  a.now += 2500ms;
  EXPECT_FALSE(a.lease->renew());
  EXPECT_EQ(a.lease->view().state, LeaseState::lost);
  EXPECT_EQ(a.lost.size(), 1u);
}

TEST_F(StoreLeaseTest, AReleasedLeaseIsTakenAtOnce) {
  Node a(dir, "node1", 11), b(dir, "node2", 22);
  ASSERT_TRUE(a.take());
  EXPECT_FALSE(b.take());
  ASSERT_TRUE(a.lease->release());
  EXPECT_FALSE(write_once(*a.lease));
  ASSERT_TRUE(b.take());
  EXPECT_EQ(b.lease->view().epoch, 2u);
  EXPECT_TRUE(a.lost.empty()) << "stepping down is not losing";
}

TEST_F(StoreLeaseTest, TheSameNodeRestartedTakesItsOwnLeaseAtOnceWhenItsOldProcessIsGone) {
  {
    Node a(dir, "node1", 11);
    ASSERT_TRUE(a.take());
  }
  Node restarted(dir, "node1", 12, /*pid_gone=*/true);
  ASSERT_TRUE(restarted.take());
  EXPECT_EQ(restarted.lease->view().epoch, 2u);
  Node other(dir, "node2", 22, /*pid_gone=*/true);
  EXPECT_FALSE(other.take()) << "another node's pid means nothing here";
}

TEST_F(StoreLeaseTest, AnEpochTakenBetweenTheLookAndTheCreateIsNotTakenTwice) {
  Node a(dir, "node1", 11), b(dir, "node2", 22);
  ASSERT_TRUE(a.take());
  ASSERT_TRUE(b.lease->observe());
  b.now += 4100ms;
  // node3 took epoch 2 just now, before node2 could (its lease file not written yet):
  // the exclusive create refuses node2, and the new epoch counts as a change.
  std::ofstream(dir + "/epochs/2") << format_lease_record({2, "node3", 33, "-", 4000, 1, 1, false});
  EXPECT_FALSE(b.take());
  b.now += 3000ms;
  EXPECT_FALSE(b.take());
}

TEST_F(StoreLeaseTest, ATornLeaseFileCountsAsAChange) {
  Node a(dir, "node1", 11), b(dir, "node2", 22);
  ASSERT_TRUE(a.take());
  ASSERT_TRUE(b.lease->observe());
  b.now += 3000ms;
  std::ofstream(dir + "/lease") << "epoch 1\nhold";
  EXPECT_FALSE(b.take());
  b.now += 3000ms;
  EXPECT_FALSE(b.take()) << "the lease time runs from the last change";
  b.now += 1100ms;
  EXPECT_TRUE(b.take());
}

TEST_F(StoreLeaseTest, OldEpochFilesAreRemoved) {
  for (int i = 0; i < 20; ++i) {
    Node n(dir, "node1", 100 + i, /*pid_gone=*/true);
    ASSERT_TRUE(n.take());
  }
  std::size_t files = 0;
  for (auto& e : std::filesystem::directory_iterator(dir + "/epochs")) files += e.is_regular_file();
  EXPECT_LE(files, 17u);
  EXPECT_TRUE(std::filesystem::exists(dir + "/epochs/20"));
}

class RefusingFence : public store::WriteFence {
 public:
  bool open = true;
  int asked = 0;
  int under_way = 0;
  Status begin_write() override {
    ++asked;
    if (!open) return make_error(ErrorCode::temporary_failure, "store write refused: test");
    ++under_way;
    return ok_status();
  }
  void end_write() override { --under_way; }
};

TEST(FencedFileSystem, EveryChangeAsksTheFenceAndReadsDoNot) {
  testing::TempDir tmp;
  auto fence = std::make_shared<RefusingFence>();
  auto fs = store::fenced_file_system(std::make_shared<store::PosixFileSystem>(), fence);
  EXPECT_EQ(fs->name(), "posix");
  auto file = fs->open(tmp / "a", store::OpenMode::create_new);
  ASSERT_TRUE(file);
  ASSERT_TRUE((*file)->write_at(0, "hello"));
  fence->open = false;
  EXPECT_FALSE((*file)->write_at(5, " world")) << "a file opened before the fence closed";
  EXPECT_FALSE((*file)->sync());
  EXPECT_FALSE((*file)->truncate(0));
  EXPECT_FALSE(fs->open(tmp / "b", store::OpenMode::create_new));
  EXPECT_FALSE(fs->open(tmp / "a", store::OpenMode::read_write));
  EXPECT_FALSE(fs->rename(tmp / "a", tmp / "c", store::Rename::no_replace));
  EXPECT_FALSE(fs->remove(tmp / "a"));
  EXPECT_FALSE(fs->make_directory(tmp / "d"));
  EXPECT_FALSE(fs->link(tmp / "a", tmp / "e"));
  EXPECT_FALSE(fs->set_modified(tmp / "a", 1));
  EXPECT_FALSE(std::filesystem::exists(tmp / "b"));
  EXPECT_FALSE(std::filesystem::exists(tmp / "c"));
  EXPECT_FALSE(std::filesystem::exists(tmp / "d"));
  int before = fence->asked;
  auto read = fs->open(tmp / "a", store::OpenMode::read);
  ASSERT_TRUE(read);
  char buf[5];
  auto n = (*read)->read_at(0, buf);
  ASSERT_TRUE(n);
  EXPECT_EQ(std::string(buf, *n), "hello");
  EXPECT_TRUE(fs->stat(tmp / "a"));
  EXPECT_TRUE(fs->list(tmp.path()));
  EXPECT_EQ(fence->asked, before);
  EXPECT_EQ(fence->under_way, 0) << "every write that began has ended";
}

TEST_F(StoreLeaseTest, AReleaseWaitsForTheWritesUnderWay) {
  Node a(dir, "node1", 11), b(dir, "node2", 22);
  ASSERT_TRUE(a.take());
  ASSERT_TRUE(a.lease->begin_write());  // a write that passed the fence and is still running
  std::thread writer([&] {
    std::this_thread::sleep_for(300ms);
    a.lease->end_write();
  });
  auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(a.lease->release());
  EXPECT_GE(std::chrono::steady_clock::now() - started, 250ms) << "released before the write ended";
  writer.join();
  EXPECT_FALSE(write_once(*a.lease)) << "no write begins once the release started";
  EXPECT_TRUE(b.take()) << "released";
}

TEST_F(StoreLeaseTest, AWriteStuckPastHalfTheLeaseTimeLeavesTheLeaseToExpire) {
  Node a(dir, "node1", 11), b(dir, "node2", 22);
  ASSERT_TRUE(a.take());
  ASSERT_TRUE(b.lease->observe());
  ASSERT_TRUE(a.lease->begin_write());  // never ends (a share that does not answer)
  ASSERT_TRUE(a.lease->release());      // waits half the lease time (2 s), then gives up
  EXPECT_FALSE(b.take()) << "not released: the other node must wait for the expiry";
  b.now += 4100ms;
  EXPECT_TRUE(b.take());
}

TEST_F(StoreLeaseTest, ATakerWaitsTheLongerLeaseTimeAndTrustsAPidOnlyOnItsOwnMachine) {
  {
    StoreLeaseOptions o;
    o.fs = std::make_shared<store::PosixFileSystem>();
    o.dir = dir;
    o.node = "node1";
    o.pid = 11;
    o.boot = "boot-a";
    o.lease_time = 10000ms;
    auto holder = StoreLease::open(std::move(o));
    ASSERT_TRUE(holder);
    ASSERT_TRUE(taken(**holder));
  }
  // Another machine that also calls itself node1 (a clone), with a shorter lease time.
  StoreLeaseOptions o;
  o.fs = std::make_shared<store::PosixFileSystem>();
  o.dir = dir;
  o.node = "node1";
  o.pid = 12;
  o.boot = "boot-b";
  o.lease_time = 4000ms;
  Clock::time_point now(1000s);
  o.clock = [&] { return now; };
  o.process_gone = [](std::int64_t) { return true; };
  auto clone = StoreLease::open(std::move(o));
  ASSERT_TRUE(clone);
  EXPECT_FALSE(taken(**clone)) << "a pid of another machine proves nothing";
  now += 4100ms;
  EXPECT_FALSE(taken(**clone)) << "the holder renews every 2 s of its 10 s";
  now += 6000ms;
  EXPECT_TRUE(taken(**clone));
}

}  // namespace
}  // namespace dirmail::cluster
