#include "dirmail/imap/command.hpp"

#include <gtest/gtest.h>

#include "dirmail/store/mail_store.hpp"

namespace dirmail::imap {
namespace {

ImapCommand parse_ok(std::string_view text) {
  auto c = parse_imap_command(text);
  EXPECT_TRUE(c.ok()) << text << ": " << (c.ok() ? "" : c.error().message);
  return c.ok() ? std::move(*c) : ImapCommand{};
}

Error parse_error(std::string_view text) {
  auto c = parse_imap_command(text);
  EXPECT_FALSE(c.ok()) << text;
  return c.ok() ? Error{} : c.error();
}

TEST(ParseImapCommand, TagAndSimpleCommands) {
  auto c = parse_ok("a001 capability");
  EXPECT_EQ(c.tag, "a001");
  EXPECT_EQ(c.name, CommandName::capability);
  EXPECT_EQ(parse_ok("x.1 NOOP").name, CommandName::noop);
  EXPECT_EQ(parse_ok("A LOGOUT").name, CommandName::logout);
  EXPECT_EQ(parse_ok("t] UNSELECT").tag, "t]");  // ']' is an ASTRING-CHAR, allowed in tags
  EXPECT_FALSE(parse_imap_command("+tag NOOP").ok());  // '+' is not
  EXPECT_FALSE(parse_imap_command("NOOP").ok());       // no tag, no command
  EXPECT_FALSE(parse_imap_command("a NOOP extra").ok());
  EXPECT_FALSE(parse_imap_command("a  NOOP").ok());
  EXPECT_EQ(parse_error("a FROB").message, "Unknown command");
}

TEST(ParseImapCommand, CommandTagForBadReplies) {
  EXPECT_EQ(command_tag("a12 FROB x"), "a12");
  EXPECT_EQ(command_tag("a12"), "a12");
  EXPECT_EQ(command_tag("(bad FROB"), "");
  EXPECT_EQ(command_tag(""), "");
  EXPECT_EQ(command_tag(std::string(max_tag + 1, 'a') + " NOOP"), "");
  EXPECT_EQ(command_word("a1 uid fetch 1 FLAGS"), "UID FETCH");
  EXPECT_EQ(command_word("a1 APPEND INBOX {10}"), "APPEND");
  EXPECT_EQ(command_word("a1"), "");
}

TEST(ParseImapCommand, LoginWithAtomsQuotedStringsAndLiterals) {
  auto c = parse_ok("a LOGIN alice@example.test \"pass \\\"word\\\\\"");
  ASSERT_EQ(c.args.size(), 2u);
  EXPECT_EQ(c.args[0], "alice@example.test");
  EXPECT_EQ(c.args[1], "pass \"word\\");
  c = parse_ok("a LOGIN {5}\r\nalice {11}\r\nsecret\r\n{x}");
  ASSERT_EQ(c.args.size(), 2u);
  EXPECT_EQ(c.args[0], "alice");
  EXPECT_EQ(c.args[1], "secret\r\n{x}");  // literal bytes are taken as they are
  c = parse_ok("a LOGIN {5+}\r\nalice pw");  // LITERAL+
  EXPECT_EQ(c.args[0], "alice");
  EXPECT_FALSE(parse_imap_command("a LOGIN {9}\r\nalice pw").ok());  // shorter than announced
  EXPECT_FALSE(parse_imap_command(std::string("a LOGIN {3}\r\na\0b pw", 18)).ok());  // NUL
  EXPECT_FALSE(parse_imap_command("a LOGIN \"unterminated pw").ok());
  EXPECT_FALSE(parse_imap_command("a LOGIN \"bad\\escape\" pw").ok());
  EXPECT_FALSE(parse_imap_command("a LOGIN alice").ok());
}

TEST(ParseImapCommand, LiteralLimits) {
  std::string big(max_literal + 1, 'x');
  auto e = parse_error("a LOGIN {" + std::to_string(big.size()) + "}\r\n" + big + " pw");
  EXPECT_EQ(e.code, ErrorCode::limit_exceeded);
  std::string fits(max_literal, 'x');
  EXPECT_TRUE(parse_imap_command("a LOGIN {" + std::to_string(fits.size()) + "}\r\n" + fits + " pw").ok());
  EXPECT_EQ(parse_error(std::string(max_command_bytes + 1, 'a')).code, ErrorCode::limit_exceeded);
}

TEST(ParseImapCommand, TrailingLiteralMarker) {
  auto m = trailing_literal("a LOGIN {5}");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->size, 5u);
  EXPECT_TRUE(m->synchronizing);
  m = trailing_literal("a LOGIN {123+}");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->size, 123u);
  EXPECT_FALSE(m->synchronizing);
  EXPECT_EQ(trailing_literal("a X {99999999999999999999999}")->size, UINT64_MAX);
  EXPECT_FALSE(trailing_literal("a LOGIN \"x\"").has_value());
  EXPECT_FALSE(trailing_literal("a LOGIN {}").has_value());
  EXPECT_FALSE(trailing_literal("a LOGIN {+}").has_value());
  EXPECT_FALSE(trailing_literal("a LOGIN {1a}").has_value());
}

TEST(ParseImapCommand, MailboxCommands) {
  auto c = parse_ok("s1 SELECT inbox");
  EXPECT_EQ(c.name, CommandName::select);
  EXPECT_EQ(c.args.at(0), "inbox");
  EXPECT_EQ(parse_ok("s2 EXAMINE \"INBOX\"").args.at(0), "INBOX");
  c = parse_ok("l LIST \"\" *");
  EXPECT_EQ(c.args.at(0), "");
  EXPECT_EQ(c.args.at(1), "*");
  EXPECT_EQ(parse_ok("l LIST \"\" %/In]").args.at(1), "%/In]");
  EXPECT_EQ(parse_ok("l LSUB \"\" \"*\"").name, CommandName::lsub);
  c = parse_ok("s STATUS INBOX (MESSAGES uidnext UNSEEN)");
  EXPECT_EQ(c.status_items, (std::vector<std::string>{"MESSAGES", "UIDNEXT", "UNSEEN"}));
  EXPECT_FALSE(parse_imap_command("s STATUS INBOX (BOGUS)").ok());
  EXPECT_EQ(parse_ok("r RENAME a b").args.size(), 2u);
  EXPECT_EQ(parse_ok("c COPY 1:3 Trash").name, CommandName::copy);
  EXPECT_EQ(parse_ok("i ID (\"name\" \"mutt\" \"version\" NIL)").args.size(), 4u);
  EXPECT_EQ(parse_ok("i ID NIL").args.size(), 0u);
  auto a = parse_ok("a AUTHENTICATE PLAIN AGFsaWNlAHB3");
  EXPECT_EQ(a.args, (std::vector<std::string>{"PLAIN", "AGFsaWNlAHB3"}));
}

TEST(ParseImapCommand, ListExtended) {
  auto c = parse_ok("l LIST (SUBSCRIBED RECURSIVEMATCH remote) \"\" (\"Sent\" %/x *) RETURN (CHILDREN special-use SUBSCRIBED)");
  EXPECT_EQ(c.args, (std::vector<std::string>{"", "Sent", "%/x", "*"}));
  EXPECT_TRUE(c.list.extended && c.list.select_subscribed && c.list.recursive_match);
  EXPECT_FALSE(c.list.select_special_use);
  EXPECT_TRUE(c.list.return_children && c.list.return_special_use && c.list.return_subscribed);
  c = parse_ok("l LIST (SPECIAL-USE) \"\" *");
  EXPECT_TRUE(c.list.select_special_use);
  c = parse_ok("l LIST () \"\" % RETURN ()");
  EXPECT_TRUE(c.list.extended);
  EXPECT_FALSE(parse_ok("l LIST \"\" *").list.extended);
  EXPECT_FALSE(parse_imap_command("l LIST (RECURSIVEMATCH) \"\" *").ok());  // needs another option
  EXPECT_FALSE(parse_imap_command("l LIST (BOGUS) \"\" *").ok());
  EXPECT_FALSE(parse_imap_command("l LIST \"\" * RETURN (STATUS (MESSAGES))").ok());  // LIST-STATUS: not offered
  EXPECT_FALSE(parse_imap_command("l LSUB (SUBSCRIBED) \"\" *").ok());
  EXPECT_FALSE(parse_imap_command("l LIST \"\" * EXTRA (CHILDREN)").ok());
}

TEST(ParseImapCommand, AppendFlagsDateAndMessageInPlace) {
  const std::string text = "a APPEND Sent (\\Seen \\Draft $Work) \" 7-Jul-1996 02:44:25 +0000\" {11+}\r\nHello\r\nBody";
  auto c = parse_ok(text);
  EXPECT_EQ(c.name, CommandName::append);
  EXPECT_EQ(c.args, (std::vector<std::string>{"Sent"}));
  EXPECT_EQ(c.append.flags, store::flag_seen | store::flag_draft);
  EXPECT_EQ(c.append.keywords, (std::vector<std::string>{"$Work"}));
  EXPECT_EQ(c.append.internal_date, 836707465);
  EXPECT_EQ(text.substr(c.append.message_offset, c.append.message_size), "Hello\r\nBody");
  constexpr char with_nul[] = "a APPEND {4}\r\nSent {3}\r\nx\0y";
  c = parse_ok(std::string_view(with_nul, sizeof(with_nul) - 1));  // a literal mailbox; NUL is message data
  EXPECT_EQ(c.args.at(0), "Sent");
  EXPECT_EQ(c.append.message_size, 3u);
  EXPECT_FALSE(c.append.internal_date.has_value());
  // Larger than other literals may be, as long as it is within max_append_message.
  const std::string big = "a APPEND INBOX {300000}\r\n" + std::string(300000, 'x');
  EXPECT_EQ(parse_ok(big).append.message_size, 300000u);
  EXPECT_FALSE(parse_imap_command("a APPEND INBOX \"bad date\" {1}\r\nx").ok());
  EXPECT_FALSE(parse_imap_command("a APPEND INBOX (\\Recent) {1}\r\nx").ok());
  EXPECT_FALSE(parse_imap_command("a APPEND INBOX {1}\r\nx {1}\r\ny").ok());  // no MULTIAPPEND
  EXPECT_FALSE(parse_imap_command("a APPEND INBOX hello").ok());
  EXPECT_EQ(parse_error("a NOOP " + std::string(max_command_bytes, 'x')).code, ErrorCode::limit_exceeded);
}

TEST(ParseImapCommand, AppendMessageElidedFromTheText) {
  // The framing spooled the message: its marker ends the text, its bytes are elsewhere.
  const std::string text = "a APPEND Sent (\\Seen) {100000}\r\n";
  auto c = parse_imap_command(text, ElidedLiteral{text.size(), 100000});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->args, (std::vector<std::string>{"Sent"}));
  EXPECT_EQ(c->append.flags, store::flag_seen);
  EXPECT_TRUE(c->append.message_elided);
  EXPECT_EQ(c->append.message_offset, text.size());
  EXPECT_EQ(c->append.message_size, 100000u);
  EXPECT_FALSE(parse_ok("a APPEND INBOX {3}\r\nabc").append.message_elided);
  // Not the announced size, not where the message is, or followed by more: refused.
  EXPECT_FALSE(parse_imap_command(text, ElidedLiteral{text.size(), 99999}).ok());
  EXPECT_FALSE(parse_imap_command(text + " x", ElidedLiteral{text.size(), 100000}).ok());
  const std::string login = "a LOGIN {100000}\r\n";
  EXPECT_FALSE(parse_imap_command(login + " pw", ElidedLiteral{login.size(), 100000}).ok());
  const std::string mailbox = "a APPEND {100000}\r\n";
  EXPECT_FALSE(parse_imap_command(mailbox + " {1}\r\nx", ElidedLiteral{mailbox.size(), 100000}).ok());
  EXPECT_FALSE(parse_imap_command("a NOOP", ElidedLiteral{6, 100000}).ok());
}

TEST(ParseImapCommand, WhichLiteralIsTheAppendMessage) {
  EXPECT_TRUE(is_append_message_literal("a APPEND INBOX {10}"));
  EXPECT_TRUE(is_append_message_literal("a append INBOX (\\Seen) {10+}"));
  EXPECT_FALSE(is_append_message_literal("a APPEND {5}"));  // the mailbox name
  EXPECT_TRUE(is_append_message_literal("a APPEND {5}\r\nINBOX {10}"));
  EXPECT_FALSE(is_append_message_literal("a LOGIN {5}"));
  EXPECT_FALSE(is_append_message_literal("a APPEND "));
}

TEST(ParseImapCommand, UidPrefixOnlyWhereAllowed) {
  auto c = parse_ok("u UID FETCH 1:* (FLAGS)");
  EXPECT_TRUE(c.uid);
  EXPECT_EQ(c.name, CommandName::fetch);
  c = parse_ok("u uid expunge 3,5");
  EXPECT_TRUE(c.uid);
  EXPECT_EQ(c.sequence.ranges.size(), 2u);
  EXPECT_FALSE(parse_imap_command("u UID SELECT INBOX").ok());
  EXPECT_FALSE(parse_imap_command("u UID").ok());
}

TEST(ParseImapCommand, FetchItems) {
  auto c = parse_ok("f FETCH 1:* (UID FLAGS RFC822.SIZE INTERNALDATE BODY.PEEK[] BODY[TEXT]<10.20>)");
  ASSERT_EQ(c.fetch.size(), 6u);
  EXPECT_EQ(c.fetch[0].kind, FetchKind::uid);
  EXPECT_EQ(c.fetch[4].kind, FetchKind::section);
  EXPECT_TRUE(c.fetch[4].peek);
  EXPECT_FALSE(c.fetch[4].sets_seen());
  EXPECT_EQ(c.fetch[5].section.text, SectionText::text);
  ASSERT_TRUE(c.fetch[5].partial.has_value());
  EXPECT_EQ(c.fetch[5].partial->first, 10u);
  EXPECT_EQ(c.fetch[5].partial->second, 20u);
  EXPECT_TRUE(c.fetch[5].sets_seen());
  EXPECT_EQ(fetch_response_name(c.fetch[5]), "BODY[TEXT]<10>");
  EXPECT_EQ(fetch_response_name(c.fetch[4]), "BODY[]");

  c = parse_ok("f FETCH 2 body.peek[header.fields.not (Received X-Spam)]");
  ASSERT_EQ(c.fetch.size(), 1u);
  EXPECT_EQ(c.fetch[0].section.text, SectionText::header_fields_not);
  EXPECT_EQ(c.fetch[0].section.fields, (std::vector<std::string>{"Received", "X-Spam"}));
  EXPECT_EQ(fetch_response_name(c.fetch[0]), "BODY[HEADER.FIELDS.NOT (Received X-Spam)]");

  c = parse_ok("f FETCH 1 BODY[1.MIME]");
  EXPECT_EQ(c.fetch[0].section.part, (std::vector<std::uint32_t>{1}));
  EXPECT_EQ(c.fetch[0].section.text, SectionText::mime);
  EXPECT_EQ(fetch_response_name(c.fetch[0]), "BODY[1.MIME]");

  EXPECT_EQ(parse_ok("f FETCH 1 FAST").fetch.size(), 3u);
  EXPECT_EQ(parse_ok("f FETCH 1 ALL").fetch.size(), 4u);
  auto full = parse_ok("f FETCH 1 FULL");
  ASSERT_EQ(full.fetch.size(), 5u);
  EXPECT_EQ(full.fetch[4].kind, FetchKind::body);
  EXPECT_EQ(parse_ok("f FETCH 1 RFC822").fetch[0].kind, FetchKind::rfc822);
  EXPECT_EQ(parse_ok("f FETCH 1 BODYSTRUCTURE").fetch[0].kind, FetchKind::body_structure);

  EXPECT_FALSE(parse_imap_command("f FETCH 1 (ALL)").ok());  // macros stand alone
  EXPECT_FALSE(parse_imap_command("f FETCH 1 BODY[MIME]").ok());  // MIME needs a part
  EXPECT_FALSE(parse_imap_command("f FETCH 1 BODY.PEEK").ok());
  EXPECT_FALSE(parse_imap_command("f FETCH 1 BODY[]<5.0>").ok());
  EXPECT_FALSE(parse_imap_command("f FETCH 1 BODY[0]").ok());
  EXPECT_FALSE(parse_imap_command("f FETCH 1 (FLAGS").ok());
  EXPECT_FALSE(parse_imap_command("f FETCH 0 FLAGS").ok());
  EXPECT_FALSE(parse_imap_command("f FETCH 1 BOGUS").ok());
}

TEST(ParseImapCommand, FetchItemLimit) {
  std::string items;
  for (std::size_t i = 0; i <= max_fetch_items; ++i) items += i ? " UID" : "UID";
  EXPECT_EQ(parse_error("f FETCH 1 (" + items + ")").code, ErrorCode::limit_exceeded);
  std::string fields;
  for (std::size_t i = 0; i <= max_header_field_names; ++i) fields += (i ? " X" : "X") + std::to_string(i);
  EXPECT_EQ(parse_error("f FETCH 1 BODY[HEADER.FIELDS (" + fields + ")]").code, ErrorCode::limit_exceeded);
}

TEST(ParseImapCommand, Store) {
  auto c = parse_ok("s STORE 1:3 +FLAGS.SILENT (\\Seen \\deleted)");
  EXPECT_EQ(c.store.mode, StoreAction::Mode::add);
  EXPECT_TRUE(c.store.silent);
  EXPECT_EQ(c.store.flags, store::flag_seen | store::flag_deleted);
  c = parse_ok("s STORE 2 -FLAGS \\Flagged \\Draft");
  EXPECT_EQ(c.store.mode, StoreAction::Mode::remove);
  EXPECT_EQ(c.store.flags, store::flag_flagged | store::flag_draft);
  c = parse_ok("s STORE 2 FLAGS ()");
  EXPECT_EQ(c.store.mode, StoreAction::Mode::replace);
  EXPECT_EQ(c.store.flags, 0);
  c = parse_ok("s UID STORE 9 +FLAGS ($Forwarded \\Answered)");
  EXPECT_EQ(c.store.keywords, (std::vector<std::string>{"$Forwarded"}));
  EXPECT_EQ(c.store.flags, store::flag_answered);
  EXPECT_FALSE(parse_imap_command("s STORE 1 FLAGS (\\Recent)").ok());
  EXPECT_FALSE(parse_imap_command("s STORE 1 XFLAGS (\\Seen)").ok());
  EXPECT_FALSE(parse_imap_command("s STORE 1 FLAGS (\\Seen").ok());
}

TEST(ParseImapCommand, Search) {
  auto c = parse_ok("s SEARCH UNSEEN NOT DELETED");
  ASSERT_EQ(c.search.children.size(), 2u);
  EXPECT_EQ(c.search.children[0].kind, SearchKey::Kind::unseen);
  EXPECT_EQ(c.search.children[1].kind, SearchKey::Kind::not_);
  c = parse_ok("s UID SEARCH CHARSET utf-8 UID 3:* OR (SEEN FLAGGED) LARGER 100 SINCE 1-Feb-2020");
  EXPECT_EQ(c.charset, "UTF-8");
  ASSERT_EQ(c.search.children.size(), 3u);  // OR takes the list and LARGER
  EXPECT_EQ(c.search.children[0].kind, SearchKey::Kind::uid);
  EXPECT_EQ(c.search.children[1].kind, SearchKey::Kind::or_);
  EXPECT_EQ(c.search.children[1].children[0].kind, SearchKey::Kind::and_);
  EXPECT_EQ(c.search.children[1].children[1].kind, SearchKey::Kind::larger);
  EXPECT_EQ(c.search.children[2].kind, SearchKey::Kind::since);
  c = parse_ok("s SEARCH 1:2,5 SUBJECT \"hello world\"");
  EXPECT_EQ(c.search.children[0].kind, SearchKey::Kind::sequence);
  EXPECT_EQ(c.search.children[1].kind, SearchKey::Kind::header);
  EXPECT_EQ(c.search.children[1].name, "Subject");
  EXPECT_EQ(c.search.children[1].value, "hello world");
  c = parse_ok("s SEARCH HEADER X-Spam-Flag \"\" BODY x TEXT y SENTSINCE 1-Feb-2020");
  EXPECT_EQ(c.search.children[0].name, "X-Spam-Flag");
  EXPECT_EQ(c.search.children[0].value, "");
  EXPECT_EQ(c.search.children[1].kind, SearchKey::Kind::body);
  EXPECT_EQ(c.search.children[2].kind, SearchKey::Kind::text);
  EXPECT_EQ(c.search.children[3].kind, SearchKey::Kind::sent_since);
  EXPECT_EQ(find_unsupported(c.search), nullptr);
  EXPECT_FALSE(parse_imap_command("s SEARCH HEADER \"\" x").ok());  // no field name
  EXPECT_FALSE(parse_imap_command("s SEARCH").ok());
  EXPECT_FALSE(parse_imap_command("s SEARCH FROBNICATED").ok());
  EXPECT_FALSE(parse_imap_command("s SEARCH BEFORE 31-Feb-2020").ok());
  EXPECT_FALSE(parse_imap_command("s SEARCH (SEEN").ok());
}

TEST(ParseImapCommand, SearchNestingAndCountLimits) {
  std::string deep;
  for (std::size_t i = 0; i < max_search_depth + 2; ++i) deep += "(";
  deep += "SEEN";
  for (std::size_t i = 0; i < max_search_depth + 2; ++i) deep += ")";
  EXPECT_EQ(parse_error("s SEARCH " + deep).code, ErrorCode::limit_exceeded);
  std::string nots;
  for (std::size_t i = 0; i < max_search_depth + 2; ++i) nots += "NOT ";
  EXPECT_EQ(parse_error("s SEARCH " + nots + "SEEN").code, ErrorCode::limit_exceeded);
  std::string many;
  for (std::size_t i = 0; i <= max_search_keys; ++i) many += " SEEN";
  EXPECT_EQ(parse_error("s SEARCH" + many).code, ErrorCode::limit_exceeded);
}

}  // namespace
}  // namespace dirmail::imap
