#include "dirmail/store/index_record.hpp"

#include <cstdio>

#include <gtest/gtest.h>

namespace dirmail::store {
namespace {

std::string without_newline(std::string line) {
  EXPECT_EQ(line.back(), '\n');
  line.pop_back();
  return line;
}

TEST(IndexRecord, RoundTripsEveryKind) {
  MessageInfo info;
  info.uid = 42;
  info.size = 1234;
  info.internal_date = 1700000000;
  info.flags = flag_seen | flag_draft;
  info.uidl = "1700000000.M5P7Q1.host";

  auto parsed = parse_index_record(without_newline(format_index_record(IndexRecord::make_add(info, "1700000000.M5P7Q1.host"))));
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->kind, IndexRecord::Kind::add);
  EXPECT_EQ(parsed->info.uid, 42u);
  EXPECT_EQ(parsed->info.size, 1234u);
  EXPECT_EQ(parsed->info.internal_date, 1700000000);
  EXPECT_EQ(parsed->info.flags, flag_seen | flag_draft);
  EXPECT_EQ(parsed->info.uidl, info.uidl);
  EXPECT_EQ(parsed->file, "1700000000.M5P7Q1.host");

  auto header = parse_index_record(without_newline(format_index_record(IndexRecord::make_header({77, 9, 0xabcdef}))));
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->kind, IndexRecord::Kind::header);
  EXPECT_EQ(header->header.uidvalidity, 77u);
  EXPECT_EQ(header->header.uidnext, 9u);
  EXPECT_EQ(header->header.generation, 0xabcdefu);

  auto flags = parse_index_record(without_newline(format_index_record(IndexRecord::make_flags(5, flag_deleted, 0))));
  ASSERT_TRUE(flags.ok());
  EXPECT_EQ(flags->kind, IndexRecord::Kind::flags);
  EXPECT_EQ(flags->info.uid, 5u);
  EXPECT_EQ(flags->info.flags, flag_deleted);

  auto expunge = parse_index_record(without_newline(format_index_record(IndexRecord::make_expunge(5))));
  ASSERT_TRUE(expunge.ok());
  EXPECT_EQ(expunge->kind, IndexRecord::Kind::expunge);
  EXPECT_EQ(expunge->info.uid, 5u);
}

TEST(IndexRecord, ChangedByteFailsTheChecksum) {
  std::string line = without_newline(format_index_record(IndexRecord::make_flags(5, flag_seen, 0)));
  line.back() = '2';
  EXPECT_FALSE(parse_index_record(line).ok());
}

TEST(IndexRecord, RefusesBadFields) {
  auto check = [](std::string payload) {
    // Records with a correct checksum but impossible content.
    std::uint32_t h = 2166136261u;
    for (char c : payload) {
      h ^= static_cast<unsigned char>(c);
      h *= 16777619u;
    }
    char prefix[16];
    std::snprintf(prefix, sizeof prefix, "%08x ", h);
    return parse_index_record(prefix + payload).ok();
  };
  EXPECT_TRUE(check("X 1"));
  EXPECT_FALSE(check("X 0"));                       // UID 0
  EXPECT_FALSE(check("X 4294967295"));              // kept free for uidnext
  EXPECT_FALSE(check("X -1"));
  EXPECT_FALSE(check("X 1 extra"));
  EXPECT_FALSE(check("F 1 64"));                    // unknown flag bit
  EXPECT_FALSE(check("A 1 5 0 0 uidl ../escape"));  // file name with a slash
  EXPECT_FALSE(check("A 1 5 0 0 " + std::string(71, 'u') + " file"));
  EXPECT_FALSE(check("H 0 1 0000000000000000"));    // UIDVALIDITY 0
  EXPECT_FALSE(check("Q 1"));
  EXPECT_FALSE(parse_index_record(std::string(2000, 'a')).ok());
  EXPECT_FALSE(parse_index_record("").ok());
}

// The checksum in front of a payload, as the log writes it.
std::string line_of(std::string_view payload) {
  std::uint32_t h = 2166136261u;
  for (char c : payload) {
    h ^= static_cast<unsigned char>(c);
    h *= 16777619u;
  }
  char prefix[16];
  std::snprintf(prefix, sizeof prefix, "%08x ", h);
  return prefix + std::string(payload);
}

TEST(IndexRecord, ReadsRecordsOfEarlierVersions) {
  // Logs written before keywords and mod-sequences: every old form still parses, and
  // carries no mod-sequence (replay gives one).
  auto header = parse_index_record(line_of("H 77 9 0000000000abcdef"));
  ASSERT_TRUE(header.ok());
  EXPECT_FALSE(header->header.has_modseq);
  EXPECT_EQ(header->header.first_recent_uid, 9u);  // nothing older is \Recent
  auto add = parse_index_record(line_of("A 3 10 1700000000 1 u3 f3"));
  ASSERT_TRUE(add.ok());
  EXPECT_EQ(add->info.modseq, 0u);
  EXPECT_EQ(add->info.keywords, 0u);
  auto flags = parse_index_record(line_of("F 3 8"));
  ASSERT_TRUE(flags.ok());
  EXPECT_TRUE(flags->keeps_keywords);
  EXPECT_EQ(flags->info.modseq, 0u);
  auto expunge = parse_index_record(line_of("X 3"));
  ASSERT_TRUE(expunge.ok());
  EXPECT_EQ(expunge->info.modseq, 0u);
}

TEST(IndexRecord, RoundTripsKeywordsAndModseqs) {
  IndexHeader h{77, 9, 0xabcdef};
  h.highest_modseq = 500;
  h.first_recent_uid = 7;
  h.expunges_from = 400;
  auto header = parse_index_record(without_newline(format_index_record(IndexRecord::make_header(h))));
  ASSERT_TRUE(header.ok());
  EXPECT_TRUE(header->header.has_modseq);
  EXPECT_EQ(header->header.highest_modseq, 500u);
  EXPECT_EQ(header->header.first_recent_uid, 7u);
  EXPECT_EQ(header->header.expunges_from, 400u);

  MessageInfo info;
  info.uid = 4;
  info.size = 10;
  info.uidl = "u4";
  info.keywords = 0x8000000000000001u;
  info.modseq = 123;
  auto add = parse_index_record(without_newline(format_index_record(IndexRecord::make_add(info, "f4"))));
  ASSERT_TRUE(add.ok());
  EXPECT_EQ(add->info.keywords, 0x8000000000000001u);
  EXPECT_EQ(add->info.modseq, 123u);

  IndexRecord f = IndexRecord::make_flags(4, flag_seen, 6);
  f.info.modseq = 124;
  auto flags = parse_index_record(without_newline(format_index_record(f)));
  ASSERT_TRUE(flags.ok());
  EXPECT_FALSE(flags->keeps_keywords);
  EXPECT_EQ(flags->info.keywords, 6u);
  EXPECT_EQ(flags->info.modseq, 124u);

  IndexRecord x = IndexRecord::make_expunge(4);
  x.info.modseq = 125;
  auto expunge = parse_index_record(without_newline(format_index_record(x)));
  ASSERT_TRUE(expunge.ok());
  EXPECT_EQ(expunge->info.modseq, 125u);

  auto keyword = parse_index_record(without_newline(format_index_record(IndexRecord::make_keyword(3, "$Work"))));
  ASSERT_TRUE(keyword.ok());
  EXPECT_EQ(keyword->kind, IndexRecord::Kind::keyword);
  EXPECT_EQ(keyword->bit, 3u);
  EXPECT_EQ(keyword->file, "$Work");

  auto recent = parse_index_record(without_newline(format_index_record(IndexRecord::make_recent(12))));
  ASSERT_TRUE(recent.ok());
  EXPECT_EQ(recent->kind, IndexRecord::Kind::recent);
  EXPECT_EQ(recent->info.uid, 12u);
}

TEST(IndexRecord, RefusesBadKeywordsAndModseqs) {
  auto ok = [](std::string payload) { return parse_index_record(line_of(payload)).ok(); };
  EXPECT_TRUE(ok("K 0 $Junk"));
  EXPECT_FALSE(ok("K 64 $Junk"));               // past kMaxKeywords
  EXPECT_FALSE(ok("K 0 \\Seen"));               // system flags are not keywords
  EXPECT_FALSE(ok("K 0 a(b"));
  EXPECT_FALSE(ok("K 0 " + std::string(kMaxKeywordLength + 1, 'k')));
  EXPECT_FALSE(ok("X 1 0"));                    // mod-sequences are positive
  EXPECT_FALSE(ok("X 1 9223372036854775808"));  // and 63-bit
  EXPECT_FALSE(ok("F 1 0 10000000000000000 5"));  // more than 64 keyword bits
  EXPECT_FALSE(ok("F 1 0 1"));                  // keywords without a mod-sequence
  EXPECT_FALSE(ok("H 1 1 0000000000000000 5 1 6"));  // expunges known from past the highest
  EXPECT_FALSE(ok("R 0"));
}

}  // namespace
}  // namespace dirmail::store
