// Registry.pol (PReg): files as Group Policy writes them read back entry by entry; a
// damaged file is refused whole, with the byte offset of the damage.
#include "dirmail/config/registry_pol.hpp"

#include <gtest/gtest.h>

#include <string>

namespace dirmail::config {
namespace {

// ASCII text as UTF-16LE code units.
std::string u16(std::string_view ascii) {
  std::string out;
  for (char c : ascii) {
    out += c;
    out += '\0';
  }
  return out;
}

std::string le32(std::uint32_t n) {
  std::string out;
  for (int i = 0; i < 4; ++i) out += static_cast<char>((n >> (8 * i)) & 0xFF);
  return out;
}

const std::string kHeader = std::string("PReg") + le32(1);

// One entry spelled out byte by byte, as the format describes it.
std::string raw_entry(std::string_view key, std::string_view value, std::uint32_t type, std::string_view data) {
  return u16("[") + u16(key) + u16(std::string_view("\0", 1)) + u16(";") + u16(value) + u16(std::string_view("\0", 1)) +
         u16(";") + le32(type) + u16(";") + le32(static_cast<std::uint32_t>(data.size())) + u16(";") +
         std::string(data) + u16("]");
}

std::string read_error(const std::string& file) {
  auto read = read_registry_pol(file);
  if (read.ok()) return "(read fine)";
  return read.error().message;
}

TEST(RegistryPol, ReadsAFileSpelledOutByHand) {
  const std::string file =
      kHeader + raw_entry("Software\\Policies\\dirmail\\smtp", "SmtpMaxRecipients", 4, le32(250)) +
      raw_entry("Software\\Policies\\dirmail\\log", "LogLevel", 1, u16("debug") + u16(std::string_view("\0", 1)));
  auto entries = read_registry_pol(file);
  ASSERT_TRUE(entries.ok()) << entries.error().message;
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].key, "Software\\Policies\\dirmail\\smtp");
  EXPECT_EQ((*entries)[0].value_name, "SmtpMaxRecipients");
  EXPECT_EQ((*entries)[0].type, RegistryType::Dword);
  EXPECT_EQ((*entries)[0].data, RegistryData{std::uint64_t{250}});
  EXPECT_EQ((*entries)[1].type, RegistryType::String);
  EXPECT_EQ((*entries)[1].data, RegistryData{std::string("debug")});
}

TEST(RegistryPol, AHeaderAloneHasNoEntries) {
  auto entries = read_registry_pol(kHeader);
  ASSERT_TRUE(entries.ok());
  EXPECT_TRUE(entries->empty());
}

TEST(RegistryPol, DecodesEveryValueType) {
  const std::string big_endian = std::string("\x00\x00\x01\x02", 4);
  const std::string qword = le32(5) + le32(1);
  const std::string multi = u16("a") + u16(std::string_view("\0", 1)) + u16("bc") + u16(std::string_view("\0\0", 2));
  const std::string file = kHeader + raw_entry("K", "sz", 1, u16("x")) + raw_entry("K", "expand", 2, u16("%TEMP%")) +
                           raw_entry("K", "bin", 3, std::string("\x01\xff", 2)) + raw_entry("K", "be", 5, big_endian) +
                           raw_entry("K", "multi", 7, multi) + raw_entry("K", "q", 11, qword) +
                           raw_entry("K", "none", 0, "");
  auto entries = read_registry_pol(file);
  ASSERT_TRUE(entries.ok()) << entries.error().message;
  ASSERT_EQ(entries->size(), 7u);
  EXPECT_EQ((*entries)[0].data, RegistryData{std::string("x")});  // no terminator: still the text
  EXPECT_EQ((*entries)[1].type, RegistryType::ExpandString);
  EXPECT_EQ((*entries)[1].data, RegistryData{std::string("%TEMP%")});
  EXPECT_EQ((*entries)[2].data, RegistryData{RegistryBytes{std::string("\x01\xff", 2)}});
  EXPECT_EQ((*entries)[3].data, RegistryData{std::uint64_t{0x0102}});
  EXPECT_EQ((*entries)[4].data, (RegistryData{std::vector<std::string>{"a", "bc"}}));
  EXPECT_EQ((*entries)[5].data, RegistryData{(std::uint64_t{1} << 32) + 5});
  EXPECT_EQ((*entries)[6].data, RegistryData{RegistryBytes{}});
}

TEST(RegistryPol, DecodesTextBeyondAscii) {
  // "メール" and U+1F4E7 (a surrogate pair) in UTF-16LE.
  const std::string text = std::string("\xe1\x30\xfc\x30\xeb\x30\x3d\xd8\xe7\xdc\x00\x00", 12);
  auto entries = read_registry_pol(kHeader + raw_entry("K", "v", 1, text));
  ASSERT_TRUE(entries.ok()) << entries.error().message;
  EXPECT_EQ((*entries)[0].data, RegistryData{std::string("メール\xF0\x9F\x93\xA7")});
}

TEST(RegistryPol, WriterOutputReadsBackEqual) {
  const std::vector<RegistryPolEntry> entries = {
      {"Software\\Policies\\dirmail\\smtp", "SmtpMaxRecipients", RegistryType::Dword, std::uint64_t{7}},
      {"Software\\Policies\\dirmail\\smtp", "**del.SmtpVrfy", RegistryType::String, std::string(" ")},
      {"Software\\Policies\\dirmail\\smtp\\SmtpListen", "**delvals.", RegistryType::String, std::string()},
      {"Software\\Policies\\dirmail\\smtp\\SmtpListen", "1", RegistryType::String, std::string("127.0.0.1 2525")},
      {"Software\\Policies\\dirmail\\store", "MailboxLimit", RegistryType::Qword, std::uint64_t{1} << 40},
      {"Software\\Policies\\dirmail\\x", "be", RegistryType::DwordBigEndian, std::uint64_t{0xA1B2C3D4}},
      {"Software\\Policies\\dirmail\\x", "multi", RegistryType::MultiString, std::vector<std::string>{"ア", "b"}},
      {"Software\\Policies\\dirmail\\x", "bin", RegistryType::Binary, RegistryBytes{std::string("\0\1\2", 3)}},
      {"Software\\Policies\\dirmail\\x", "", RegistryType::None, RegistryBytes{}},
  };
  auto file = write_registry_pol(entries);
  ASSERT_TRUE(file.ok()) << file.error().message;
  auto back = read_registry_pol(*file);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, entries);
}

TEST(RegistryPol, WriterSpellsTheFormatOut) {
  const std::vector<RegistryPolEntry> entries = {{"K", "v", RegistryType::Dword, std::uint64_t{1}}};
  auto file = write_registry_pol(entries);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(*file, kHeader + raw_entry("K", "v", 4, le32(1)));
}

TEST(RegistryPol, WriterRefusesWhatCannotReadBack) {
  const auto refused = [](RegistryPolEntry entry) {
    auto file = write_registry_pol(std::vector<RegistryPolEntry>{std::move(entry)});
    return !file.ok() && file.error().code == ErrorCode::invalid_argument;
  };
  EXPECT_TRUE(refused({"", "v", RegistryType::Dword, std::uint64_t{1}}));
  EXPECT_TRUE(refused({"K", "v", RegistryType::Dword, std::uint64_t{1} << 32}));
  EXPECT_TRUE(refused({"K", "v", RegistryType::Dword, std::string("1")}));
  EXPECT_TRUE(refused({"K", "v", RegistryType::String, std::string("a\0b", 3)}));
  EXPECT_TRUE(refused({"K", "v", RegistryType::String, std::string("\xff")}));
  EXPECT_TRUE(refused({"K", "v", RegistryType::MultiString, std::vector<std::string>{"a", ""}}));
  EXPECT_TRUE(refused({std::string(kMaxRegistryKeyUnits + 1, 'k'), "v", RegistryType::Dword, std::uint64_t{1}}));
}

TEST(RegistryPol, RefusesABadHeader) {
  EXPECT_EQ(read_error(""), "byte 0: not a Registry.pol file (no \"PReg\" signature)");
  EXPECT_EQ(read_error("PReg"), "byte 0: not a Registry.pol file (no \"PReg\" signature)");
  EXPECT_EQ(read_error(std::string("REGF") + le32(1)), "byte 0: not a Registry.pol file (no \"PReg\" signature)");
  EXPECT_EQ(read_error(std::string("PReg") + le32(2)), "byte 4: Registry.pol version 2 is not supported (only 1)");
}

TEST(RegistryPol, RefusesATruncatedFileAtEveryCut) {
  const std::string file = kHeader + raw_entry("Software\\Policies\\dirmail\\log", "LogLevel", 1, u16("warn"));
  for (std::size_t cut = kHeader.size() + 1; cut < file.size(); ++cut) {
    auto read = read_registry_pol(file.substr(0, cut));
    ASSERT_FALSE(read.ok()) << "cut at " << cut;
    EXPECT_EQ(read.error().code, ErrorCode::invalid_argument);
    EXPECT_TRUE(read.error().message.starts_with("byte ")) << read.error().message;
    EXPECT_NE(read.error().message.find("entry 1: "), std::string::npos) << read.error().message;
  }
}

TEST(RegistryPol, NamesTheOffsetOfTheDamage) {
  const std::string good = raw_entry("K", "v", 4, le32(1));  // 32 bytes
  // A size that does not match the type: the size field of entry 2 is at 8 + 32 + 20.
  EXPECT_EQ(read_error(kHeader + good + raw_entry("K", "v", 4, std::string(6, '\0'))),
            "byte 60: entry 2: size 6 does not match REG_DWORD (4 bytes)");
  EXPECT_EQ(read_error(kHeader + good + raw_entry("K", "v", 11, le32(1))),
            "byte 60: entry 2: size 4 does not match REG_QWORD (8 bytes)");
  // A size past the end.
  std::string past = kHeader + raw_entry("K", "v", 4, le32(1));
  past.replace(8 + 20, 4, le32(1000));
  EXPECT_EQ(read_error(past), "byte 28: entry 1: size 1000 runs past the end of the file (6 bytes left)");
  // No ']' where the data ends.
  std::string unclosed = kHeader + raw_entry("K", "v", 4, le32(1));
  unclosed[unclosed.size() - 2] = ')';
  EXPECT_EQ(read_error(unclosed), "byte 38: entry 1: expected ']' to close the entry");
  // Junk after an entry.
  EXPECT_EQ(read_error(kHeader + good + "x"), "byte 40: entry 2: the file ends where '[' to open an entry should be");
  EXPECT_EQ(read_error(kHeader + good + u16("(")), "byte 40: entry 2: expected '[' to open an entry");
  // An unknown type.
  EXPECT_EQ(read_error(kHeader + raw_entry("K", "v", 6, "")), "byte 22: entry 1: unknown value type 6");
  // An empty key.
  EXPECT_EQ(read_error(kHeader + raw_entry("", "v", 4, le32(1))), "byte 10: entry 1: the key is empty");
}

TEST(RegistryPol, RefusesBadUtf16) {
  // Odd length of string data.
  EXPECT_EQ(read_error(kHeader + raw_entry("K", "v", 1, "abc")),
            "byte 34: entry 1: string data has an odd length (3 bytes)");
  // A lone high surrogate in the data, then a lone low one in the value name.
  EXPECT_EQ(read_error(kHeader + raw_entry("K", "v", 1, u16("a") + std::string("\x00\xd8", 2) + u16("b"))),
            "byte 36: entry 1: string data has an unpaired UTF-16 surrogate");
  std::string name = kHeader + raw_entry("K", "v", 4, le32(1));
  name[8 + 8] = '\x00';
  name[8 + 9] = '\xdc';
  EXPECT_EQ(read_error(name), "byte 16: entry 1: the value name has an unpaired UTF-16 surrogate");
}

TEST(RegistryPol, EnforcesItsLimits) {
  const std::string long_key = kHeader + raw_entry(std::string(kMaxRegistryKeyUnits + 1, 'k'), "v", 4, le32(1));
  auto read = read_registry_pol(long_key);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, ErrorCode::limit_exceeded);
  EXPECT_EQ(read.error().message, "byte 10: entry 1: the key is longer than 1024 characters");

  auto huge = read_registry_pol(kHeader + std::string(kMaxRegistryPolBytes, '\0'));
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.error().code, ErrorCode::limit_exceeded);

  std::string many = kHeader;
  const std::string one = raw_entry("K", "v", 0, "");
  for (std::size_t i = 0; i <= kMaxRegistryPolEntries; ++i) many += one;
  auto counted = read_registry_pol(many);
  ASSERT_FALSE(counted.ok());
  EXPECT_EQ(counted.error().code, ErrorCode::limit_exceeded);
  EXPECT_NE(counted.error().message.find("more than 65536 entries"), std::string::npos);
}

TEST(RegistryPol, TellsTheInstructions) {
  const auto action = [](std::string name, RegistryData data = std::string()) {
    return instruction_of(RegistryPolEntry{"K", std::move(name), RegistryType::String, std::move(data)});
  };
  EXPECT_EQ(action("Plain").action, RegistryAction::SetValue);
  EXPECT_EQ(action("Plain").names, std::vector<std::string>{"Plain"});
  EXPECT_EQ(action("").action, RegistryAction::CreateKey);
  EXPECT_EQ(action("**del.LogLevel").action, RegistryAction::DeleteValue);
  EXPECT_EQ(action("**Del.LogLevel").names, std::vector<std::string>{"LogLevel"});
  EXPECT_EQ(action("**delvals.").action, RegistryAction::DeleteAllValues);
  EXPECT_EQ(action("**soft.LogLevel").action, RegistryAction::SetValueIfAbsent);
  EXPECT_EQ(action("**soft.LogLevel").names, std::vector<std::string>{"LogLevel"});
  EXPECT_EQ(action("**DeleteValues", std::string("a;b;")).action, RegistryAction::DeleteValues);
  EXPECT_EQ(action("**DeleteValues", std::string("a;b;")).names, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(action("**DeleteKeys", std::string("Sub")).action, RegistryAction::DeleteKeys);
  EXPECT_EQ(action("**DeleteKeys", std::string("Sub")).names, std::vector<std::string>{"Sub"});
  EXPECT_EQ(action("**SecureKey").action, RegistryAction::SecureKey);
}

}  // namespace
}  // namespace dirmail::config
