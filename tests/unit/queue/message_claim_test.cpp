// The hold/ folder and the administrator's claim on a message (dirmailctl queue
// hold|release|delete|bounce), the read-only listing, and the daemon's pid file.
#include "dirmail/queue/message_claim.hpp"

#include <unistd.h>

#include <filesystem>
#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "../common/temp_dir.hpp"
#include "dirmail/queue/daemon_pid_file.hpp"
#include "dirmail/queue/file_queue.hpp"
#include "dirmail/queue/queue_listing.hpp"

namespace dirmail::queue {
namespace {

namespace fs = std::filesystem;
using dirmail::testing::TempDir;

Envelope envelope() {
  Envelope e;
  e.sender = "alice@example.test";
  e.recipients = {"bob@example.test", "carol@remote.test"};
  e.received_at = 1700000000;
  return e;
}

std::unique_ptr<FileQueue> open_queue(const std::string& dir) {
  auto q = FileQueue::open(dir, "node-a");
  EXPECT_TRUE(q.ok()) << (q.ok() ? "" : q.error().message);
  return q.ok() ? std::move(*q) : nullptr;
}

// A queued message whose first recipient is delivered and second pending.
std::string queue_half_delivered(Queue& queue) {
  auto writer = queue.begin(envelope());
  EXPECT_TRUE(writer.ok());
  EXPECT_TRUE((*writer)->write("Subject: hi\r\n\r\nbody\r\n").ok());
  EXPECT_TRUE((*writer)->commit().ok());
  std::string id = (*writer)->id();
  EXPECT_TRUE(queue.set_recipient_state(id, 0, RecipientState::delivered, "stored").ok());
  return id;
}

std::vector<std::string> listed(Queue& queue) {
  auto ids = queue.list();
  EXPECT_TRUE(ids.ok());
  return ids.ok() ? *ids : std::vector<std::string>{};
}

void expect_half_delivered(const QueuedMessage& m) {
  ASSERT_EQ(m.states.size(), 2u);
  EXPECT_EQ(m.states[0], RecipientState::delivered);
  EXPECT_EQ(m.state_reasons[0], "stored");
  EXPECT_EQ(m.states[1], RecipientState::pending);
}

TEST(MessageClaimTest, HeldMessageLeavesTheDeliveryListWithItsOutcomesAndComesBackOnRelease) {
  TempDir dir;
  auto queue = open_queue(dir.path());
  std::string id = queue_half_delivered(*queue);
  {
    auto claim = MessageClaim::acquire(local_queue(dir.path()), id);
    ASSERT_TRUE(claim.ok()) << claim.error().message;
    EXPECT_FALSE(claim->held());
    ASSERT_TRUE(claim->hold().ok());
    EXPECT_TRUE(claim->held());
  }
  EXPECT_TRUE(listed(*queue).empty());
  EXPECT_TRUE(fs::exists(dir / ("hold/" + id + ".msg")));
  EXPECT_TRUE(fs::exists(dir / ("hold/" + id + ".state")));
  EXPECT_FALSE(fs::exists(dir / ("incoming/" + id + ".state")));
  EXPECT_EQ(queue->load(id).error().code, ErrorCode::not_found);

  auto shown = read_listed_message(local_queue(dir.path()), id);
  ASSERT_TRUE(shown.ok()) << shown.error().message;
  EXPECT_TRUE(shown->held);
  expect_half_delivered(shown->message);

  // A daemon starting meanwhile leaves a held message alone.
  queue.reset();
  queue = open_queue(dir.path());
  EXPECT_TRUE(listed(*queue).empty());
  EXPECT_TRUE(fs::exists(dir / ("hold/" + id + ".state")));

  {
    auto claim = MessageClaim::acquire(local_queue(dir.path()), id);
    ASSERT_TRUE(claim.ok());
    EXPECT_TRUE(claim->held());
    ASSERT_TRUE(claim->release().ok());
  }
  EXPECT_EQ(listed(*queue), std::vector<std::string>{id});
  auto loaded = queue->load(id);
  ASSERT_TRUE(loaded.ok());
  expect_half_delivered(*loaded);
}

TEST(MessageClaimTest, RefusesWhatDoesNotApply) {
  TempDir dir;
  auto queue = open_queue(dir.path());
  std::string id = queue_half_delivered(*queue);
  auto claim = MessageClaim::acquire(local_queue(dir.path()), id);
  ASSERT_TRUE(claim.ok());
  EXPECT_EQ(claim->release().error().code, ErrorCode::invalid_argument);  // not held
  ASSERT_TRUE(claim->hold().ok());
  EXPECT_EQ(claim->hold().error().code, ErrorCode::invalid_argument);  // held already

  EXPECT_EQ(MessageClaim::acquire(local_queue(dir.path()), "../incoming/x").error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(MessageClaim::acquire(local_queue(dir.path()), "").error().code, ErrorCode::invalid_argument);
  auto missing = MessageClaim::acquire(local_queue(dir.path()), "0000000000000000000000FF");
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
  EXPECT_NE(missing.error().message.find("no message 0000000000000000000000FF in the queue"), std::string::npos);
}

// A crash between a hold's two renames leaves hold/<id>.msg and incoming/<id>.state;
// the next open() finishes the hold rather than losing the outcomes.
TEST(MessageClaimTest, CrashInTheMiddleOfAHoldKeepsTheOutcomesWithTheHeldMessage) {
  TempDir dir;
  std::string id;
  {
    auto queue = open_queue(dir.path());
    id = queue_half_delivered(*queue);
  }
  fs::create_directory(dir / "hold");
  fs::rename(dir / ("incoming/" + id + ".msg"), dir / ("hold/" + id + ".msg"));  // the first rename only

  auto queue = open_queue(dir.path());
  EXPECT_TRUE(listed(*queue).empty());
  EXPECT_FALSE(fs::exists(dir / ("incoming/" + id + ".state")));
  EXPECT_TRUE(fs::exists(dir / ("hold/" + id + ".state")));
  auto claim = MessageClaim::acquire(local_queue(dir.path()), id);
  ASSERT_TRUE(claim.ok());
  ASSERT_TRUE(claim->release().ok());
  auto loaded = queue->load(id);
  ASSERT_TRUE(loaded.ok());
  expect_half_delivered(*loaded);
}

// A release moves the state first: a crash after it leaves the same picture, and the
// message stays held (never in incoming/ without its outcomes).
TEST(MessageClaimTest, CrashInTheMiddleOfAReleaseLeavesTheMessageHeld) {
  TempDir dir;
  std::string id;
  {
    auto queue = open_queue(dir.path());
    id = queue_half_delivered(*queue);
    auto claim = MessageClaim::acquire(local_queue(dir.path()), id);
    ASSERT_TRUE(claim.ok());
    ASSERT_TRUE(claim->hold().ok());
  }
  fs::rename(dir / ("hold/" + id + ".state"), dir / ("incoming/" + id + ".state"));  // the first rename only

  auto queue = open_queue(dir.path());
  EXPECT_TRUE(listed(*queue).empty());
  auto shown = read_listed_message(local_queue(dir.path()), id);
  ASSERT_TRUE(shown.ok());
  EXPECT_TRUE(shown->held);
  expect_half_delivered(shown->message);
}

// While a command holds its claim, open() must neither move nor delete the state it is
// moving.
TEST(MessageClaimTest, OpenLeavesAClaimedMessageToItsCommand) {
  TempDir dir;
  std::string id;
  {
    auto queue = open_queue(dir.path());
    id = queue_half_delivered(*queue);
  }
  auto claim = MessageClaim::acquire(local_queue(dir.path()), id);
  ASSERT_TRUE(claim.ok());
  fs::create_directory(dir / "hold");
  fs::rename(dir / ("incoming/" + id + ".msg"), dir / ("hold/" + id + ".msg"));  // as hold() is doing
  auto queue = open_queue(dir.path());
  EXPECT_TRUE(fs::exists(dir / ("incoming/" + id + ".state")));
}

TEST(MessageClaimTest, WaitsForTheClaimInProgressAndSeesWhatItDid) {
  TempDir dir;
  auto queue = open_queue(dir.path());
  std::string kept = queue_half_delivered(*queue);
  std::string removed = queue_half_delivered(*queue);
  for (const auto& id : {kept, removed}) {
    auto first = std::make_unique<Result<MessageClaim>>(MessageClaim::acquire(local_queue(dir.path()), id));
    ASSERT_TRUE(first->ok());
    std::promise<void> waiting;
    auto second = std::async(std::launch::async, [&] {
      return MessageClaim::acquire(local_queue(dir.path()), id, [&] { waiting.set_value(); });
    });
    waiting.get_future().wait();  // the second one found the message busy
    if (id == removed) {
      ASSERT_TRUE(queue->remove(id).ok());
    }
    first.reset();
    auto result = second.get();
    if (id == kept) {
      ASSERT_TRUE(result.ok()) << result.error().message;
      EXPECT_FALSE(result->held());
    } else {
      EXPECT_EQ(result.error().code, ErrorCode::not_found);
    }
  }
}

TEST(QueueListingTest, ListsIncomingAndHeldMessagesOldestFirst) {
  TempDir dir;
  auto empty = list_queue_folder(local_queue(dir / "nothing-yet"));
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->messages.empty());

  auto queue = open_queue(dir.path());
  std::string first = queue_half_delivered(*queue);
  std::string second = queue_half_delivered(*queue);
  ASSERT_TRUE(MessageClaim::acquire(local_queue(dir.path()), first)->hold().ok());
  auto listing = list_queue_folder(local_queue(dir.path()));
  ASSERT_TRUE(listing.ok());
  ASSERT_EQ(listing->messages.size(), 2u);
  EXPECT_EQ(listing->messages[0].message.id, first);
  EXPECT_TRUE(listing->messages[0].held);
  EXPECT_EQ(listing->messages[1].message.id, second);
  EXPECT_FALSE(listing->messages[1].held);
  EXPECT_EQ(listing->messages[1].message.envelope.sender, "alice@example.test");
  EXPECT_TRUE(listing->problems.empty());

  auto header = read_message_header(*local_queue(dir.path()).fs, listing->messages[1].message);
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(*header, "Subject: hi\r\n");
  EXPECT_EQ(read_listed_message(local_queue(dir.path()), "nope!").error().code, ErrorCode::invalid_argument);
}

TEST(DaemonPidFileTest, NamesTheRunningDaemonOnlyWhileItRuns) {
  TempDir dir;
  EXPECT_EQ(running_daemon_pid(dir.path(), "node-a").error().code, ErrorCode::not_found);
  {
    auto claimed = DaemonPidFile::claim(dir.path(), "node-a");
    ASSERT_TRUE(claimed.ok()) << claimed.error().message;
    auto pid = running_daemon_pid(dir.path(), "node-a");
    ASSERT_TRUE(pid.ok()) << pid.error().message;
    EXPECT_EQ(*pid, ::getpid());
    EXPECT_EQ(running_daemon_pid(dir.path(), "node-b").error().code, ErrorCode::not_found);
    EXPECT_EQ(DaemonPidFile::claim(dir.path(), "node-a").error().code, ErrorCode::already_exists);
  }
  EXPECT_EQ(running_daemon_pid(dir.path(), "node-a").error().code, ErrorCode::not_found);
  // A file left by a daemon that died (nobody holds its lock) names nobody.
  std::FILE* f = std::fopen(daemon_pid_path(dir.path(), "node-a").c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fputs("1\n", f);
  std::fclose(f);
  EXPECT_EQ(running_daemon_pid(dir.path(), "node-a").error().code, ErrorCode::not_found);
}

}  // namespace
}  // namespace dirmail::queue
