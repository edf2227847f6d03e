#include "dirmail/auth/secrets_file_format.hpp"

#include <gtest/gtest.h>

#include <string>

namespace dirmail::auth {
namespace {

constexpr std::string_view hash = "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g";

std::string error_of(std::string_view text) {
  auto parsed = parse_secrets_file(text);
  if (parsed.ok()) return "parsed";
  return parsed.error().message;
}

TEST(SecretsFileFormat, CommentsBlankLinesAndCrlf) {
  std::string text = "# SMTP-AUTH secrets\r\n"
                     "\r\n"
                     "   \t\n"
                     "  # indented comment\n"
                     "Alice\tsealed:QUJD\r\n"
                     "bob   argon2id:" + std::string(hash) + "\r\n"
                     "  carol@example.test \t sealed:eHl6  \n"
                     "dave\tsealed:a:b";  // no final newline; the value may hold ':'
  auto parsed = parse_secrets_file(text);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  ASSERT_EQ(parsed->size(), 4u);
  const auto& e = *parsed;
  EXPECT_EQ(e[0].login, "alice");  // lower case, as looked up
  EXPECT_EQ(e[0].scheme, SecretScheme::sealed);
  EXPECT_EQ(e[0].value, "QUJD");  // no CR
  EXPECT_EQ(e[0].line, 5u);
  EXPECT_EQ(e[1].login, "bob");
  EXPECT_EQ(e[1].scheme, SecretScheme::argon2id);
  EXPECT_EQ(e[1].value, hash);
  EXPECT_EQ(e[1].line, 6u);
  EXPECT_EQ(e[2].login, "carol@example.test");
  EXPECT_EQ(e[2].value, "eHl6");
  EXPECT_EQ(e[2].line, 7u);
  EXPECT_EQ(e[3].login, "dave");
  EXPECT_EQ(e[3].value, "a:b");
  EXPECT_EQ(e[3].line, 8u);
}

TEST(SecretsFileFormat, EmptyAndCommentOnlyFilesHaveNoEntries) {
  for (std::string_view text : {"", "\n", "# nothing\n\n", "\r\n\r\n"}) {
    auto parsed = parse_secrets_file(text);
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_TRUE(parsed->empty());
  }
}

TEST(SecretsFileFormat, DuplicateLoginsAreRefusedWhateverTheCase) {
  std::string text = "# first\nalice\tsealed:QUJD\n\nbob\tsealed:QUJD\nALICE\targon2id:" + std::string(hash) + "\n";
  auto parsed = parse_secrets_file(text);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(parsed.error().message.find("line 5"), std::string::npos) << parsed.error().message;
  EXPECT_NE(parsed.error().message.find("alice"), std::string::npos) << parsed.error().message;
}

TEST(SecretsFileFormat, MalformedLinesNameTheirLine) {
  struct Case {
    std::string text, line, says;
  };
  const std::vector<Case> cases = {
      {"alice\n", "line 1", "LOGIN"},
      {"ok\tsealed:QQ==\nalice sealed\n", "line 2", "SCHEME"},
      {"\n\nalice\tsealed:\n", "line 3", "SCHEME"},
      {"alice\tplain:secret\n", "line 1", "unknown scheme"},
      {"alice\tSEALED:QUJD\n", "line 1", "unknown scheme"},
      {"alice\t:QUJD\n", "line 1", "unknown scheme"},
      {"#\nalice\targon2id:$argon2i$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA\n", "line 2", "$argon2id$"},
      {"alice\targon2id:notahash\n", "line 1", "$argon2id$"},
      {"alice\tsealed:QU JD\n", "line 1", "white space"},
      {"al\x01ice\tsealed:QUJD\n", "line 1", "control"},
  };
  for (const auto& c : cases) {
    auto parsed = parse_secrets_file(c.text);
    ASSERT_FALSE(parsed.ok()) << c.text;
    EXPECT_EQ(parsed.error().code, ErrorCode::invalid_argument) << c.text;
    EXPECT_EQ(parsed.error().message.rfind(c.line + ":", 0), 0u) << c.text << " -> " << parsed.error().message;
    EXPECT_NE(parsed.error().message.find(c.says), std::string::npos) << c.text << " -> " << parsed.error().message;
  }
}

TEST(SecretsFileFormat, Limits) {
  // A login of 256 bytes is fine, 257 is not.
  std::string login256(max_secret_login, 'a');
  EXPECT_TRUE(parse_secrets_file(login256 + "\tsealed:QUJD\n").ok());
  EXPECT_EQ(error_of("x\tsealed:QUJD\n" + login256 + "b\tsealed:QUJD\n").rfind("line 2:", 0), 0u);

  // A line of max_secrets_line bytes is fine, one more byte is a limit.
  std::string prefix = "alice\tsealed:";
  std::string line = prefix + std::string(max_secrets_line - prefix.size(), 'Q');
  ASSERT_EQ(line.size(), max_secrets_line);
  EXPECT_TRUE(parse_secrets_file(line + "\n").ok());
  auto over = parse_secrets_file("# one\n" + line + "Q\n");
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code, ErrorCode::limit_exceeded);
  EXPECT_EQ(over.error().message.rfind("line 2:", 0), 0u) << over.error().message;

  std::string huge(max_secrets_file_size + 1, '#');
  auto too_big = parse_secrets_file(huge);
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.error().code, ErrorCode::limit_exceeded);
}

TEST(SecretsFileFormat, FormatThenParseGivesTheSameEntry) {
  const std::vector<SecretEntry> entries = {
      {"alice", SecretScheme::sealed, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 0},
      {"bob@example.test", SecretScheme::argon2id, std::string(hash), 0},
      {"c", SecretScheme::sealed, "x:y:z", 0},
  };
  std::string text = "# made by the test\n";
  for (const auto& e : entries) {
    std::string line = format_secret_entry(e);
    EXPECT_EQ(line.find('\n'), std::string::npos);
    text += line + "\n";
  }
  EXPECT_EQ(format_secret_entry(entries[0]), "alice\tsealed:" + entries[0].value);
  auto parsed = parse_secrets_file(text);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  ASSERT_EQ(parsed->size(), entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    EXPECT_EQ((*parsed)[i].login, entries[i].login);
    EXPECT_EQ((*parsed)[i].scheme, entries[i].scheme);
    EXPECT_EQ((*parsed)[i].value, entries[i].value);
    EXPECT_EQ((*parsed)[i].line, i + 2);
  }
}

TEST(SecretsFileFormat, LoginKeys) {
  EXPECT_EQ(*secret_login_key("Alice@Example.TEST"), "alice@example.test");
  EXPECT_FALSE(secret_login_key("").ok());
  EXPECT_FALSE(secret_login_key("al ice").ok());
  EXPECT_FALSE(secret_login_key("alice\t").ok());
  EXPECT_FALSE(secret_login_key("al\x7f").ok());
  EXPECT_FALSE(secret_login_key(std::string(max_secret_login + 1, 'a')).ok());
  EXPECT_TRUE(secret_login_key(std::string(max_secret_login, 'a')).ok());
  EXPECT_EQ(to_string(SecretScheme::sealed), "sealed");
  EXPECT_EQ(to_string(SecretScheme::argon2id), "argon2id");
}

}  // namespace
}  // namespace dirmail::auth
