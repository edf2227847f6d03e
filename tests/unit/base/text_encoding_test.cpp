// is_ascii and valid_utf8 (RFC 3629), checked against the table of well-formed byte
// sequences in the Unicode standard (§3.9, Table 3-7).
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "dirmail/base/strings.hpp"

namespace dirmail {
namespace {

std::string bytes(std::initializer_list<unsigned> octets) {
  std::string s;
  for (unsigned o : octets) s += static_cast<char>(o);
  return s;
}

// Table 3-7: the second octet's range for each lead octet; the others are 80..BF.
bool well_formed(const std::string& s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned lead = b(i);
    std::size_t n;
    unsigned lo = 0x80, hi = 0xBF;
    if (lead <= 0x7F) n = 0;
    else if (lead >= 0xC2 && lead <= 0xDF) n = 1;
    else if (lead == 0xE0) n = 2, lo = 0xA0;
    else if (lead == 0xED) n = 2, hi = 0x9F;
    else if (lead >= 0xE1 && lead <= 0xEF) n = 2;
    else if (lead == 0xF0) n = 3, lo = 0x90;
    else if (lead == 0xF4) n = 3, hi = 0x8F;
    else if (lead >= 0xF1 && lead <= 0xF3) n = 3;
    else return false;
    if (i + n >= s.size() && n > 0) return false;
    for (std::size_t k = 1; k <= n; ++k) {
      unsigned c = b(i + k);
      unsigned l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xBF;
      if (c < l || c > h) return false;
    }
    i += n + 1;
  }
  return true;
}

std::string encode(std::uint32_t cp) {
  if (cp < 0x80) return bytes({cp});
  if (cp < 0x800) return bytes({0xC0 | (cp >> 6), 0x80 | (cp & 0x3F)});
  if (cp < 0x10000) return bytes({0xE0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3F), 0x80 | (cp & 0x3F)});
  return bytes({0xF0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3F), 0x80 | ((cp >> 6) & 0x3F), 0x80 | (cp & 0x3F)});
}

TEST(IsAscii, SevenBitOnly) {
  EXPECT_TRUE(is_ascii(""));
  EXPECT_TRUE(is_ascii("Hello, world\r\n"));
  EXPECT_TRUE(is_ascii(std::string("\0\x01\x7f", 3)));
  EXPECT_FALSE(is_ascii("\x80"));
  EXPECT_FALSE(is_ascii("abc\xff"));
  EXPECT_FALSE(is_ascii("caf\xc3\xa9"));
  for (int c = 0; c < 256; ++c) EXPECT_EQ(is_ascii(std::string(1, static_cast<char>(c))), c < 0x80) << c;
}

TEST(ValidUtf8, WellFormed) {
  EXPECT_TRUE(valid_utf8(""));
  EXPECT_TRUE(valid_utf8("plain ascii"));
  EXPECT_TRUE(valid_utf8(std::string("nul\0inside", 10)));
  EXPECT_TRUE(valid_utf8("caf\xc3\xa9"));                  // U+00E9
  EXPECT_TRUE(valid_utf8("\xe2\x82\xac"));                 // U+20AC
  EXPECT_TRUE(valid_utf8("\xf0\x9f\x98\x80 smile"));       // U+1F600, 4 octets
  EXPECT_TRUE(valid_utf8(bytes({0xC2, 0x80})));            // U+0080, smallest 2-octet
  EXPECT_TRUE(valid_utf8(bytes({0xDF, 0xBF})));            // U+07FF
  EXPECT_TRUE(valid_utf8(bytes({0xE0, 0xA0, 0x80})));      // U+0800, smallest 3-octet
  EXPECT_TRUE(valid_utf8(bytes({0xED, 0x9F, 0xBF})));      // U+D7FF, below the surrogates
  EXPECT_TRUE(valid_utf8(bytes({0xEE, 0x80, 0x80})));      // U+E000, above them
  EXPECT_TRUE(valid_utf8(bytes({0xEF, 0xBF, 0xBF})));      // U+FFFF
  EXPECT_TRUE(valid_utf8(bytes({0xF0, 0x90, 0x80, 0x80})));  // U+10000, smallest 4-octet
  EXPECT_TRUE(valid_utf8(bytes({0xF4, 0x8F, 0xBF, 0xBF})));  // U+10FFFF, the last
}

TEST(ValidUtf8, Overlongs) {
  EXPECT_FALSE(valid_utf8(bytes({0xC0, 0x80})));              // U+0000
  EXPECT_FALSE(valid_utf8(bytes({0xC0, 0xAF})));              // "/"
  EXPECT_FALSE(valid_utf8(bytes({0xC1, 0xBF})));              // U+007F
  EXPECT_FALSE(valid_utf8(bytes({0xE0, 0x80, 0x80})));
  EXPECT_FALSE(valid_utf8(bytes({0xE0, 0x9F, 0xBF})));        // U+07FF in 3
  EXPECT_FALSE(valid_utf8(bytes({0xF0, 0x80, 0x80, 0x80})));
  EXPECT_FALSE(valid_utf8(bytes({0xF0, 0x8F, 0xBF, 0xBF})));  // U+FFFF in 4
}

TEST(ValidUtf8, Surrogates) {
  EXPECT_FALSE(valid_utf8(bytes({0xED, 0xA0, 0x80})));  // U+D800
  EXPECT_FALSE(valid_utf8(bytes({0xED, 0xAD, 0xBF})));  // U+DB7F
  EXPECT_FALSE(valid_utf8(bytes({0xED, 0xBF, 0xBF})));  // U+DFFF
  // A CESU-8 pair for U+1F600.
  EXPECT_FALSE(valid_utf8(bytes({0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80})));
}

TEST(ValidUtf8, BeyondU10FFFF) {
  EXPECT_FALSE(valid_utf8(bytes({0xF4, 0x90, 0x80, 0x80})));  // U+110000
  EXPECT_FALSE(valid_utf8(bytes({0xF5, 0x80, 0x80, 0x80})));
  EXPECT_FALSE(valid_utf8(bytes({0xF7, 0xBF, 0xBF, 0xBF})));
  EXPECT_FALSE(valid_utf8(bytes({0xF8, 0x88, 0x80, 0x80, 0x80})));  // old 5-octet form
  EXPECT_FALSE(valid_utf8(bytes({0xFC, 0x84, 0x80, 0x80, 0x80, 0x80})));
  EXPECT_FALSE(valid_utf8("\xfe"));
  EXPECT_FALSE(valid_utf8("\xff"));
}

TEST(ValidUtf8, TruncatedAndStray) {
  EXPECT_FALSE(valid_utf8("\xc3"));
  EXPECT_FALSE(valid_utf8("caf\xc3"));
  EXPECT_FALSE(valid_utf8("\xe2\x82"));
  EXPECT_FALSE(valid_utf8("\xf0\x9f\x98"));
  EXPECT_FALSE(valid_utf8("\xf0\x9f\x98 "));   // cut short by a space
  EXPECT_FALSE(valid_utf8("\xc3" "A"));        // continuation missing
  EXPECT_FALSE(valid_utf8("\x80"));            // a continuation octet alone
  EXPECT_FALSE(valid_utf8("a\xbf"));
  EXPECT_FALSE(valid_utf8("\xc3\xa9\xa9"));    // one continuation too many
  EXPECT_FALSE(valid_utf8("\xe2\x82\xac\x80"));
}

TEST(ValidUtf8, EveryScalarValueEncodes) {
  for (std::uint32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    const bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
    ASSERT_EQ(valid_utf8(encode(cp)), !surrogate) << std::hex << cp;
  }
}

TEST(ValidUtf8, AgreesWithTable37OnEveryShortSequence) {
  std::string s;
  for (unsigned a = 0; a < 256; ++a) {
    ASSERT_EQ(valid_utf8(bytes({a})), well_formed(bytes({a}))) << std::hex << a;
    for (unsigned b = 0; b < 256; ++b) {
      s = bytes({a, b});
      ASSERT_EQ(valid_utf8(s), well_formed(s)) << std::hex << a << " " << b;
    }
  }
  // Three octets for every lead from C0 up (the ASCII leads are covered above).
  for (unsigned a = 0xC0; a < 256; ++a)
    for (unsigned b = 0; b < 256; ++b)
      for (unsigned c = 0; c < 256; c += (c >= 0x7E && c <= 0xC1) ? 1 : 0x3F) {
        s = bytes({a, b, c});
        ASSERT_EQ(valid_utf8(s), well_formed(s)) << std::hex << a << " " << b << " " << c;
      }
  // Four octets with every lead from F0 up and every second octet.
  for (unsigned a = 0xF0; a < 256; ++a)
    for (unsigned b = 0; b < 256; ++b)
      for (unsigned c : {0x7Fu, 0x80u, 0xBFu, 0xC0u})
        for (unsigned d : {0x7Fu, 0x80u, 0xBFu, 0xC0u}) {
          s = bytes({a, b, c, d});
          ASSERT_EQ(valid_utf8(s), well_formed(s)) << std::hex << a << " " << b << " " << c << " " << d;
        }
}

}  // namespace
}  // namespace dirmail
