// Fuzzes the secrets file parser (auth/secrets_file_format.hpp), the text of
// auth.secrets_file. For a file that parses:
//   - every entry is well formed: a lower-case login key, a value without blanks,
//     an argon2id value that starts with "$argon2id$", unique logins, line numbers
//     that rise and point at a line that parses alone to the same entry;
//   - every entry formats to one line that parses back to the same entry, and the
//     formatted file parses back to the same entries.
// For a file that does not: the error is invalid_argument or limit_exceeded and starts
// with "line N:", N is a line of the file, the lines before it parse, and the lines up
// to it fail the same way.
// Either way CRLF line ends give the same answer as LF (lines kept under the limit).
#include <string>
#include <vector>

#include "dirmail/auth/secrets_file_format.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace dirmail;
using auth::SecretEntry;

bool same(const SecretEntry& a, const SecretEntry& b) {
  return a.login == b.login && a.scheme == b.scheme && a.value == b.value;
}

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) lines.push_back(fuzz::take_field(text, '\n'));
  return lines;
}

// Lines first..last (1-based, inclusive) of the file, each with its newline.
std::string line_range(const std::vector<std::string_view>& lines, std::size_t first, std::size_t last) {
  std::string out;
  for (std::size_t i = first; i <= last && i <= lines.size(); ++i) {
    out += lines[i - 1];
    out += '\n';
  }
  return out;
}

void check_entries(const std::vector<SecretEntry>& entries, const std::vector<std::string_view>& lines) {
  std::size_t previous_line = 0;
  std::string formatted_file;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const SecretEntry& e = entries[i];
    auto key = auth::secret_login_key(e.login);
    FUZZ_CHECK(key.ok() && *key == e.login);
    FUZZ_CHECK(!e.value.empty());
    FUZZ_CHECK(e.value.find_first_of(" \t\n") == std::string::npos);
    if (e.scheme == auth::SecretScheme::argon2id) FUZZ_CHECK(e.value.starts_with("$argon2id$"));
    FUZZ_CHECK(e.line > previous_line && e.line <= lines.size());
    previous_line = e.line;
    for (std::size_t j = 0; j < i; ++j) FUZZ_CHECK(entries[j].login != e.login);

    // The entry's own line, alone, is the same entry.
    auto alone = auth::parse_secrets_file(lines[e.line - 1]);
    FUZZ_CHECK(alone.ok() && alone->size() == 1 && same((*alone)[0], e) && (*alone)[0].line == 1);

    // Formatted, it is one line that parses back to the same entry.
    const std::string line = auth::format_secret_entry(e);
    FUZZ_CHECK(line.find('\n') == std::string::npos);
    auto back = auth::parse_secrets_file(line);
    FUZZ_CHECK(back.ok() && back->size() == 1 && same((*back)[0], e));
    formatted_file += line + "\n";
  }
  auto whole = auth::parse_secrets_file(formatted_file);
  FUZZ_CHECK(whole.ok() && whole->size() == entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    FUZZ_CHECK(same((*whole)[i], entries[i]));
    FUZZ_CHECK((*whole)[i].line == i + 1);
  }
}

// "line N: ..." -> N; 0 when the message does not start that way.
std::size_t error_line(const std::string& message) {
  if (!message.starts_with("line ")) return 0;
  std::size_t n = 0, i = 5;
  for (; i < message.size() && message[i] >= '0' && message[i] <= '9' && i < 15; ++i) n = n * 10 + (message[i] - '0');
  return i > 5 && i < message.size() && message[i] == ':' ? n : 0;
}

void check_error(const Error& error, std::string_view text, const std::vector<std::string_view>& lines) {
  FUZZ_CHECK(error.code == ErrorCode::invalid_argument || error.code == ErrorCode::limit_exceeded);
  if (text.size() > auth::max_secrets_file_size) return;  // the whole file: no line to name
  const std::size_t n = error_line(error.message);
  FUZZ_CHECK(n >= 1 && n <= lines.size());
  FUZZ_CHECK(auth::parse_secrets_file(line_range(lines, 1, n - 1)).ok());
  auto up_to = auth::parse_secrets_file(line_range(lines, 1, n));
  FUZZ_CHECK(!up_to.ok() && up_to.error().code == error.code && up_to.error().message == error.message);
}

std::string with_crlf(const std::vector<std::string_view>& lines) {
  std::string out;
  for (auto line : lines) {
    out += line;
    out += "\r\n";
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = fuzz::as_view(data, size);
  const std::vector<std::string_view> lines = lines_of(text);
  auto parsed = auth::parse_secrets_file(text);
  if (parsed) check_entries(*parsed, lines);
  else check_error(parsed.error(), text, lines);

  bool short_lines = true;
  for (auto line : lines) short_lines = short_lines && line.size() < auth::max_secrets_line;
  if (short_lines) {
    auto crlf = auth::parse_secrets_file(with_crlf(lines));
    FUZZ_CHECK(crlf.ok() == parsed.ok());
    if (parsed) {
      FUZZ_CHECK(crlf->size() == parsed->size());
      for (std::size_t i = 0; i < parsed->size(); ++i)
        FUZZ_CHECK(same((*crlf)[i], (*parsed)[i]) && (*crlf)[i].line == (*parsed)[i].line);
    } else {
      FUZZ_CHECK(crlf.error().message == parsed.error().message);
    }
  }
  return 0;
}
