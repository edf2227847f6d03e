#include "dirmail/features/aliasing_directory.hpp"

#include <gtest/gtest.h>

namespace dirmail::features {
namespace {

// The backend: example.test has alice; everything else is another domain; "down" fails.
class FakeDirectory final : public directory::Directory {
 public:
  bool down = false;
  std::string_view backend_name() const override { return "fake"; }
  Result<std::vector<std::string>> local_domains() override { return std::vector<std::string>{"example.test"}; }
  Result<bool> is_local_domain(std::string_view d) override { return d == "example.test"; }
  Result<directory::Account> find_account(std::string_view) override {
    return make_error(ErrorCode::not_found, "no");
  }
  Result<directory::Recipient> resolve_recipient(std::string_view address) override {
    if (down) return make_error(ErrorCode::temporary_failure, "no directory server answers");
    directory::Recipient r;
    if (!address.ends_with("@example.test")) r.kind = directory::RecipientKind::not_local;
    else if (address == "alice@example.test") {
      r.kind = directory::RecipientKind::account;
      r.account = directory::Account{.name = "alice", .domain = "example.test"};
    } else r.kind = directory::RecipientKind::unknown;
    return r;
  }
};

std::shared_ptr<const AliasTable> table(std::string_view text) {
  auto t = AliasTable::parse(text, "test");
  EXPECT_TRUE(t);
  return std::make_shared<const AliasTable>(std::move(*t));
}

TEST(AliasingDirectory, ExactAliasBeatsTheAccountWildcardDoesNot) {
  FakeDirectory backend;
  AliasingDirectory dir(backend, table("alice@example.test bob@example.test,1\n*@example.test catch@example.test\n"));
  auto exact = dir.resolve_recipient("alice@example.test");
  ASSERT_TRUE(exact);
  EXPECT_EQ(exact->kind, directory::RecipientKind::alias);
  EXPECT_EQ(exact->targets, std::vector<std::string>{"bob@example.test"});
  EXPECT_EQ(exact->shows_target, true);
  auto caught = dir.resolve_recipient("nobody@example.test");
  ASSERT_TRUE(caught);
  EXPECT_EQ(caught->kind, directory::RecipientKind::alias);
  EXPECT_EQ(caught->targets, std::vector<std::string>{"catch@example.test"});
  EXPECT_EQ(caught->shows_target, false);  // same domain, no suffix: the alias stays
}

TEST(AliasingDirectory, OnlyInLocalDomainsAndOutagesStayTemporary) {
  FakeDirectory backend;
  AliasingDirectory dir(backend, table("info@elsewhere.example x@example.test\n"));
  auto other = dir.resolve_recipient("info@elsewhere.example");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->kind, directory::RecipientKind::not_local);  // the relay rules decide, not the alias
  backend.down = true;
  auto r = dir.resolve_recipient("alice@example.test");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::temporary_failure);
}

TEST(AliasingDirectory, TableSwapsAndEmptyTablePassesThrough) {
  FakeDirectory backend;
  AliasingDirectory dir(backend);
  EXPECT_EQ(dir.resolve_recipient("info@example.test")->kind, directory::RecipientKind::unknown);
  dir.set_table(table("info@example.test alice@example.test\n"));
  EXPECT_EQ(dir.resolve_recipient("info@example.test")->kind, directory::RecipientKind::alias);
  EXPECT_EQ(dir.resolve_recipient("alice@example.test")->kind, directory::RecipientKind::account);
}

}  // namespace
}  // namespace dirmail::features
