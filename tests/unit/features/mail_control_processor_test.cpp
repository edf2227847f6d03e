// MailControlProcessor on the real posix store and file queue in a temporary folder.
#include "dirmail/features/mail_control_processor.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

#include <gtest/gtest.h>

#include "../common/temp_dir.hpp"
#include "dirmail/base/posix_file.hpp"
#include "dirmail/queue/file_queue.hpp"
#include "dirmail/store/posix_mail_store.hpp"

namespace dirmail::features {
namespace {

constexpr std::string_view message =
    "From: sender@example.org\r\nSubject: hello\r\nMessage-ID: <m@example.org>\r\n\r\n0123456789abcdef\r\n";

class MailControlProcessorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto q = queue::FileQueue::open(dir / "queue", "node1");
    ASSERT_TRUE(q);
    queue = std::move(*q);
    root = dir / "mailbox";
    account.name = "bob";
    account.domain = "example.test";
  }

  void control(std::string_view name, std::string_view text) {
    ASSERT_TRUE(store.write_user_file(root, name, text));
  }

  // Queues `message` from `sender`, runs the processor on it; returns whether the copy was kept.
  Result<bool> run(std::string sender = "sender@example.org") {
    queue::Envelope env;
    env.sender = std::move(sender);
    env.recipients = {"bob@example.test"};
    env.received_at = 1;
    auto w = queue->begin(env);
    EXPECT_TRUE(w);
    EXPECT_TRUE((*w)->write(message_text));
    EXPECT_TRUE((*w)->commit());
    auto loaded = queue->load((*w)->id());
    EXPECT_TRUE(loaded);
    originals.push_back(loaded->id);
    int fd = ::open(loaded->path.c_str(), O_RDONLY | O_CLOEXEC);
    posix::UniqueFd owned(fd);
    stored = false;
    return processor.apply({*loaded, fd, account, root, loaded->id}, [this] {
      stored = true;
      return ok_status();
    });
  }

  // Messages the processor queued (not the original), loaded.
  std::vector<queue::QueuedMessage> generated() {
    std::vector<queue::QueuedMessage> out;
    auto ids = queue->list();
    EXPECT_TRUE(ids);
    for (const auto& id : *ids)
      if (std::find(originals.begin(), originals.end(), id) == originals.end()) out.push_back(*queue->load(id));
    return out;
  }

  std::string body_of(const queue::QueuedMessage& m) {
    int fd = ::open(m.path.c_str(), O_RDONLY | O_CLOEXEC);
    posix::UniqueFd owned(fd);
    return *posix::pread_up_to(fd, m.body_offset, m.body_size, m.path);
  }

  testing::TempDir dir;
  std::unique_ptr<queue::FileQueue> queue;
  store::PosixMailStore store{store::PosixMailStoreOptions{"host"}};
  std::vector<std::string> queued_ids;
  MailControlProcessor processor{store, *queue_placeholder(), [this](const std::string& id) { queued_ids.push_back(id); },
                                 MailControlOptions{true, "admin@example.test", "mail.example.test", std::chrono::seconds(3600)}};
  std::string root;
  std::vector<std::string> originals;  // the messages run() queued
  directory::Account account;
  bool stored = false;
  std::string message_text{message};

 private:
  // The processor needs the queue at construction; SetUp opens it into the same object.
  queue::Queue* queue_placeholder() { return &queue_ref; }
  class ForwardingQueue final : public queue::Queue {
   public:
    explicit ForwardingQueue(std::unique_ptr<queue::FileQueue>& q) : q_(q) {}
    Result<std::unique_ptr<queue::MessageWriter>> begin(const queue::Envelope& e) override { return q_->begin(e); }
    Result<std::vector<std::string>> list() override { return q_->list(); }
    Result<queue::QueuedMessage> load(std::string_view id) override { return q_->load(id); }
    Result<queue::ClaimedMessage> claim(std::string_view id) override { return q_->claim(id); }
    Status set_recipient_state(std::string_view id, std::size_t i, queue::RecipientState s, std::string_view r) override {
      return q_->set_recipient_state(id, i, s, r);
    }
    Status record_retry(std::string_view id, std::size_t i, const queue::RetryState& r) override {
      return q_->record_retry(id, i, r);
    }
    Status remove(std::string_view id) override { return q_->remove(id); }

   private:
    std::unique_ptr<queue::FileQueue>& q_;
  };
  ForwardingQueue queue_ref{queue};
};

TEST_F(MailControlProcessorTest, NoControlFileStoresTheCopy) {
  auto kept = run();
  ASSERT_TRUE(kept);
  EXPECT_TRUE(*kept);
  EXPECT_TRUE(stored);
  EXPECT_TRUE(generated().empty());
}

TEST_F(MailControlProcessorTest, ForwardWithDiscardAndSizeLimit) {
  control("IMS.CTL", "[AutoForward]\nForwardTo=Carol@Example.test\nReportTo=None\nSizeLimit=4\n[Delivery]\nDiscard=Yes\n");
  auto kept = run();
  ASSERT_TRUE(kept);
  EXPECT_FALSE(*kept);
  EXPECT_FALSE(stored);
  auto out = generated();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(queued_ids.size(), 1u);
  EXPECT_EQ(out[0].envelope.sender, "");  // ReportTo=None: bounces go nowhere
  EXPECT_EQ(out[0].envelope.recipients, std::vector<std::string>{"carol@example.test"});
  std::string body = body_of(out[0]);
  // Delivered-To marks the copy; the header whole; four bytes of the body.
  EXPECT_EQ(body, "Delivered-To: bob@example.test\r\n" + std::string(message.substr(0, message.find("\r\n\r\n") + 4)) + "0123");
}

TEST_F(MailControlProcessorTest, ReportToChoosesTheEnvelopeSender) {
  control("IMS.CTL", "[AutoForward]\nForwardTo=carol@example.test\nReportTo=Administrator\n");
  ASSERT_TRUE(run());
  EXPECT_TRUE(stored);  // no Discard: the copy stays
  ASSERT_EQ(generated().size(), 1u);
  EXPECT_EQ(generated()[0].envelope.sender, "admin@example.test");
}

TEST_F(MailControlProcessorTest, AdministratorsMailIsNotForwardedAndTheCopyStays) {
  control("IMS.CTL", "[AutoForward]\nForwardTo=carol@example.test\n[Delivery]\nDiscard=Yes\n");
  auto kept = run("Admin@Example.test");
  ASSERT_TRUE(kept);
  EXPECT_TRUE(*kept);
  EXPECT_TRUE(stored);
  EXPECT_TRUE(generated().empty());
}

TEST_F(MailControlProcessorTest, PermitFromAndFileList) {
  std::string list = dir / "team.txt";
  std::ofstream(list) << "x1@example.org\r\n; a comment\r\nX2@example.org\r\nbob@example.test\r\nnot an address\r\n";
  control("IMS.CTL", "[AutoForward]\nForwardTo=FILE:" + list + "\nPermitFrom=Yes\n");
  control("PERMITFROM.TXT", "@partner.example\r\n");
  ASSERT_TRUE(run("someone@example.org"));
  EXPECT_TRUE(generated().empty());  // not a permitted sender
  ASSERT_TRUE(run("someone@partner.example"));
  auto out = generated();
  ASSERT_EQ(out.size(), 1u);
  // The user's own address and the bad line are dropped.
  EXPECT_EQ(out[0].envelope.recipients, (std::vector<std::string>{"x1@example.org", "x2@example.org"}));
}

TEST_F(MailControlProcessorTest, DeleteAttachmentsForwardsTheTextOnly) {
  control("IMS.CTL", "[AutoForward]\nForwardTo=carol@example.test\nDeleteAttachments=Yes\n");
  message_text =
      "From: a@example.org\r\nSubject: x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
      "--b\r\nContent-Type: text/plain\r\n\r\nthe text\r\n"
      "--b\r\nContent-Type: application/zip\r\nContent-Disposition: attachment; filename=big.zip\r\n\r\nZIPDATA\r\n"
      "--b--\r\n";
  ASSERT_TRUE(run());
  auto out = generated();
  ASSERT_EQ(out.size(), 1u);
  std::string body = body_of(out[0]);
  EXPECT_EQ(body.rfind("Delivered-To: bob@example.test\r\n", 0), 0u);
  EXPECT_NE(body.find("the text"), std::string::npos);
  EXPECT_EQ(body.find("ZIPDATA"), std::string::npos);
  EXPECT_EQ(body.find("big.zip"), std::string::npos);
}

TEST_F(MailControlProcessorTest, AutoReplyRecordsAndAnswersOnce) {
  control("IMS.CTL", "[AutoReply]\nSubject=Away\nRecordReplies=Yes\nReplyOnce=Yes\n");
  control("AUTORPLY.TXT", "Back soon.\r\n");
  ASSERT_TRUE(run());
  auto out = generated();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].envelope.sender, "");
  EXPECT_EQ(out[0].envelope.recipients, std::vector<std::string>{"sender@example.org"});
  EXPECT_NE(body_of(out[0]).find("In-Reply-To: <m@example.org>\r\n"), std::string::npos);
  auto replied = store.read_user_file(root, "REPLIED.TXT", 1000);
  ASSERT_TRUE(replied && *replied);
  EXPECT_EQ(**replied, "sender@example.org\r\n");
  auto never = store.read_user_file(root, "NOREPLY.TXT", 1000);
  ASSERT_TRUE(never && *never);
  EXPECT_EQ(**never, "sender@example.org\r\n");
  ASSERT_TRUE(queue->remove(out[0].id));
  ASSERT_TRUE(run());
  EXPECT_TRUE(generated().empty());  // answered once
}

TEST_F(MailControlProcessorTest, ABrokenControlFileStillDelivers) {
  control("IMS.CTL", "this is not ini\n");
  auto kept = run();
  ASSERT_TRUE(kept);
  EXPECT_TRUE(*kept);
  EXPECT_TRUE(stored);
  EXPECT_TRUE(generated().empty());
}

TEST_F(MailControlProcessorTest, SwitchedOffByTheSetting) {
  control("IMS.CTL", "[AutoForward]\nForwardTo=carol@example.test\n[Delivery]\nDiscard=Yes\n");
  processor.set_options(MailControlOptions{false, "", "h", std::chrono::seconds(60)});
  ASSERT_TRUE(run());
  EXPECT_TRUE(stored);
  EXPECT_TRUE(generated().empty());
}

}  // namespace
}  // namespace dirmail::features
