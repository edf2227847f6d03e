#include "dirmail/imap/base_subject.hpp"

#include <gtest/gtest.h>

namespace dirmail::imap {
namespace {

std::string base(std::string_view s) { return base_subject(s).text; }

TEST(BaseSubject, RemovesReplyAndForwardLeadersAndTrailers) {
  EXPECT_EQ(base("Re: [list] Fwd: subj (fwd)"), "subj");
  EXPECT_EQ(base("RE: re: Re[2]: hello"), "hello");
  EXPECT_EQ(base("Fw: FWD:fwd: hello  (FWD) (fwd)"), "hello");
  EXPECT_EQ(base("[fwd: Re: subj]"), "subj");
  EXPECT_EQ(base("[FWD: [fwd: inner] (fwd)]"), "inner");
  EXPECT_EQ(base("  spaced \t  out\r\n   subject  "), "spaced out subject");
}

TEST(BaseSubject, KeepsWhatIsNotALeader) {
  EXPECT_EQ(base("[list] hello"), "hello");
  EXPECT_EQ(base("[list]"), "[list]");  // a blob is only removed when something is left
  EXPECT_EQ(base("Reply to this"), "Reply to this");
  EXPECT_EQ(base("Fwd without colon"), "Fwd without colon");
  EXPECT_EQ(base("[unterminated Re: x"), "[unterminated Re: x");
  EXPECT_EQ(base(""), "");
}

TEST(BaseSubject, SaysWhetherItWasAReplyOrForward) {
  EXPECT_TRUE(base_subject("Re: x").reply_or_forward);
  EXPECT_TRUE(base_subject("x (fwd)").reply_or_forward);
  EXPECT_TRUE(base_subject("[fwd: x]").reply_or_forward);
  EXPECT_FALSE(base_subject("[list] x").reply_or_forward);
  EXPECT_FALSE(base_subject("x").reply_or_forward);
}

TEST(BaseSubject, EncodedWordsAreDecodedFirst) {
  // The same Japanese subject in ISO-2022-JP and in UTF-8, one of them a reply.
  auto a = base_subject("Re: =?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?=");
  auto b = base_subject("=?UTF-8?B?5pel5pys6Kqe?=");
  EXPECT_EQ(a.text, "日本語");
  EXPECT_TRUE(a.reply_or_forward);
  EXPECT_EQ(b.text, "日本語");
  EXPECT_EQ(subject_sort_key("=?utf-8?q?Re=3A_hello?="), "HELLO");  // a leader inside the word counts
}

TEST(BaseSubject, SortKeyIsCaseInsensitive) {
  EXPECT_EQ(subject_sort_key("Re: Hello World"), "HELLO WORLD");
  EXPECT_EQ(subject_sort_key("hello world"), subject_sort_key("HELLO WORLD (fwd)"));
}

}  // namespace
}  // namespace dirmail::imap
