#include "dirmail/store/index_record.hpp"

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

  auto flags = parse_index_record(without_newline(format_index_record(IndexRecord::make_flags(5, flag_deleted))));
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
  std::string line = without_newline(format_index_record(IndexRecord::make_flags(5, flag_seen)));
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

}  // namespace
}  // namespace dirmail::store
