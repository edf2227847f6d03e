// Mailbox names: the modified UTF-7 codec (RFC 3501 §5.1.3) and the checks that keep
// every name inside the mailbox root.
#include <gtest/gtest.h>

#include "dirmail/imap/imap_date.hpp"
#include "dirmail/imap/mailbox_name_codec.hpp"
#include "dirmail/imap/mailbox_names.hpp"
#include "dirmail/imap/sequence_set.hpp"

namespace dirmail::imap {
namespace {

std::string decoded(std::string_view wire) {
  auto d = decode_mailbox_name(wire);
  EXPECT_TRUE(d.ok()) << wire << ": " << (d.ok() ? "" : d.error().message);
  return d.ok() ? *d : std::string("<refused>");
}

std::string encoded(std::string_view utf8) {
  auto e = encode_mailbox_name(utf8);
  EXPECT_TRUE(e.ok()) << utf8;
  return e.ok() ? *e : std::string("<refused>");
}

bool decodes(std::string_view wire) { return decode_mailbox_name(wire).ok(); }

TEST(MailboxNameCodec, DecodesCanonicalNames) {
  EXPECT_EQ(decoded("INBOX"), "INBOX");
  EXPECT_EQ(decoded("Entw&APw-rfe"), "Entw\xc3\xbcrfe");
  EXPECT_EQ(decoded("&-"), "&");
  EXPECT_EQ(decoded("a&-b&-"), "a&b&");
  EXPECT_EQ(decoded("&AOQ-&-"), "\xc3\xa4&");  // a run, then '&'
  EXPECT_EQ(decoded("&AOQA5A-"), "\xc3\xa4\xc3\xa4");
  // RFC 3501 §5.1.3's example.
  EXPECT_EQ(decoded("~peter/mail/&U,BTFw-/&ZeVnLIqe-"), "~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e");
  EXPECT_EQ(decoded("&2D3eAA-"), "\xf0\x9f\x98\x80");  // U+1F600 as a surrogate pair
  EXPECT_EQ(decoded("&AAE-"), "\x01");  // decodes; the name check refuses it
}

TEST(MailboxNameCodec, RefusesEverythingButTheCanonicalForm) {
  EXPECT_FALSE(decodes("&"));            // unterminated
  EXPECT_FALSE(decodes("&AOQ"));         // unterminated
  EXPECT_FALSE(decodes("&A-"));          // 6 bits: not even one unit
  EXPECT_FALSE(decodes("&AOQA-"));       // a spare base64 character
  EXPECT_FALSE(decodes("&AOR-"));        // non-zero left-over bits
  EXPECT_FALSE(decodes("&AO!-"));        // not modified base64
  EXPECT_FALSE(decodes("&AO/-"));        // '/' is ',' in modified base64
  EXPECT_FALSE(decodes("&AOQ=-"));       // no padding
  EXPECT_FALSE(decodes("&AGE-"));        // 'a' may only stand for itself
  EXPECT_FALSE(decodes("&AC4ALgAv-"));   // "../" spelled in base64
  EXPECT_FALSE(decodes("&AFw-"));        // '\'
  EXPECT_FALSE(decodes("&AOQ-&AOQ-"));   // two runs where one would do
  EXPECT_FALSE(decodes("&2D0-"));        // a high surrogate alone
  EXPECT_FALSE(decodes("&3gA-"));        // a low surrogate alone
  EXPECT_FALSE(decodes("&3gDYPQ-"));     // the pair the wrong way round
  EXPECT_FALSE(decodes("Entw\xc3\xbcrfe"));  // 8-bit: clients must encode
  EXPECT_FALSE(decodes("a\tb"));
  EXPECT_FALSE(decodes(std::string_view("a\0b", 3)));
  EXPECT_FALSE(decodes("a\x7f"));
}

TEST(MailboxNameCodec, EncodesAndRoundTrips) {
  EXPECT_EQ(encoded("Entw\xc3\xbcrfe"), "Entw&APw-rfe");
  EXPECT_EQ(encoded("a&b"), "a&-b");
  EXPECT_EQ(encoded("\xc3\xa4&"), "&AOQ-&-");
  EXPECT_EQ(encoded("\xf0\x9f\x98\x80"), "&2D3eAA-");
  EXPECT_EQ(encoded("\x01"), "&AAE-");
  for (std::string_view name : {"Sent", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e/x y", "\xc3\xa4\xc3\xb6\xc3\xbc&\xc3\x9f", ""})
    EXPECT_EQ(decoded(encoded(name)), name);
  EXPECT_FALSE(encode_mailbox_name("\xff").ok());
  EXPECT_FALSE(encode_mailbox_name("\xc0\x80").ok());      // overlong NUL
  EXPECT_FALSE(encode_mailbox_name("\xed\xa0\x80").ok());  // a surrogate in UTF-8
  EXPECT_FALSE(encode_mailbox_name("\xe6\x97").ok());      // truncated
}

std::string from_client(std::string_view wire) {
  auto n = folder_name_from_client(wire);
  return n.ok() ? *n : "NO: " + n.error().message;
}

TEST(MailboxNames, ClientNamesBecomeStoreNames) {
  EXPECT_EQ(from_client("inbox"), "INBOX");
  EXPECT_EQ(from_client("Inbox/Sub"), "INBOX/Sub");
  EXPECT_EQ(from_client("INBOXES"), "INBOXES");
  EXPECT_EQ(from_client("Archive/2024"), "Archive/2024");
  EXPECT_EQ(from_client("Entw&APw-rfe"), "Entw\xc3\xbcrfe");
  EXPECT_EQ(from_client("a.b/.hidden"), "a.b/.hidden");
}

TEST(MailboxNames, NamesThatCouldLeaveTheMailboxRootAreRefused) {
  for (std::string_view probe : {"../x", "a/../b", "..", ".", "a/./b", "a..b", "x/..", "\\", "a\\b", "&AC4ALgAv-",
                                 "&AC4-", "/etc/passwd", "a/", "a//b", "", "&AAE-", "&AIA-", "*", "a%", "&AH8-"}) {
    auto n = folder_name_from_client(probe);
    EXPECT_FALSE(n.ok()) << probe;
    if (!n.ok()) {
      EXPECT_EQ(n.error().code, ErrorCode::invalid_argument);
    }
  }
  EXPECT_FALSE(folder_name_from_client(std::string(max_mailbox_name + 1, 'a')).ok());
  std::string deep = "a";
  for (std::size_t i = 1; i < max_mailbox_depth; ++i) deep += "/a";
  EXPECT_TRUE(folder_name_from_client(deep).ok());
  EXPECT_FALSE(folder_name_from_client(deep + "/a").ok());
}

TEST(MailboxNames, SpecialUse) {
  EXPECT_EQ(special_use_attribute("Sent"), "\\Sent");
  EXPECT_EQ(special_use_attribute("Drafts"), "\\Drafts");
  EXPECT_EQ(special_use_attribute("Trash"), "\\Trash");
  EXPECT_EQ(special_use_attribute("Junk"), "\\Junk");
  EXPECT_EQ(special_use_attribute("sent"), "");
  EXPECT_EQ(special_use_attribute("Archive/Sent"), "");
}

TEST(ImapDate, AppendDateTime) {
  EXPECT_EQ(parse_date_time("17-Jul-1996 02:44:25 -0700"), 837596665);
  EXPECT_EQ(parse_date_time(" 7-Jul-1996 02:44:25 +0000"), 836707465);
  EXPECT_EQ(parse_date_time("07-Jul-1996 02:44:25 +0000"), 836707465);
  EXPECT_EQ(parse_date_time("01-Jan-1970 09:00:00 +0900"), 0);
  EXPECT_FALSE(parse_date_time("17-Jul-1996 02:44:25").has_value());
  EXPECT_FALSE(parse_date_time("17-Jul-1996 24:00:00 +0000").has_value());
  EXPECT_FALSE(parse_date_time("17-Jul-1996 02:44:25 0700").has_value());
  EXPECT_FALSE(parse_date_time("31-Feb-1996 02:44:25 +0000").has_value());
  EXPECT_FALSE(parse_date_time("17-Jul-1996 2:44:25 +0000").has_value());
}

TEST(UidSet, RunsInTheOrderGiven) {
  std::vector<std::uint32_t> uids{4, 5, 6, 9, 11, 12, 3};
  EXPECT_EQ(format_uid_set(uids), "4:6,9,11:12,3");
  EXPECT_EQ(format_uid_set(std::vector<std::uint32_t>{}), "");
  EXPECT_EQ(format_uid_set(std::vector<std::uint32_t>{7}), "7");
  EXPECT_EQ(format_uid_set(std::vector<std::uint32_t>{4294967294u, 4294967295u}), "4294967294:4294967295");
}

}  // namespace
}  // namespace dirmail::imap
