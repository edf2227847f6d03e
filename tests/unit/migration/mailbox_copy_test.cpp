// copy_mailbox: the original's mailboxes (written by the migration fixture generator,
// tests/integration/fixtures/soft_accounts.py, or built here) copied into a real
// PosixMailStore, and what a POP3 or IMAP client would then see in the store: the
// original's UIDLs, flags, dates, sizes and folders; and that runs repeat safely.
#include "dirmail/migration/mailbox_copy.hpp"

#include <sys/time.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <fmt/format.h>

#include <gtest/gtest.h>

#include "../common/file_bytes.hpp"
#include "../common/temp_dir.hpp"
#include "dirmail/base/strings.hpp"
#include "dirmail/store/posix_mail_store.hpp"

namespace dirmail::migration {
namespace {

namespace fs = std::filesystem;
using dirmail::testing::TempDir;
constexpr auto slurp = dirmail::testing::file_bytes;

void write_file(const std::string& path, std::string_view data, std::int64_t mtime = 0) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << data;
  if (mtime != 0) {
    struct timeval times[2] = {{static_cast<time_t>(mtime), 0}, {static_cast<time_t>(mtime), 0}};
    ASSERT_EQ(::utimes(path.c_str(), times), 0);
  }
}

std::string run(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof(buf), pipe)) > 0;) out.append(buf, n);
  EXPECT_EQ(::pclose(pipe), 0) << command;
  return out;
}

// What the generator's manifest.json says, flattened by Python (the generator's own
// language) into lines this test reads.
struct ExpectedMessage {
  std::string folder, file, uidl;
  std::uint64_t size = 0;
  std::int64_t modified = 0;
  std::uint8_t flags = 0;
};
struct ExpectedAccount {
  std::string account, mailbox;
  std::vector<std::string> folders, control_files;
  std::vector<ExpectedMessage> messages;
};

constexpr const char* kFlatten = R"PY(
import json, sys
bits = {"\\Seen": 1, "\\Answered": 2, "\\Flagged": 4, "\\Draft": 16}
m = json.load(open(sys.argv[1], encoding="utf-8"))
for a in m["accounts"]:
    if "messages" not in a:
        continue
    print("A", a["account"], a["mailbox"], ",".join(a["folders"]), ",".join(a["control_files"]), sep="\t")
    for x in a["messages"]:
        print("M", x["folder"], x["file"], x["uidl"], x["size"], x["modified"],
              sum(bits[f] for f in x["flags"]), sep="\t")
)PY";

std::vector<std::string> list(std::string_view s) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  for (auto part : split(s, ',')) out.emplace_back(part);
  return out;
}

std::vector<ExpectedAccount> generate(const std::string& out, const std::string& options) {
  const fs::path generator = fs::path(__FILE__).parent_path() / "../../integration/fixtures/soft_accounts.py";
  run("/usr/bin/python3 " + generator.string() + " --out " + out + " " + options + " >/dev/null");
  const std::string script = out + "-flatten.py";
  std::ofstream(script) << kFlatten;
  std::string text = run("PYTHONIOENCODING=utf-8 /usr/bin/python3 " + script + " " + out + "/manifest.json");
  std::vector<ExpectedAccount> accounts;
  for (auto line : split(text, '\n')) {
    auto f = split(line, '\t');
    if (f.size() == 5 && f[0] == "A") {
      accounts.push_back({std::string(f[1]), out + "/" + std::string(f[2]), list(f[3]), list(f[4]), {}});
    } else if (f.size() == 7 && f[0] == "M" && !accounts.empty()) {
      accounts.back().messages.push_back({std::string(f[1]), std::string(f[2]), std::string(f[3]),
                                          std::stoull(std::string(f[4])), std::stoll(std::string(f[5])),
                                          static_cast<std::uint8_t>(std::stoi(std::string(f[6])))});
    }
  }
  return accounts;
}

std::string read_stored(store::MailStore& store, const std::string& root, std::string_view folder, std::uint32_t uid) {
  auto reader = store.open_message(root, folder, uid);
  EXPECT_TRUE(reader.ok());
  if (!reader.ok()) return {};
  std::string out;
  char buf[4096];
  for (;;) {
    auto n = (*reader)->read(buf);
    if (!n.ok() || *n == 0) break;
    out.append(buf, *n);
  }
  return out;
}

const store::MessageInfo* find_uidl(const store::FolderStatus& status, std::string_view uidl) {
  for (const auto& m : status.messages)
    if (m.uidl == uidl) return &m;
  return nullptr;
}

// A store passing every call to another; the test stores below change one call.
class ForwardingStore : public store::MailStore {
 public:
  explicit ForwardingStore(store::MailStore& inner) : s_(inner) {}
  std::string_view backend_name() const override { return "forwarding"; }
  Result<store::MessageInfo> deliver(const std::string& r, std::string_view f,
                                     const store::DeliverySource& s) override {
    return s_.deliver(r, f, s);
  }
  Result<store::FolderStatus> status(const std::string& r, std::string_view f) override { return s_.status(r, f); }
  Result<std::unique_ptr<store::MessageReader>> open_message(const std::string& r, std::string_view f,
                                                             std::uint32_t uid) override {
    return s_.open_message(r, f, uid);
  }
  Result<void> set_flags(const std::string& r, std::string_view f, std::uint32_t uid, std::uint8_t flags) override {
    return s_.set_flags(r, f, uid, flags);
  }
  Result<store::FlagUpdateResult> update_flags(const std::string& r, std::string_view f,
                                               std::span<const std::uint32_t> uids,
                                               const store::FlagUpdate& u) override {
    return s_.update_flags(r, f, uids, u);
  }
  Result<void> expunge(const std::string& r, std::string_view f, std::span<const std::uint32_t> uids) override {
    return s_.expunge(r, f, uids);
  }
  Result<std::uint64_t> usage(const std::string& r) override { return s_.usage(r); }
  Result<std::optional<std::string>> read_user_file(const std::string& r, std::string_view n,
                                                    std::size_t max) override {
    return s_.read_user_file(r, n, max);
  }
  Status write_user_file(const std::string& r, std::string_view n, std::string_view d) override {
    return s_.write_user_file(r, n, d);
  }
  Result<std::vector<std::string>> list_folders(const std::string& r) override { return s_.list_folders(r); }
  Status create_folder(const std::string& r, std::string_view f) override { return s_.create_folder(r, f); }
  Status delete_folder(const std::string& r, std::string_view f) override { return s_.delete_folder(r, f); }
  Status rename_folder(const std::string& r, std::string_view a, std::string_view b) override {
    return s_.rename_folder(r, a, b);
  }
  Result<store::AppendResult> append(const std::string& r, std::string_view f, const store::DeliverySource& s,
                                     const store::AppendOptions& o) override {
    return s_.append(r, f, s, o);
  }
  Result<store::CopyResult> copy(const std::string& r, std::string_view from, std::span<const std::uint32_t> uids,
                                 std::string_view to) override {
    return s_.copy(r, from, uids, to);
  }
  Result<std::vector<std::string>> subscriptions(const std::string& r) override { return s_.subscriptions(r); }
  Status set_subscriptions(const std::string& r, const std::vector<std::string>& n) override {
    return s_.set_subscriptions(r, n);
  }
  Status acquire_lease(const std::string& r, std::string_view h, std::int64_t e,
                       const std::function<bool(std::string_view)>& stale) override {
    return s_.acquire_lease(r, h, e, stale);
  }
  Status release_lease(const std::string& r, std::string_view h) override { return s_.release_lease(r, h); }

 protected:
  store::MailStore& s_;
};

// A store whose status() does not show the folder's messages, as a run sees a folder
// read before an earlier, cut-short run's copies were listed: only the named
// deliveries can keep it from storing them twice.
class StatusHidingStore final : public ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  Result<store::FolderStatus> status(const std::string& r, std::string_view f) override {
    auto status = s_.status(r, f);
    if (status) status->messages.clear();
    return status;
  }
};

// A store whose disk fails (io_error) from the `fail_at`th append on, as a run killed
// part way through a folder stops storing; before each append it notes how many
// entries `journal_file` held, which is what a kill at that moment would leave.
class FailingAppendStore final : public ForwardingStore {
 public:
  FailingAppendStore(store::MailStore& inner, std::string journal_file, std::size_t fail_at)
      : ForwardingStore(inner), journal_file_(std::move(journal_file)), fail_at_(fail_at) {}
  Result<store::AppendResult> append(const std::string& r, std::string_view f, const store::DeliverySource& s,
                                     const store::AppendOptions& o) override {
    journaled_before_append.push_back(journal_entries());
    if (journaled_before_append.size() >= fail_at_) return make_error(ErrorCode::io_error, "disk gone");
    return s_.append(r, f, s, o);
  }
  std::size_t journal_entries() const {
    const std::string text = slurp(journal_file_);
    std::size_t n = 0;
    for (auto line : split(text, '\n'))
      if (parse_journal_line(line)) ++n;
    return n;
  }
  std::vector<std::size_t> journaled_before_append;

 private:
  std::string journal_file_;
  std::size_t fail_at_;
};

class MailboxCopyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto journal = MigrationJournal::open(dir_ / "state");
    ASSERT_TRUE(journal.ok()) << journal.error().message;
    journal_.emplace(std::move(*journal));
  }

  MailboxCopyResult copy(const std::string& original, const std::string& root, MailboxCopyOptions options = {},
                         store::MailStore* into = nullptr) {
    auto mailbox = read_original_mailbox(original);
    EXPECT_TRUE(mailbox.ok()) << (mailbox.ok() ? "" : mailbox.error().message);
    if (!mailbox.ok()) return {};
    options.spool_dir = dir_ / "spool";
    auto result = copy_mailbox(*mailbox, into ? *into : store_, root, *journal_, options);
    EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message);
    return result.ok() ? std::move(*result) : MailboxCopyResult{};
  }

  store::FolderStatus status(const std::string& root, std::string_view folder) {
    auto s = store_.status(root, folder);
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    return s.ok() ? std::move(*s) : store::FolderStatus{};
  }

  std::string root_of(const std::string& account) { return dir_ / ("mail/" + account); }

  // As if the journal had never been written: its file gone, and a new run reading it.
  void lose_journal(const std::string& root) {
    fs::remove(journal_->file_of(root));
    auto fresh = MigrationJournal::open(dir_ / "state");
    ASSERT_TRUE(fresh.ok());
    journal_.emplace(std::move(*fresh));
  }

  TempDir dir_;
  store::PosixMailStore store_;
  std::optional<MigrationJournal> journal_;
};

TEST_F(MailboxCopyTest, GeneratedMailboxesArriveWithTheirUidlsFlagsDatesSizesAndFolders) {
  auto accounts = generate(dir_ / "original", "--accounts 24 --seed 21 --flags --folders --dates");
  ASSERT_EQ(accounts.size(), 24u);
  std::size_t total = 0, flagged = 0, in_folders = 0, user_files = 0;
  for (const auto& a : accounts) {
    SCOPED_TRACE(a.account);
    const std::string root = root_of(a.account);
    auto result = copy(a.mailbox, root);
    std::uint64_t bytes = 0;
    for (const auto& m : a.messages) bytes += m.size;
    EXPECT_EQ(result.copied, a.messages.size());
    EXPECT_EQ(result.already_there, 0u);
    EXPECT_EQ(result.bytes, bytes);
    EXPECT_EQ(result.user_files, a.control_files.size());
    EXPECT_TRUE(result.problems.empty()) << result.problems.front();

    if (!a.messages.empty() || !a.control_files.empty()) {
      auto folders = store_.list_folders(root);
      ASSERT_TRUE(folders.ok());
      std::vector<std::string> expected{"INBOX"};
      expected.insert(expected.end(), a.folders.begin(), a.folders.end());
      EXPECT_EQ(*folders, expected);
    }
    std::map<std::string, std::size_t> per_folder;
    for (const auto& m : a.messages) {
      const auto st = status(root, m.folder);
      const store::MessageInfo* info = find_uidl(st, m.uidl);
      ASSERT_NE(info, nullptr) << m.folder << "/" << m.file;
      EXPECT_EQ(info->flags, m.flags) << m.file;
      EXPECT_EQ(info->internal_date, m.modified) << m.file;
      EXPECT_EQ(info->size, m.size) << m.file;
      const std::string on_disk = a.mailbox + (m.folder == "INBOX" ? "" : "/" + m.folder) + "/" + m.file;
      EXPECT_EQ(read_stored(store_, root, m.folder, info->uid), slurp(on_disk)) << m.file;
      ++per_folder[m.folder];
      flagged += m.flags != 0 ? 1 : 0;
      in_folders += m.folder != "INBOX" ? 1 : 0;
    }
    for (const auto& [folder, count] : per_folder) EXPECT_EQ(status(root, folder).messages.size(), count);
    for (const auto& name : a.control_files) {
      auto stored = store_.read_user_file(root, name, 1 << 20);
      ASSERT_TRUE(stored.ok() && stored->has_value()) << name;
      EXPECT_EQ(**stored, slurp(a.mailbox + "/" + name));
    }
    total += a.messages.size();
    user_files += a.control_files.size();
  }
  // The fixture gave this test something to check.
  EXPECT_GT(total, 20u);
  EXPECT_GT(flagged, 3u);
  EXPECT_GT(in_folders, 3u);
  EXPECT_GT(user_files, 0u);

  // A second run copies nothing and says all was there.
  for (const auto& a : accounts) {
    auto again = copy(a.mailbox, root_of(a.account));
    EXPECT_EQ(again.copied, 0u);
    EXPECT_EQ(again.already_there, a.messages.size());
    EXPECT_EQ(again.user_files, 0u);
    EXPECT_EQ(again.bytes, 0u);
  }
}

TEST_F(MailboxCopyTest, AMessageDeletedAfterTheFirstRunIsNotBroughtBack) {
  write_file(dir_ / "box/AAA1.EML", "Subject: 1\r\n\r\none\r\n", 1700000001);
  write_file(dir_ / "box/AAA2.EML", "Subject: 2\r\n\r\ntwo\r\n", 1700000002);
  write_file(dir_ / "box/AAA3.EML", "Subject: 3\r\n\r\nthree\r\n", 1700000003);
  const std::string root = root_of("user");
  EXPECT_EQ(copy(dir_ / "box", root).copied, 3u);
  auto st = status(root, "INBOX");
  ASSERT_EQ(st.messages.size(), 3u);
  const std::uint32_t deleted = find_uidl(st, "AAA2")->uid;
  ASSERT_TRUE(store_.expunge(root, "INBOX", std::span<const std::uint32_t>(&deleted, 1)).ok());

  auto again = copy(dir_ / "box", root);
  EXPECT_EQ(again.copied, 0u);
  EXPECT_EQ(again.already_there, 3u);
  EXPECT_EQ(status(root, "INBOX").messages.size(), 2u);
  EXPECT_EQ(find_uidl(status(root, "INBOX"), "AAA2"), nullptr);

  // It is the journal that remembers: without it the message comes back.
  auto other = MigrationJournal::open(dir_ / "other-state");
  ASSERT_TRUE(other.ok());
  journal_.emplace(std::move(*other));
  auto without = copy(dir_ / "box", root);
  EXPECT_EQ(without.copied, 1u);
  EXPECT_NE(find_uidl(status(root, "INBOX"), "AAA2"), nullptr);
}

TEST_F(MailboxCopyTest, ARunCutShortBeforeItsJournalLeavesOneCopy) {
  write_file(dir_ / "box/B1.EML", "Subject: 1\r\n\r\none\r\n", 1700000001);
  write_file(dir_ / "box/Sent/B2.EML", "Subject: 2\r\n\r\ntwo\r\n", 1700000002);
  const std::string root = root_of("user");
  EXPECT_EQ(copy(dir_ / "box", root).copied, 2u);
  // The journal never written (the run died after storing): the folder's UIDLs say it.
  lose_journal(root);
  auto again = copy(dir_ / "box", root);
  EXPECT_EQ(again.copied, 0u);
  EXPECT_EQ(again.already_there, 2u);
  // And where the folder read does not show them, the named deliveries do.
  lose_journal(root);
  StatusHidingStore hiding(store_);
  auto blind = copy(dir_ / "box", root, {}, &hiding);
  EXPECT_EQ(blind.copied, 0u);
  EXPECT_EQ(blind.already_there, 2u);
  EXPECT_TRUE(blind.problems.empty());
  EXPECT_EQ(status(root, "INBOX").messages.size(), 1u);
  EXPECT_EQ(status(root, "Sent").messages.size(), 1u);
}

TEST_F(MailboxCopyTest, CopiesOfARunKilledBeforeItsJournalAreJournaledByTheNext) {
  write_file(dir_ / "box/G1.EML", "Subject: 1\r\n\r\none\r\n", 1700000001);
  write_file(dir_ / "box/G2.EML", "Subject: 2\r\n\r\ntwo\r\n", 1700000002);
  write_file(dir_ / "box/Sent/G3.EML", "Subject: 3\r\n\r\nthree\r\n", 1700000003);
  const std::string root = root_of("user");
  EXPECT_EQ(copy(dir_ / "box", root).copied, 3u);
  lose_journal(root);  // killed after storing, before journaling
  auto again = copy(dir_ / "box", root);
  EXPECT_EQ(again.copied, 0u);
  EXPECT_EQ(again.already_there, 3u);
  EXPECT_EQ(slurp(journal_->file_of(root)),
            "# dirmail-import journal: " + root + "\nINBOX\tG1\nINBOX\tG2\nSent\tG3\n");

  // The user deletes one over POP3; the next run must not bring it back.
  auto st = status(root, "INBOX");
  ASSERT_NE(find_uidl(st, "G2"), nullptr);
  const std::uint32_t deleted = find_uidl(st, "G2")->uid;
  ASSERT_TRUE(store_.expunge(root, "INBOX", std::span<const std::uint32_t>(&deleted, 1)).ok());
  auto fresh = MigrationJournal::open(dir_ / "state");
  ASSERT_TRUE(fresh.ok());
  journal_.emplace(std::move(*fresh));
  auto later = copy(dir_ / "box", root);
  EXPECT_EQ(later.copied, 0u);
  EXPECT_EQ(later.already_there, 3u);
  EXPECT_EQ(status(root, "INBOX").messages.size(), 1u);
  EXPECT_EQ(find_uidl(status(root, "INBOX"), "G2"), nullptr);
}

TEST_F(MailboxCopyTest, AFolderLargerThanABatchIsJournaledAsItIsCopied) {
  const std::size_t total = 2 * journal_batch_messages + 10;
  const std::size_t fail_at = 2 * journal_batch_messages + 5;  // this append finds the disk gone
  for (std::size_t i = 0; i < total; ++i)
    write_file(dir_ / fmt::format("box/H{:04}.EML", i), fmt::format("Subject: {}\r\n\r\nbody\r\n", i), 1700000000);
  const std::string root = root_of("user");
  auto mailbox = read_original_mailbox(dir_ / "box");
  ASSERT_TRUE(mailbox.ok());
  FailingAppendStore failing(store_, journal_->file_of(root), fail_at);
  MailboxCopyOptions options;
  options.spool_dir = dir_ / "spool";
  auto result = copy_mailbox(*mailbox, failing, root, *journal_, options);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::io_error);

  // A kill at any append would have left all but the last batch journaled.
  const auto& seen = failing.journaled_before_append;
  ASSERT_EQ(seen.size(), fail_at);
  EXPECT_EQ(seen[0], 0u);
  EXPECT_EQ(seen[journal_batch_messages - 1], 0u);
  EXPECT_EQ(seen[journal_batch_messages], journal_batch_messages);
  EXPECT_EQ(seen[2 * journal_batch_messages], 2 * journal_batch_messages);
  // The error is returned after what was stored is journaled.
  EXPECT_EQ(failing.journal_entries(), fail_at - 1);
  EXPECT_EQ(status(root, "INBOX").messages.size(), fail_at - 1);

  auto rest = copy(dir_ / "box", root);
  EXPECT_EQ(rest.copied, total - (fail_at - 1));
  EXPECT_EQ(rest.already_there, fail_at - 1);
  EXPECT_EQ(status(root, "INBOX").messages.size(), total);
  EXPECT_EQ(failing.journal_entries(), total);
}

TEST_F(MailboxCopyTest, ADryRunWithoutAStateFolderCreatesNone) {
  write_file(dir_ / "box/K1.EML", "Subject: 1\r\n\r\none\r\n");
  const std::string root = root_of("user");
  EXPECT_EQ(copy(dir_ / "box", root).copied, 1u);
  write_file(dir_ / "box/K2.EML", "Subject: 2\r\n\r\ntwo\r\n");
  // K1 is in the folder but not in this journal: a real run would journal it.
  const std::string state = dir_ / "dry-state";
  auto read_only = MigrationJournal::open_read_only(state);
  ASSERT_TRUE(read_only.ok()) << read_only.error().message;
  journal_.emplace(std::move(*read_only));
  MailboxCopyOptions options;
  options.dry_run = true;
  auto result = copy(dir_ / "box", root, options);
  EXPECT_EQ(result.copied, 1u);
  EXPECT_EQ(result.already_there, 1u);
  EXPECT_TRUE(result.problems.empty());
  EXPECT_FALSE(fs::exists(state));
  EXPECT_EQ(status(root, "INBOX").messages.size(), 1u);
}

TEST_F(MailboxCopyTest, MessagesKeepTheOriginalsOrder) {
  // POP3 lists by UID: the original's order is its files' times, then their names.
  write_file(dir_ / "box/Z9.EML", "Subject: first\r\n\r\n", 1700000001);
  write_file(dir_ / "box/B2.EML", "Subject: third\r\n\r\n", 1700000300);
  write_file(dir_ / "box/A1.EML", "Subject: second\r\n\r\n", 1700000300);
  const std::string root = root_of("user");
  EXPECT_EQ(copy(dir_ / "box", root).copied, 3u);
  std::vector<std::string> by_uid;
  for (const auto& m : status(root, "INBOX").messages) by_uid.push_back(m.uidl);
  EXPECT_EQ(by_uid, (std::vector<std::string>{"Z9", "A1", "B2"}));
}

TEST_F(MailboxCopyTest, DryRunCountsAndWritesNothing) {
  write_file(dir_ / "box/C1.EML", "Subject: 1\r\n\r\none\r\n");
  write_file(dir_ / "box/Archive/C2.EML", "Subject: 2\r\n\r\ntwo\r\n");
  write_file(dir_ / "box/IMS.CTL", "[AutoReply]\r\n");
  const std::string root = root_of("user");
  MailboxCopyOptions options;
  options.dry_run = true;
  auto result = copy(dir_ / "box", root, options);
  EXPECT_EQ(result.copied, 2u);
  EXPECT_EQ(result.bytes, 2 * std::string_view("Subject: 1\r\n\r\none\r\n").size());
  EXPECT_EQ(result.user_files, 1u);
  EXPECT_TRUE(result.problems.empty());
  EXPECT_FALSE(fs::exists(root));
  EXPECT_FALSE(fs::exists(journal_->file_of(root)));
}

TEST_F(MailboxCopyTest, UnreadableMessagesAreProblemsAndTheRestIsCopied) {
  write_file(dir_ / "box/D1.EML", "Subject: 1\r\n\r\none\r\n");
  write_file(dir_ / "box/D2.EML", "Subject: 2\r\n\r\ntwo\r\n");
  write_file(dir_ / "box/D3.EML", "Subject: 3\r\n\r\nthree\r\n");
  auto mailbox = read_original_mailbox(dir_ / "box");
  ASSERT_TRUE(mailbox.ok());
  // Gone since the tree was read, and made a link to elsewhere (never followed).
  fs::remove(dir_ / "box/D1.EML");
  fs::remove(dir_ / "box/D3.EML");
  write_file(dir_ / "secret", "Subject: not yours\r\n\r\n");
  fs::create_symlink(dir_ / "secret", dir_ / "box/D3.EML");
  const std::string root = root_of("user");
  auto result = copy_mailbox(*mailbox, store_, root, *journal_);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->copied, 1u);
  ASSERT_EQ(result->problems.size(), 2u);
  EXPECT_TRUE(result->problems[0].starts_with("INBOX/D1.EML: ")) << result->problems[0];
  EXPECT_TRUE(result->problems[1].starts_with("INBOX/D3.EML: ")) << result->problems[1];
  auto st = status(root, "INBOX");
  ASSERT_EQ(st.messages.size(), 1u);
  EXPECT_EQ(st.messages[0].uidl, "D2");
  // Not journaled: once readable again, the next run copies them.
  fs::remove(dir_ / "box/D3.EML");
  write_file(dir_ / "box/D1.EML", "Subject: 1\r\n\r\none\r\n");
  write_file(dir_ / "box/D3.EML", "Subject: 3\r\n\r\nthree\r\n");
  auto later = copy(dir_ / "box", root);
  EXPECT_EQ(later.copied, 2u);
  EXPECT_EQ(later.already_there, 1u);
}

TEST_F(MailboxCopyTest, BareLineEndsAreStoredAsCrlf) {
  write_file(dir_ / "box/E1.EML", "Subject: lf\nStatus: RO\n\nline 1\nline 2\r\nline 3\rline 4\r");
  const std::string root = root_of("user");
  auto result = copy(dir_ / "box", root);
  const std::string crlf = "Subject: lf\r\nStatus: RO\r\n\r\nline 1\r\nline 2\r\nline 3\r\nline 4\r\n";
  EXPECT_EQ(result.copied, 1u);
  EXPECT_EQ(result.bytes, crlf.size());
  auto st = status(root, "INBOX");
  ASSERT_EQ(st.messages.size(), 1u);
  EXPECT_EQ(st.messages[0].size, crlf.size());
  EXPECT_EQ(st.messages[0].flags, store::flag_seen);
  EXPECT_EQ(read_stored(store_, root, "INBOX", st.messages[0].uid), crlf);
}

TEST_F(MailboxCopyTest, UserFilesTheTargetHasAreKept) {
  write_file(dir_ / "box/ims.ctl", "[AutoReply]\r\nSubject=old\r\n");
  write_file(dir_ / "box/NOREPLY.TXT", "list@example.org\r\n");
  write_file(dir_ / "box/AUTORPLY.TXT", std::string(max_user_file_bytes + 1, 'x'));
  const std::string root = root_of("user");
  ASSERT_TRUE(store_.write_user_file(root, "NOREPLY.TXT", "mine@example.org\r\n").ok());
  auto result = copy(dir_ / "box", root);
  EXPECT_EQ(result.user_files, 1u);
  ASSERT_EQ(result.problems.size(), 1u);
  EXPECT_TRUE(result.problems[0].starts_with("AUTORPLY.TXT: larger than")) << result.problems[0];
  auto ims = store_.read_user_file(root, "IMS.CTL", 4096);  // the store's name, whatever the copy's case
  ASSERT_TRUE(ims.ok() && ims->has_value());
  EXPECT_EQ(**ims, "[AutoReply]\r\nSubject=old\r\n");
  auto noreply = store_.read_user_file(root, "NOREPLY.TXT", 4096);
  ASSERT_TRUE(noreply.ok() && noreply->has_value());
  EXPECT_EQ(**noreply, "mine@example.org\r\n");
}

TEST_F(MailboxCopyTest, OnlyTheHeaderSectionGivesFlags) {
  // A Status: field in the body, and one after a header section longer than is read.
  write_file(dir_ / "box/F1.EML", "Subject: a\r\n\r\nStatus: RO\r\n");
  write_file(dir_ / "box/F2.EML",
             "X-Pad: " + std::string(max_status_header_bytes, 'p') + "\r\nStatus: RO\r\n\r\nbody\r\n");
  write_file(dir_ / "box/F3.EML", "Subject: c\r\nX-Status: AFD\r\n\r\nbody\r\n");
  const std::string root = root_of("user");
  EXPECT_EQ(copy(dir_ / "box", root).copied, 3u);
  auto st = status(root, "INBOX");
  ASSERT_EQ(st.messages.size(), 3u);
  EXPECT_EQ(find_uidl(st, "F1")->flags, 0);
  EXPECT_EQ(find_uidl(st, "F2")->flags, 0);
  EXPECT_EQ(find_uidl(st, "F3")->flags, store::flag_answered | store::flag_flagged);  // no \Deleted
}

}  // namespace
}  // namespace dirmail::migration
