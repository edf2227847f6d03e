// dirmailctl user/domain/alias commands, called as main() calls them: output, errors
// and exit codes as an administrator sees them.
#include <iostream>
#include <sstream>

#include <gtest/gtest.h>

#include "alias_command.hpp"
#include "commands.hpp"
#include "temp_directory.hpp"

namespace dirmail::ctl {
namespace {

struct CommandRun {
  int code = -1;
  std::string out;
  std::string err;
};

// Feeds `input` as standard input for the duration of one command.
class StdinFrom {
 public:
  explicit StdinFrom(const std::string& input) : buffer_(input), saved_(std::cin.rdbuf(buffer_.rdbuf())) {}
  ~StdinFrom() {
    std::cin.rdbuf(saved_);
    std::cin.clear();
  }

 private:
  std::istringstream buffer_;
  std::streambuf* saved_;
};

class DirmailctlTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = directory::testing::open_directory(folder_.path() / "directory.db"); }

  using Command = int (*)(directory::LocalDirectory&, const Args&, std::ostream&, std::ostream&);
  CommandRun run(Command command, const Args& args, const std::string& input = "") {
    StdinFrom stdin_from(input);
    std::ostringstream out, err;
    CommandRun result;
    result.code = command(*dir_, args, out, err);
    result.out = out.str();
    result.err = err.str();
    return result;
  }
  CommandRun user(const Args& args, const std::string& input = "") { return run(&user_command, args, input); }
  CommandRun domain(const Args& args) { return run(&domain_command, args); }
  CommandRun alias(const Args& args) { return run(&alias_command, args); }

  directory::testing::TempFolder folder_;
  std::unique_ptr<directory::LocalDirectory> dir_;
};

TEST_F(DirmailctlTest, DomainAddAndList) {
  CommandRun added = domain({"add", "Example.TEST"});
  EXPECT_EQ(added.code, 0) << added.err;
  EXPECT_EQ(added.out, "added domain example.test\n");
  EXPECT_EQ(domain({"add", "small.test", "--limit", "5"}).code, 0);

  CommandRun duplicate = domain({"add", "example.test"});
  EXPECT_EQ(duplicate.code, 1);
  EXPECT_EQ(duplicate.err, "dirmailctl: domain example.test already exists\n");

  CommandRun list = domain({"list"});
  EXPECT_EQ(list.code, 0);
  EXPECT_EQ(list.out,
            "example.test  0 users, limit unlimited\n"
            "small.test    0 users, limit 5\n");
}

TEST_F(DirmailctlTest, DomainUsageErrorsExitTwo) {
  for (Args args : {Args{}, Args{"add"}, Args{"add", "a.test", "--limit"}, Args{"add", "a.test", "--limit", "x"},
                    Args{"add", "a.test", "b.test"}, Args{"frobnicate"}, Args{"list", "extra"}}) {
    CommandRun r = domain(args);
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("usage: dirmailctl domain"), std::string::npos);
    EXPECT_EQ(r.out, "");
  }
  EXPECT_EQ(domain({"add", "bad/domain"}).code, 1);
  EXPECT_TRUE(dir_->local_domains()->empty());
}

TEST_F(DirmailctlTest, UserAddToMissingDomainTellsHowToAddIt) {
  CommandRun r = user({"add", "alice@example.test", "--password", "pw"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("dirmailctl: domain example.test is not a local domain"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("dirmailctl domain add example.test"), std::string::npos) << r.err;
}

TEST_F(DirmailctlTest, UserAddWithOptionsThenShow) {
  ASSERT_EQ(domain({"add", "example.test"}).code, 0);
  CommandRun added = user({"add", "Alice@example.test", "--password", "pw-1", "--name", "Alice Example", "--home",
                    "/srv/home/alice", "--limit", "100M", "--smtp-auth"});
  EXPECT_EQ(added.code, 0) << added.err;
  EXPECT_EQ(added.out, "added user alice@example.test\n");
  EXPECT_TRUE(*dir_->verify_password("alice", "pw-1"));

  CommandRun shown = user({"show", "alice"});
  EXPECT_EQ(shown.code, 0);
  EXPECT_NE(shown.out.find("address:           alice@example.test\n"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("display_name:      Alice Example\n"), std::string::npos);
  EXPECT_NE(shown.out.find("home:              /srv/home/alice\n"), std::string::npos);
  EXPECT_NE(shown.out.find("mailbox_limit:     104857600\n"), std::string::npos);
  EXPECT_NE(shown.out.find("state:             enabled\n"), std::string::npos);
  EXPECT_NE(shown.out.find("require_smtp_auth: yes\n"), std::string::npos);
  EXPECT_EQ(shown.out.find("argon2"), std::string::npos);
  EXPECT_EQ(shown.out.find("pw-1"), std::string::npos);
}

TEST_F(DirmailctlTest, UserAddReadsPasswordFromStdin) {
  ASSERT_EQ(domain({"add", "example.test"}).code, 0);
  EXPECT_EQ(user({"add", "alice@example.test", "--password-stdin"}, "from stdin\r\nignored\n").code, 0);
  EXPECT_TRUE(*dir_->verify_password("alice", "from stdin"));
  // No password option: one line of standard input as well (typed twice when the
  // test runs on a terminal, which then prompts).
  EXPECT_EQ(user({"add", "bob@example.test"}, "bob's password\nbob's password\n").code, 0);
  EXPECT_TRUE(*dir_->verify_password("bob", "bob's password"));

  CommandRun empty = user({"add", "carol@example.test", "--password-stdin"}, "");
  EXPECT_EQ(empty.code, 1);
  EXPECT_NE(empty.err.find("dirmailctl: no password on standard input"), std::string::npos);
  CommandRun blank = user({"add", "carol@example.test", "--password-stdin"}, "\n");
  EXPECT_EQ(blank.code, 1);
  EXPECT_NE(blank.err.find("dirmailctl: password is empty"), std::string::npos);
  EXPECT_FALSE(dir_->find_account("carol").ok());
}

TEST_F(DirmailctlTest, UserUsageErrorsExitTwo) {
  for (Args args : {Args{}, Args{"add"}, Args{"add", "alice"}, Args{"add", "a@example.test", "--bogus"},
                    Args{"add", "a@example.test", "--limit", "lots"}, Args{"add", "a@example.test", "--name"},
                    Args{"del"}, Args{"del", "a", "b"}, Args{"show"}, Args{"passwd"}, Args{"enable"},
                    Args{"list", "a.test", "b.test"}, Args{"explode"}}) {
    CommandRun r = user(args, "pw\n");
    EXPECT_EQ(r.code, 2) << args.size();
    EXPECT_NE(r.err.find("usage: dirmailctl user add"), std::string::npos);
  }
  CommandRun both = user({"add", "a@example.test", "--password", "x", "--password-stdin"});
  EXPECT_EQ(both.code, 1);
  EXPECT_TRUE(dir_->list_users()->empty());
}

TEST_F(DirmailctlTest, UserAddRejectsPathTricks) {
  ASSERT_EQ(domain({"add", "example.test"}).code, 0);
  for (std::string login : {std::string("../x@example.test"), std::string("a/b@example.test"), std::string("a\0b@example.test", 16)}) {
    CommandRun r = user({"add", login, "--password", "pw"});
    EXPECT_EQ(r.code, 1) << login;
    EXPECT_TRUE(r.err.starts_with("dirmailctl: account name")) << r.err;
  }
  EXPECT_TRUE(dir_->list_users()->empty());
}

TEST_F(DirmailctlTest, UserListIsAligned) {
  ASSERT_EQ(domain({"add", "example.test"}).code, 0);
  ASSERT_EQ(user({"add", "al@example.test", "--password", "pw", "--name", "Al Short"}).code, 0);
  ASSERT_EQ(user({"add", "bartholomew@example.test", "--password", "pw", "--name", "Bart Long"}).code, 0);
  ASSERT_EQ(user({"add", "cy@example.test", "--password", "pw"}).code, 0);
  ASSERT_EQ(user({"disable", "bartholomew"}).code, 0);
  CommandRun list = user({"list"});
  EXPECT_EQ(list.code, 0);
  EXPECT_EQ(list.out,
            "al@example.test           enabled   Al Short\n"
            "bartholomew@example.test  disabled  Bart Long\n"
            "cy@example.test           enabled\n");
  CommandRun filtered = user({"list", "other.test"});
  EXPECT_EQ(filtered.code, 1);
  EXPECT_EQ(filtered.err, "dirmailctl: domain other.test is not a local domain\n");
}

TEST_F(DirmailctlTest, UserPasswdEnableDisableDel) {
  ASSERT_EQ(domain({"add", "example.test"}).code, 0);
  ASSERT_EQ(user({"add", "alice@example.test", "--password", "one"}).code, 0);

  CommandRun passwd = user({"passwd", "alice", "--password-stdin"}, "two\n");
  EXPECT_EQ(passwd.code, 0) << passwd.err;
  EXPECT_EQ(passwd.out, "changed password of alice@example.test\n");
  EXPECT_FALSE(*dir_->verify_password("alice", "one"));
  EXPECT_TRUE(*dir_->verify_password("alice", "two"));

  CommandRun disabled = user({"disable", "alice"});
  EXPECT_EQ(disabled.code, 0);
  EXPECT_EQ(disabled.out, "disabled alice@example.test\n");
  EXPECT_FALSE(*dir_->verify_password("alice", "two"));
  EXPECT_NE(user({"show", "alice"}).out.find("state:             disabled\n"), std::string::npos);
  EXPECT_EQ(user({"enable", "alice"}).code, 0);
  EXPECT_TRUE(*dir_->verify_password("alice", "two"));

  CommandRun removed = user({"del", "alice"});
  EXPECT_EQ(removed.code, 0);
  EXPECT_EQ(removed.out, "removed user alice@example.test\n");
  CommandRun again = user({"del", "alice"});
  EXPECT_EQ(again.code, 1);
  EXPECT_EQ(again.err, "dirmailctl: no such user: alice\n");
  EXPECT_EQ(user({"passwd", "alice", "--password", "x"}).code, 1);
}

TEST_F(DirmailctlTest, AliasAddListDel) {
  ASSERT_EQ(domain({"add", "example.test"}).code, 0);
  CommandRun missing = alias({"add", "info@other.test", "a@example.test"});
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.err.find("dirmailctl domain add other.test"), std::string::npos) << missing.err;

  EXPECT_EQ(alias({"add", "info@example.test", "alice@example.test,bob@example.test"}).code, 0);
  EXPECT_EQ(alias({"add", "*@example.test", "postmaster@example.test"}).code, 0);
  CommandRun list = alias({"list"});
  EXPECT_EQ(list.code, 0);
  EXPECT_EQ(list.out,
            "*@example.test     postmaster@example.test\n"
            "info@example.test  alice@example.test,bob@example.test\n");
  EXPECT_EQ(dir_->resolve_recipient("info@example.test")->targets.size(), 2u);

  EXPECT_EQ(alias({"del", "info@example.test"}).code, 0);
  EXPECT_EQ(alias({"del", "info@example.test"}).code, 1);
  EXPECT_EQ(alias({"add", "info@example.test"}).code, 2);
}

}  // namespace
}  // namespace dirmail::ctl
