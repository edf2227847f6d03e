// The export's encoding: detection (BOM, the lines' vote), CP932 and UTF-8 fields to
// UTF-8 and back, with the bytes the original's Japanese Windows tools write.
#include "dirmail/migration/export_encoding.hpp"

#include <gtest/gtest.h>

#include "dirmail/base/charset_conversion.hpp"

namespace dirmail::migration {
namespace {

// 山田太郎 and 表示 in CP932; 表 ends in 0x5C, the byte of '\'.
constexpr std::string_view yamada_cp932 = "\x8e\x52\x93\x63\x91\xbe\x98\x59";
constexpr std::string_view hyouji_cp932 = "\x95\x5c\x8e\xa6";

TEST(ExportEncoding, Names) {
  EXPECT_EQ(parse_export_encoding("UTF-8"), ExportEncoding::utf8);
  EXPECT_EQ(parse_export_encoding("utf8"), ExportEncoding::utf8);
  EXPECT_EQ(parse_export_encoding("Shift_JIS"), ExportEncoding::cp932);
  EXPECT_EQ(parse_export_encoding("cp932"), ExportEncoding::cp932);
  EXPECT_EQ(parse_export_encoding("sjis"), ExportEncoding::cp932);
  EXPECT_FALSE(parse_export_encoding("latin1"));
  EXPECT_FALSE(parse_export_encoding(""));
}

TEST(ExportEncoding, Utf8ByteOrderMarkDecides) {
  auto d = decide_export_encoding("\xEF\xBB\xBFuser\t\t\xE5\xB1\xB1\t\t\t0\t0\t0\r\n");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->encoding, ExportEncoding::utf8);
  EXPECT_TRUE(d->bom);
  EXPECT_EQ(d->reason, "UTF-8 byte order mark");
}

TEST(ExportEncoding, LinesVote) {
  std::string cp932 = "a\t\t" + std::string(yamada_cp932) + "\t\t\t0\t0\t0\r\nb\t\t" + std::string(hyouji_cp932) + "\t\t\t0\t0\t0\r\n";
  auto d = decide_export_encoding(cp932);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->encoding, ExportEncoding::cp932);
  EXPECT_FALSE(d->bom);
  EXPECT_EQ(d->reason, "2 of 2 lines with non-ASCII text are not UTF-8");

  // Two good UTF-8 lines outvote a damaged one: the file stays UTF-8.
  std::string utf8 = "a\t\t山田太郎\t\t\t0\t0\t0\nb\t\t鈴木花子\t\t\t0\t0\t0\nc\t\t" + std::string(yamada_cp932) + "\t\t\t0\t0\t0\n";
  d = decide_export_encoding(utf8);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->encoding, ExportEncoding::utf8);
  EXPECT_EQ(d->reason, "2 of 3 lines with non-ASCII text are UTF-8");

  d = decide_export_encoding("a\tpw\tAlice\t\t\t0\t0\t0\r\n");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->encoding, ExportEncoding::utf8);
  EXPECT_EQ(d->reason, "ASCII only");
}

TEST(ExportEncoding, GivenEncodingWins) {
  auto d = decide_export_encoding("a\t\t山田\t\t\t0\t0\t0\n", ExportEncoding::cp932);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->encoding, ExportEncoding::cp932);
  EXPECT_EQ(d->reason, "as given");
  d = decide_export_encoding("\xEF\xBB\xBF" "a\n", ExportEncoding::utf8);
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->bom);
}

TEST(ExportEncoding, Utf16IsRefused) {
  auto d = decide_export_encoding(std::string_view("\xFF\xFEu\0s\0", 6));
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(d.error().message.find("UTF-16"), std::string::npos);
}

TEST(ExportEncoding, DecodesCp932Fields) {
  EXPECT_EQ(decode_export_text(yamada_cp932, ExportEncoding::cp932), "山田太郎");
  EXPECT_EQ(decode_export_text(hyouji_cp932, ExportEncoding::cp932), "表示");
  EXPECT_EQ(decode_export_text("\xd4\xcf\xc0\xde", ExportEncoding::cp932), "ﾔﾏﾀﾞ");  // half-width kana
  // A path keeps its backslashes (JIS X 0201 would read 0x5C as a yen sign).
  EXPECT_EQ(decode_export_text("\\\\fs1\\home\\" "\x8e\x52\x93\x63", ExportEncoding::cp932), "\\\\fs1\\home\\山田");
  EXPECT_FALSE(decode_export_text("abc\x82", ExportEncoding::cp932));   // a lead byte without its trail
  EXPECT_FALSE(decode_export_text("\x81\x20", ExportEncoding::cp932));  // a trail byte CP932 does not allow
  EXPECT_FALSE(decode_export_text("\xa0", ExportEncoding::cp932));      // unassigned
}

TEST(ExportEncoding, DecodesUtf8FieldsStrictly) {
  EXPECT_EQ(decode_export_text("山田太郎", ExportEncoding::utf8), "山田太郎");
  EXPECT_FALSE(decode_export_text(yamada_cp932, ExportEncoding::utf8));
  EXPECT_FALSE(decode_export_text("\xC0\xAF", ExportEncoding::utf8));  // overlong '/'
}

TEST(ExportEncoding, EncodesOnlyExactCp932Forms) {
  EXPECT_EQ(encode_export_text("山田太郎", ExportEncoding::cp932), yamada_cp932);
  EXPECT_EQ(encode_export_text("表示", ExportEncoding::cp932), hyouji_cp932);
  EXPECT_EQ(encode_export_text("C:\\home", ExportEncoding::cp932), "C:\\home");
  EXPECT_FALSE(encode_export_text("\xF0\xA0\xAE\xB7野", ExportEncoding::cp932));  // U+20BB7 (𠮷) is not in CP932
  EXPECT_FALSE(encode_export_text("¥100", ExportEncoding::cp932));   // would come back as "\100"
  EXPECT_FALSE(encode_export_text("a〜b", ExportEncoding::cp932));   // WAVE DASH would come back as U+FF5E
  EXPECT_EQ(encode_export_text("a～b", ExportEncoding::cp932), "a\x81\x60" "b");  // FULLWIDTH TILDE is exact
  EXPECT_FALSE(encode_export_text("\xff", ExportEncoding::cp932));
  EXPECT_EQ(encode_export_text("\xF0\xA0\xAE\xB7", ExportEncoding::utf8), "\xF0\xA0\xAE\xB7");
  EXPECT_FALSE(encode_export_text("\xff", ExportEncoding::utf8));
}

// Whatever the reader decodes from a CP932 file, the writer can write back: every
// character of CP932 has an exact form (the duplicates of NEC and IBM rows read as one
// character and are written as one code).
TEST(ExportEncoding, EveryCp932CharacterWritesBack) {
  std::size_t characters = 0;
  for (int lead = 0x80; lead <= 0xff; ++lead) {
    for (int trail = -1; trail <= 0xff; ++trail) {
      std::string bytes(1, static_cast<char>(lead));
      if (trail >= 0) bytes += static_cast<char>(trail);
      auto text = decode_export_text(bytes, ExportEncoding::cp932);
      if (!text) continue;
      ++characters;
      auto again = encode_export_text(*text, ExportEncoding::cp932);
      ASSERT_TRUE(again) << std::hex << lead << " " << trail;
      EXPECT_EQ(decode_export_text(*again, ExportEncoding::cp932), text);
    }
  }
  // Half-width katakana (63, each also read with every ASCII byte after it) and the
  // double-byte characters: thousands, not a handful.
  EXPECT_GT(characters, 7000u);
}

TEST(CharsetConversion, FromUtf8IsStrict) {
  EXPECT_EQ(convert_from_utf8("日本語", "Shift_JIS"), "\x93\xfa\x96\x7b\x8c\xea");
  EXPECT_EQ(convert_from_utf8("日本語", "EUC-JP"), "\xc6\xfc\xcb\xdc\xb8\xec");
  EXPECT_FALSE(convert_from_utf8("\xF0\x9F\x98\x80", "CP932"));  // an emoji
  EXPECT_FALSE(convert_from_utf8("caf\xe9", "ISO-8859-1"));        // not UTF-8 to begin with
  EXPECT_FALSE(convert_from_utf8("x", "no-such-charset"));
  EXPECT_EQ(convert_from_utf8("abc", "US-ASCII"), "abc");
  EXPECT_FALSE(convert_from_utf8("é", "US-ASCII"));
}

}  // namespace
}  // namespace dirmail::migration
