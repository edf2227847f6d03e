// decode_encoded_words (RFC 2047) and convert_to_utf8, with the Japanese subjects mail
// clients send (ISO-2022-JP in B words, split between words) and the malformed ones.
#include <gtest/gtest.h>

#include <string>

#include "dirmail/base/charset_conversion.hpp"
#include "dirmail/base/encoded_words.hpp"

namespace dirmail {
namespace {

TEST(CharsetConversion, JapaneseCharsetsAndUnknownOnes) {
  // "日本語" in each encoding.
  EXPECT_EQ(convert_to_utf8("\x1b$BF|K\\8l\x1b(B", "ISO-2022-JP"), "日本語");
  EXPECT_EQ(convert_to_utf8("\x93\xfa\x96\x7b\x8c\xea", "Shift_JIS"), "日本語");
  EXPECT_EQ(convert_to_utf8("\xc6\xfc\xcb\xdc\xb8\xec", "euc-jp"), "日本語");
  EXPECT_EQ(convert_to_utf8("caf\xe9", "ISO-8859-1"), "café");
  EXPECT_EQ(convert_to_utf8("a\xff" "b", "utf-8"), "a\xEF\xBF\xBD" "b");  // repaired, not converted
  EXPECT_FALSE(convert_to_utf8("x", "no-such-charset"));
  EXPECT_FALSE(convert_to_utf8("x", std::string(100, 'a')));
}

TEST(EncodedWords, DecodesBAndQWords) {
  EXPECT_EQ(decode_encoded_words("=?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?="), "日本語");
  EXPECT_EQ(decode_encoded_words("=?utf-8?q?caf=C3=A9_au_lait?="), "café au lait");
  EXPECT_EQ(decode_encoded_words("Re: =?UTF-8?B?5pel5pys6Kqe?= meeting"), "Re: 日本語 meeting");
  EXPECT_EQ(decode_encoded_words("plain subject"), "plain subject");
  EXPECT_EQ(decode_encoded_words("=?utf-8?b?5pel5pys6Kqe?="), "日本語");  // lower-case encoding letter
  EXPECT_EQ(decode_encoded_words("=?UTF-8*ja?B?5pel?="), "日");          // RFC 2231 language
  EXPECT_EQ(decode_encoded_words("=?UTF-8?B?5pel5pys6Kqe?="), "日本語");
  // The padding left out, and the last character cut short.
  EXPECT_EQ(decode_encoded_words("=?UTF-8?B?5pel5pys6Kg?="), "日本\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(EncodedWords, SpaceBetweenWordsGoesAndSplitCharactersAreJoined) {
  EXPECT_EQ(decode_encoded_words("=?UTF-8?Q?a?= =?UTF-8?Q?b?="), "ab");
  EXPECT_EQ(decode_encoded_words("=?UTF-8?Q?a?=\r\n =?UTF-8?Q?b?= c"), "ab c");
  // "日" (E6 97 A5) split between two words.
  EXPECT_EQ(decode_encoded_words("=?UTF-8?Q?=E6=97?= =?UTF-8?Q?=A5?="), "日");
  // ISO-2022-JP words whose escape sequences only make sense together.
  EXPECT_EQ(decode_encoded_words("=?ISO-2022-JP?B?GyRCRnw=?= =?ISO-2022-JP?B?S1w4bBsoQg==?="), "日本語");
  // Words of different charsets are not joined, but the space between them still goes.
  EXPECT_EQ(decode_encoded_words("=?UTF-8?Q?a?= =?ISO-8859-1?Q?=E9?="), "aé");
  // Text between words stays.
  EXPECT_EQ(decode_encoded_words("=?UTF-8?Q?a?= x =?UTF-8?Q?b?="), "a x b");
}

TEST(EncodedWords, MalformedWordsStayAsWritten) {
  for (std::string_view bad : {"=?UTF-8?B?not base64!?=", "=?UTF-8?Q?=ZZ?=", "=?UTF-8?X?abc?=", "=?no-such?Q?a?=",
                               "=?UTF-8?Q?a b?=", "=??Q?a?=", "=?UTF-8?Q?abc", "=?UTF-8?Q?a?"}) {
    EXPECT_EQ(decode_encoded_words(bad), bad);
  }
  std::string huge = "=?UTF-8?Q?" + std::string(max_encoded_word, 'a') + "?=";
  EXPECT_EQ(decode_encoded_words(huge), huge);
  EXPECT_EQ(decode_encoded_words("a\xff"), "a\xEF\xBF\xBD");
}

}  // namespace
}  // namespace dirmail
