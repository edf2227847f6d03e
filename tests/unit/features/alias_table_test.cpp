#include "dirmail/features/alias_table.hpp"

#include <gtest/gtest.h>

namespace dirmail::features {
namespace {

AliasTable parse(std::string_view text) {
  auto t = AliasTable::parse(text, "aliases");
  EXPECT_TRUE(t) << (t ? "" : t.error().message);
  return t ? std::move(*t) : AliasTable{};
}

std::string parse_error(std::string_view text) {
  auto t = AliasTable::parse(text, "aliases");
  EXPECT_FALSE(t);
  return t ? "" : t.error().message;
}

TEST(AliasTable, ExactAliasesAnyCase) {
  auto t = parse("# the guide's examples\r\ninfo@abc.example abc-info@abc.example\r\n\r\ninfo@def.example\tdef-info@def.example\r\n");
  ASSERT_EQ(t.size(), 2u);
  auto m = t.find_exact("Info@ABC.example");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->target, "abc-info@abc.example");
  EXPECT_EQ(m->shown, RecipientShown::by_domain);
  EXPECT_EQ(m->line, 2u);
  EXPECT_EQ(t.find_exact("info@def.example")->target, "def-info@def.example");
  EXPECT_FALSE(t.find_exact("info@other.example"));
  EXPECT_FALSE(t.find_wildcard("info@abc.example"));
}

TEST(AliasTable, SuffixesChooseTheShownRecipient) {
  auto t = parse("a@def.example def-a@def.example,1\nb@def.example b@abc.example,0\nc@def.example c@abc.example\n");
  EXPECT_EQ(t.find_exact("a@def.example")->shown, RecipientShown::real);
  EXPECT_EQ(t.find_exact("b@def.example")->shown, RecipientShown::alias);
  EXPECT_EQ(t.find_exact("c@def.example")->shown, RecipientShown::by_domain);
}

TEST(AliasTable, ShowsRealAddressFollowsTheGuide) {
  // Same domain: the alias stays unless ,1; other domain: the real address unless ,0.
  EXPECT_FALSE(shows_real_address("info@def.example", "def-info@def.example", RecipientShown::by_domain));
  EXPECT_TRUE(shows_real_address("info@def.example", "def-info@def.example", RecipientShown::real));
  EXPECT_TRUE(shows_real_address("info@def.example", "info@abc.example", RecipientShown::by_domain));
  EXPECT_FALSE(shows_real_address("info@def.example", "info@abc.example", RecipientShown::alias));
  EXPECT_FALSE(shows_real_address("info@DEF.example", "x@def.EXAMPLE", RecipientShown::by_domain));
}

TEST(AliasTable, WildcardCatchAllAndCarriedLocalPart) {
  auto t = parse("*@abc.example abc-postmaster@abc.example\n*@def.example *@abc.example,1\n");
  auto catch_all = t.find_wildcard("anyone@abc.example");
  ASSERT_TRUE(catch_all);
  EXPECT_EQ(catch_all->target, "abc-postmaster@abc.example");
  auto carried = t.find_wildcard("Sales@def.example");
  ASSERT_TRUE(carried);
  EXPECT_EQ(carried->target, "sales@abc.example");
  EXPECT_EQ(carried->shown, RecipientShown::real);
  EXPECT_FALSE(t.find_exact("anyone@abc.example"));  // only find_wildcard answers "*@"
  EXPECT_FALSE(t.find_exact("*@abc.example"));
  EXPECT_FALSE(t.find_wildcard("x@ghi.example"));
}

TEST(AliasTable, TheGuidesInvalidFormsAreRefusedWithTheLine) {
  EXPECT_EQ(parse_error("ok@a.example b@a.example\ninfo abc-info\n"),
            "aliases:2: alias info has no domain (a domain-less alias would be a relay)");
  EXPECT_NE(parse_error("info abc-info@abc.example").find("alias info has no domain"), std::string::npos);
  EXPECT_NE(parse_error("info@abc.example abc-info").find("real address abc-info has no domain"), std::string::npos);
  EXPECT_NE(parse_error("info@*.example x@a.example").find("uses * other than as the whole local part"), std::string::npos);
  EXPECT_NE(parse_error("in*fo@a.example x@a.example").find("uses *"), std::string::npos);
  EXPECT_NE(parse_error("info@a.example *@b.example").find("the alias has none to carry over"), std::string::npos);
  EXPECT_NE(parse_error("info@a.example x@a.example,2").find("unknown option ,2"), std::string::npos);
  EXPECT_NE(parse_error("info@a.example").find("expected ALIAS REAL"), std::string::npos);
  EXPECT_NE(parse_error("info@a.example x@a.example y@a.example").find("expected ALIAS REAL"), std::string::npos);
  EXPECT_NE(parse_error("x@a.example X@A.example").find("maps to itself"), std::string::npos);
  EXPECT_EQ(parse_error("x@a.example y@a.example\nz@a.example w@a.example\nX@a.example v@a.example\n"),
            "aliases:3: alias x@a.example is already defined on line 1 (one alias, one real address)");
  EXPECT_NE(parse_error("a\x01@a.example x@a.example").find("character not allowed"), std::string::npos);
  EXPECT_NE(parse_error("a@a.example <x@a.example>").find("character not allowed"), std::string::npos);
}

TEST(AliasTable, Limits) {
  std::string long_line(1001, 'a');
  EXPECT_NE(parse_error(long_line).find("longer than 1000"), std::string::npos);
  std::string huge(max_alias_file_bytes + 1, '\n');
  auto t = AliasTable::parse(huge, "aliases");
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, ErrorCode::limit_exceeded);
}

TEST(AliasTable, ListFormNamesTheSetting) {
  auto t = AliasTable::parse_list({"a@x.example b@x.example", "bad"}, "aliases.entries");
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().message.rfind("aliases.entries:2: ", 0), 0u) << t.error().message;
}

}  // namespace
}  // namespace dirmail::features
