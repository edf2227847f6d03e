// The queue on each FileSystem it may live on: a local folder (posix), the local disk
// with smb's semantics (no atomic replacing rename, no directory sync), and a real SMB
// share (the smbd fixture, when DIRMAIL_SMBD_FIXTURE names it: ctest's integration test
// queue.smb_queue; skipped in the unit run). What a delivery and an administrator see
// must be the same on all three.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "../common/temp_dir.hpp"
#include "../store/smb_like_file_system.hpp"
#include "../store/smbd_fixture.hpp"
#include "dirmail/base/posix_file.hpp"
#include "dirmail/queue/file_queue.hpp"
#include "dirmail/queue/message_claim.hpp"
#include "dirmail/queue/queue_listing.hpp"
#include "dirmail/store/posix_file_system.hpp"

namespace dirmail::queue {
namespace {

namespace fs = std::filesystem;

Envelope envelope() {
  Envelope e;
  e.sender = "alice@example.test";
  e.recipients = {"bob@example.test", "carol@remote.test"};
  e.client_address = "192.0.2.1";
  e.received_at = 1700000000;
  return e;
}

// The whole file behind a claimed message's descriptor, from body_offset.
std::string body_through_fd(const ClaimedMessage& m) {
  auto bytes = posix::pread_up_to(m.fd.get(), m.message.body_offset, m.message.body_size + 1, "claimed");
  EXPECT_TRUE(bytes.ok());
  return bytes.ok() ? *bytes : std::string();
}

class QueueOnFileSystem : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    where_.local_dir = tmp_ / "local";
    if (GetParam() == "posix" || GetParam() == "smb_like") {
      if (GetParam() == "posix")
        where_.fs = std::make_shared<store::PosixFileSystem>();
      else
        where_.fs = std::make_shared<store::testing::SmbLikeFileSystem>();
      where_.root = disk_ = tmp_ / "queue";
      return;
    }
    auto fixture = testing::SmbdFixture::load();
    if (!fixture) GTEST_SKIP() << testing::SmbdFixture::kNotSet;
    auto smb = fixture->open_file_system(tmp_ / "smb-locks");
    ASSERT_TRUE(smb.ok()) << smb.error().message;
    where_.fs = std::move(*smb);
    const std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    const std::string folder = "queue-" + test.substr(0, test.find('/'));
    fs::remove_all(fixture->share_folder + "/" + folder);
    where_.root = fixture->share_url + "/" + folder;
    disk_ = fixture->share_folder + "/" + folder;
  }
  void TearDown() override {
    if (GetParam() == "smb" && !disk_.empty()) fs::remove_all(disk_);
  }

  std::unique_ptr<FileQueue> open(std::string node = "node-a") {
    auto q = FileQueue::open(where_, std::move(node));
    EXPECT_TRUE(q.ok()) << (q.ok() ? "" : q.error().message);
    return q.ok() ? std::move(*q) : nullptr;
  }
  std::string commit(Queue& q, std::string_view body) {
    auto writer = q.begin(envelope());
    EXPECT_TRUE(writer.ok()) << (writer.ok() ? "" : writer.error().message);
    if (!writer.ok()) return {};
    EXPECT_TRUE((*writer)->write(body).ok());
    auto committed = (*writer)->commit();
    EXPECT_TRUE(committed.ok()) << (committed.ok() ? "" : committed.error().message);
    return (*writer)->id();
  }
  // The queue's folder as the server's disk holds it, for inspection.
  std::vector<std::string> names_in(const std::string& folder) const {
    std::vector<std::string> names;
    if (!fs::exists(disk_ + "/" + folder)) return names;
    for (const auto& e : fs::directory_iterator(disk_ + "/" + folder)) names.push_back(e.path().filename());
    std::sort(names.begin(), names.end());
    return names;
  }

  dirmail::testing::TempDir tmp_;
  QueueLocation where_;
  std::string disk_;
};

TEST_P(QueueOnFileSystem, CommittedMessagesAreListedLoadedAndClaimedWithTheirBytes) {
  auto q = open();
  ASSERT_TRUE(q);
  std::string big(300 * 1024, 'x');  // over one write buffer and one copy chunk's worth of calls
  for (std::size_t i = 0; i < big.size(); i += 77) big[i] = '\n';
  std::string small_id = commit(*q, "Subject: small\r\n\r\nhello\r\n");
  std::string big_id = commit(*q, big);
  auto ids = q->list();
  ASSERT_TRUE(ids.ok()) << ids.error().message;
  EXPECT_EQ(*ids, (std::vector<std::string>{small_id, big_id}));
  EXPECT_EQ(names_in("tmp"), std::vector<std::string>{});  // nothing half-written left visible

  auto loaded = q->load(big_id);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(loaded->envelope.sender, "alice@example.test");
  EXPECT_EQ(loaded->body_size, big.size());

  auto claimed = q->claim(big_id);
  ASSERT_TRUE(claimed.ok()) << claimed.error().message;
  EXPECT_EQ(body_through_fd(*claimed), big);
  EXPECT_EQ(claimed->message.envelope.recipients, envelope().recipients);
  // A second attempt meanwhile (another process of this node) is turned away.
  auto again = q->claim(big_id);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::temporary_failure);
}

TEST_P(QueueOnFileSystem, OutcomesSurviveReopeningAndRemovalIsComplete) {
  std::string id;
  {
    auto q = open();
    ASSERT_TRUE(q);
    id = commit(*q, "Subject: s\r\n\r\nbody\r\n");
    ASSERT_TRUE(q->set_recipient_state(id, 0, RecipientState::delivered, "stored").ok());
    RetryState retry;
    retry.attempts = 2;
    retry.first_attempt_at = 1700000100;
    retry.next_attempt_at = 1700000900;
    ASSERT_TRUE(q->record_retry(id, 1, retry).ok());
  }
  auto q = open();  // a restart, or the other node taking over
  auto m = q->load(id);
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->states[0], RecipientState::delivered);
  EXPECT_EQ(m->state_reasons[0], "stored");
  EXPECT_EQ(m->states[1], RecipientState::pending);
  ASSERT_TRUE(m->retries[1].has_value());
  EXPECT_EQ(m->retries[1]->attempts, 2u);

  ASSERT_TRUE(q->remove(id).ok());
  EXPECT_EQ(q->load(id).error().code, ErrorCode::not_found);
  EXPECT_EQ(q->claim(id).error().code, ErrorCode::not_found);
  EXPECT_EQ(names_in("incoming"), std::vector<std::string>{});
  EXPECT_EQ(q->set_recipient_state(id, 1, RecipientState::delivered, "late").error().code, ErrorCode::not_found);
}

TEST_P(QueueOnFileSystem, HoldAndReleaseMoveTheMessageWithItsOutcomes) {
  auto q = open();
  ASSERT_TRUE(q);
  std::string id = commit(*q, "Subject: s\r\n\r\nbody\r\n");
  ASSERT_TRUE(q->set_recipient_state(id, 0, RecipientState::delivered, "stored").ok());
  {
    auto claim = MessageClaim::acquire(where_, id);
    ASSERT_TRUE(claim.ok()) << claim.error().message;
    // Delivery stays off the message while the command has it.
    EXPECT_EQ(q->claim(id).error().code, ErrorCode::temporary_failure);
    ASSERT_TRUE(claim->hold().ok());
  }
  EXPECT_TRUE(q->list()->empty());
  EXPECT_EQ(q->claim(id).error().code, ErrorCode::not_found);
  EXPECT_EQ(names_in("hold"), (std::vector<std::string>{id + ".msg", id + ".state"}));
  auto listing = list_queue_folder(where_);
  ASSERT_TRUE(listing.ok()) << listing.error().message;
  ASSERT_EQ(listing->messages.size(), 1u);
  EXPECT_TRUE(listing->messages[0].held);
  auto header = read_message_header(*where_.fs, listing->messages[0].message);
  ASSERT_TRUE(header.ok()) << header.error().message;
  EXPECT_EQ(*header, "Subject: s\r\n");

  {
    auto claim = MessageClaim::acquire(where_, id);
    ASSERT_TRUE(claim.ok());
    EXPECT_TRUE(claim->held());
    ASSERT_TRUE(claim->release().ok());
  }
  auto claimed = q->claim(id);
  ASSERT_TRUE(claimed.ok()) << claimed.error().message;
  EXPECT_EQ(claimed->message.states[0], RecipientState::delivered);
  EXPECT_EQ(claimed->message.states[1], RecipientState::pending);
}

// A crash while a message was being committed leaves it in tmp/ (on a share only
// between the copy and the rename: the bytes are spooled locally before): never
// acknowledged, it is discarded when the node that wrote it opens the queue again, and
// a message of another node sharing the queue is left alone.
TEST_P(QueueOnFileSystem, UnfinishedMessagesOfThisNodeAreDiscardedOthersKept) {
  std::string committed, cut_a, cut_b;
  {
    auto a = open("node-a");
    ASSERT_TRUE(a);
    auto b = open("node-b");
    ASSERT_TRUE(b);
    committed = commit(*a, "Subject: done\r\n\r\nx\r\n");
    cut_a = commit(*a, "Subject: cut\r\n\r\nx\r\n");
    cut_b = commit(*b, "Subject: cut\r\n\r\nx\r\n");
  }
  // As if each crashed before its rename.
  for (const auto& id : {cut_a, cut_b})
    fs::rename(disk_ + "/incoming/" + id + ".msg", disk_ + "/tmp/" + id + ".msg");
  auto a = open("node-a");
  ASSERT_TRUE(a);
  EXPECT_EQ(names_in("tmp"), std::vector<std::string>{cut_b + ".msg"});  // node-b may still be writing it
  EXPECT_EQ(*a->list(), std::vector<std::string>{committed});
}

INSTANTIATE_TEST_SUITE_P(Local, QueueOnFileSystem, ::testing::Values(std::string("posix"), std::string("smb_like")),
                         [](const auto& param_info) { return param_info.param; });
INSTANTIATE_TEST_SUITE_P(Smb, QueueOnFileSystem, ::testing::Values(std::string("smb")),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace dirmail::queue
