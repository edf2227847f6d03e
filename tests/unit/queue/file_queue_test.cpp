#include "dirmail/queue/file_queue.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <barrier>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "../common/temp_dir.hpp"

namespace dirmail::queue {
namespace {

namespace fs = std::filesystem;
using dirmail::testing::TempDir;

Envelope envelope(std::vector<std::string> rcpts = {"bob@example.test", "carol@example.test"}) {
  Envelope e;
  e.sender = "alice@example.test";
  e.recipients = std::move(rcpts);
  e.client_address = "192.0.2.1";
  e.helo = "client.test";
  e.received_at = 1700000000;
  return e;
}

std::unique_ptr<FileQueue> open_queue(const std::string& dir, std::string node = "node-a") {
  auto q = FileQueue::open(dir, std::move(node));
  EXPECT_TRUE(q.ok()) << (q.ok() ? "" : q.error().message);
  return q.ok() ? std::move(*q) : nullptr;
}

std::string commit_message(Queue& queue, std::string_view body, const Envelope& e = envelope()) {
  auto writer = queue.begin(e);
  EXPECT_TRUE(writer.ok()) << (writer.ok() ? "" : writer.error().message);
  if (!writer.ok()) return {};
  EXPECT_TRUE((*writer)->write(body).ok());
  EXPECT_EQ((*writer)->size(), body.size());
  auto committed = (*writer)->commit();
  EXPECT_TRUE(committed.ok()) << (committed.ok() ? "" : committed.error().message);
  return (*writer)->id();
}

// The message bytes as delivery reads them: from body_offset, body_size bytes.
std::string body_of(const QueuedMessage& m) {
  std::ifstream in(m.path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string all = ss.str();
  EXPECT_EQ(all.size(), m.body_offset + m.body_size);
  return all.substr(m.body_offset, m.body_size);
}

std::vector<std::string> files_in(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

TEST(FileQueue, CommitThenLoadRoundTrips) {
  TempDir dir;
  auto queue = open_queue(dir.path());
  std::string body = "Subject: test\r\n\r\nhello\r\n";
  std::string id = commit_message(*queue, body);

  auto loaded = queue->load(id);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(loaded->id, id);
  EXPECT_EQ(loaded->envelope.sender, "alice@example.test");
  EXPECT_EQ(loaded->envelope.recipients, envelope().recipients);
  EXPECT_EQ(loaded->envelope.client_address, "192.0.2.1");
  EXPECT_EQ(loaded->envelope.helo, "client.test");
  EXPECT_EQ(loaded->envelope.received_at, 1700000000);
  EXPECT_EQ(loaded->states, (std::vector<RecipientState>(2, RecipientState::pending)));
  EXPECT_EQ(body_of(*loaded), body);
  EXPECT_EQ(loaded->path, dir.path() + "/incoming/" + id + ".msg");
  EXPECT_TRUE(files_in(dir / "tmp").empty());
}

TEST(FileQueue, LargeBodyCrossesTheWriteBuffer) {
  TempDir dir;
  auto queue = open_queue(dir.path());
  auto writer = queue->begin(envelope());
  ASSERT_TRUE(writer.ok());
  std::string expected;
  for (int i = 0; i < 5000; ++i) {
    std::string line = "line " + std::to_string(i) + " " + std::string(i % 97, 'x') + "\r\n";
    expected += line;
    ASSERT_TRUE((*writer)->write(line).ok());
  }
  std::string big(200 * 1024, 'B');  // one write larger than the buffer
  expected += big;
  ASSERT_TRUE((*writer)->write(big).ok());
  EXPECT_EQ((*writer)->size(), expected.size());
  ASSERT_TRUE((*writer)->commit().ok());
  auto loaded = queue->load((*writer)->id());
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(body_of(*loaded), expected);
}

TEST(FileQueue, IdsAreAlphanumericUniqueAndListedInArrivalOrder) {
  TempDir dir;
  auto queue = open_queue(dir.path());
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(commit_message(*queue, "m" + std::to_string(i)));
  for (const auto& id : ids) {
    EXPECT_FALSE(id.empty());
    EXPECT_TRUE(std::all_of(id.begin(), id.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)); }))
        << id;
  }
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size());
  auto listed = queue->list();
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(*listed, ids);

  // Another node sharing the folder makes different ids.
  auto other = open_queue(dir.path(), "node-b");
  std::string other_id = commit_message(*other, "from b");
  EXPECT_NE(other_id.substr(other_id.size() - 6), ids[0].substr(ids[0].size() - 6));
  EXPECT_EQ(queue->list()->back(), other_id);
}

TEST(FileQueue, AbortAndDestructionLeaveNothing) {
  TempDir dir;
  auto queue = open_queue(dir.path());
  {
    auto writer = queue->begin(envelope());
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->write("partial").ok());
    EXPECT_EQ(files_in(dir / "tmp").size(), 1u);
    (*writer)->abort();
    EXPECT_FALSE((*writer)->commit().ok());
  }
  {
    auto writer = queue->begin(envelope());
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->write("dropped by destructor").ok());
  }
  EXPECT_TRUE(files_in(dir / "tmp").empty());
  EXPECT_TRUE(files_in(dir / "incoming").empty());
  EXPECT_TRUE(queue->list()->empty());
}

TEST(FileQueue, BeginRefusesBadEnvelopes) {
  TempDir dir;
  auto queue = open_queue(dir.path());
  auto none = queue->begin(envelope({}));
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, ErrorCode::invalid_argument);
  auto injected = queue->begin(envelope({"bob@example.test\nrcpt evil@example.test"}));
  ASSERT_FALSE(injected.ok());
  EXPECT_EQ(injected.error().code, ErrorCode::invalid_argument);
  EXPECT_TRUE(files_in(dir / "tmp").empty());
}

TEST(FileQueue, UnfinishedMessagesAreDiscardedOnReopen) {
  TempDir dir;
  std::string committed;
  {
    auto queue = open_queue(dir.path());
    committed = commit_message(*queue, "kept");
    auto writer = queue->begin(envelope());
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->write("never committed").ok());
    // Simulate a crash: keep a second name of the tmp file, let the writer clean up,
    // then put the file back as a crashed process would have left it.
    std::string tmp = dir / ("tmp/" + (*writer)->id() + ".msg");
    fs::create_hard_link(tmp, dir / "saved");
    writer = make_error(ErrorCode::cancelled, "dropped");
    queue.reset();
    fs::rename(dir / "saved", tmp);
  }
  ASSERT_EQ(files_in(dir / "tmp").size(), 1u);
  auto reopened = open_queue(dir.path());
  EXPECT_TRUE(files_in(dir / "tmp").empty());
  EXPECT_EQ(*reopened->list(), std::vector<std::string>{committed});
}

TEST(FileQueue, ReopenDoesNotDiscardWhileAnotherInstanceIsOpen) {
  TempDir dir;
  auto first = open_queue(dir.path());
  auto writer = first->begin(envelope());
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->write("in progress").ok());
  auto second = open_queue(dir.path());  // e.g. an admin tool
  ASSERT_EQ(files_in(dir / "tmp").size(), 1u);
  ASSERT_TRUE((*writer)->commit().ok());
  EXPECT_EQ(second->list()->size(), 1u);
}

TEST(FileQueue, RecipientStatesAreRecordedAndSurviveReopen) {
  TempDir dir;
  std::string id;
  {
    auto queue = open_queue(dir.path());
    id = commit_message(*queue, "m", envelope({"a@x.test", "b@x.test", "c@x.test"}));
    ASSERT_TRUE(queue->set_recipient_state(id, 0, RecipientState::delivered, "250 ok").ok());
    ASSERT_TRUE(queue->set_recipient_state(id, 2, RecipientState::failed, "550 5.1.1 no such user").ok());
  }
  auto queue = open_queue(dir.path());
  auto loaded = queue->load(id);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->states, (std::vector<RecipientState>{RecipientState::delivered, RecipientState::pending,
                                                         RecipientState::failed}));
  EXPECT_EQ(loaded->state_reasons[2], "550 5.1.1 no such user");

  EXPECT_EQ(queue->set_recipient_state(id, 1, RecipientState::pending, "").error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(queue->set_recipient_state("NOSUCHID", 0, RecipientState::delivered, "").error().code,
            ErrorCode::not_found);
}

TEST(FileQueue, TornStateLineDoesNotSwallowTheNextRecord) {
  TempDir dir;
  auto queue = open_queue(dir.path());
  std::string id = commit_message(*queue, "m", envelope({"a@x.test", "b@x.test"}));
  ASSERT_TRUE(queue->set_recipient_state(id, 0, RecipientState::delivered, "250 ok").ok());
  std::ofstream(dir / ("incoming/" + id + ".state"), std::ios::app) << "1 deliv";  // crash mid-append
  auto loaded = queue->load(id);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->states[1], RecipientState::pending);
  ASSERT_TRUE(queue->set_recipient_state(id, 1, RecipientState::failed, "550 no").ok());
  loaded = queue->load(id);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->states[0], RecipientState::delivered);
  EXPECT_EQ(loaded->states[1], RecipientState::failed);
}

TEST(FileQueue, RemoveDeletesMessageAndState) {
  TempDir dir;
  auto queue = open_queue(dir.path());
  std::string id = commit_message(*queue, "m");
  ASSERT_TRUE(queue->set_recipient_state(id, 0, RecipientState::delivered, "ok").ok());
  ASSERT_TRUE(queue->remove(id).ok());
  EXPECT_TRUE(files_in(dir / "incoming").empty());
  EXPECT_EQ(queue->load(id).error().code, ErrorCode::not_found);
  EXPECT_EQ(queue->remove(id).error().code, ErrorCode::not_found);
}

TEST(FileQueue, RemoveSyncsOnlyWhenResultsWereRecorded) {
  TempDir dir;
  auto queue = open_queue(dir.path());
  std::string plain = commit_message(*queue, "done in one pass");
  std::string partial = commit_message(*queue, "some recipients recorded");
  ASSERT_TRUE(queue->set_recipient_state(partial, 0, RecipientState::delivered, "").ok());
  std::uint64_t before = queue->directory_syncs();
  ASSERT_TRUE(queue->remove(plain).ok());
  EXPECT_EQ(queue->directory_syncs(), before);  // comes back whole if a crash undoes it
  ASSERT_TRUE(queue->remove(partial).ok());
  EXPECT_EQ(queue->directory_syncs(), before + 1);  // must not come back without its results
  auto ids = queue->list();
  ASSERT_TRUE(ids.ok());
  EXPECT_TRUE(ids->empty());
}

TEST(FileQueue, OrphanStateFileIsRemovedOnReopen) {
  TempDir dir;
  { auto queue = open_queue(dir.path()); }
  std::ofstream(dir / "incoming/00000000000001AAAA123456.state") << "0 delivered ok\n";
  auto queue = open_queue(dir.path());
  EXPECT_TRUE(files_in(dir / "incoming").empty());
}

TEST(FileQueue, LoadRefusesBadIdsAndMalformedFiles) {
  TempDir dir;
  auto queue = open_queue(dir.path());
  EXPECT_EQ(queue->load("../../etc/passwd").error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(queue->load("").error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(queue->load("ABSENT").error().code, ErrorCode::not_found);

  std::ofstream(dir / "incoming/BROKEN.msg") << "not a queue file\n\nbody";
  auto broken = queue->load("BROKEN");
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.error().message.find("BROKEN.msg"), std::string::npos) << broken.error().message;

  std::ofstream(dir / "incoming/OTHER.msg") << "DIRMAIL-QUEUE 1\nid SOMEONEELSE\nreceived 1\nfrom a@b\nrcpt c@d\n\nx";
  EXPECT_FALSE(queue->load("OTHER").ok());

  std::ofstream(dir / "incoming/NOEND.msg") << "DIRMAIL-QUEUE 1\nid NOEND\nreceived 1\nfrom a@b\nrcpt c@d\n";
  EXPECT_FALSE(queue->load("NOEND").ok());
}

TEST(FileQueue, ConcurrentCommitsShareDirectorySyncs) {
  TempDir dir;
  auto queue = open_queue(dir.path());
  constexpr int kThreads = 16;
  std::vector<std::unique_ptr<MessageWriter>> writers;
  for (int i = 0; i < kThreads; ++i) {
    auto w = queue->begin(envelope());
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->write("message " + std::to_string(i)).ok());
    writers.push_back(std::move(*w));
  }
  std::uint64_t syncs_before = queue->directory_syncs();
  std::barrier start(kThreads);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      if (!writers[i]->commit().ok()) ++failures;
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_EQ(failures.load(), 0);
  std::uint64_t syncs = queue->directory_syncs() - syncs_before;
  EXPECT_GE(syncs, 1u);
  EXPECT_LT(syncs, static_cast<std::uint64_t>(kThreads));

  for (int i = 0; i < kThreads; ++i) {
    auto loaded = queue->load(writers[i]->id());
    ASSERT_TRUE(loaded.ok());
    EXPECT_EQ(body_of(*loaded), "message " + std::to_string(i));
  }
  EXPECT_EQ(queue->list()->size(), static_cast<std::size_t>(kThreads));
}

TEST(FileQueue, WriterOutlivesTheQueue) {
  TempDir dir;
  auto queue = open_queue(dir.path());
  auto writer = queue->begin(envelope());
  ASSERT_TRUE(writer.ok());
  queue.reset();
  ASSERT_TRUE((*writer)->write("late").ok());
  ASSERT_TRUE((*writer)->commit().ok());
  auto reopened = open_queue(dir.path());
  auto loaded = reopened->load((*writer)->id());
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(body_of(*loaded), "late");
}

}  // namespace
}  // namespace dirmail::queue
