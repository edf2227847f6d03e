// Fuzzes how the IMAP server writes strings (imap_string.hpp). Input: the string.
// append_string gives a quoted string when RFC 3501 allows one (short 7-bit text
// without CR, LF or NUL) and a literal otherwise; both read back to the input, with
// a strict reader and with the command parser (a client writes strings the same way).
// append_astring is bare only for a non-empty atom that is not NIL.
#include <array>
#include <string>

#include "dirmail/base/strings.hpp"
#include "dirmail/imap/command.hpp"
#include "dirmail/imap/imap_string.hpp"
#include "fuzz_check.hpp"
#include "imap_value_reader.hpp"

namespace {

using namespace dirmail;

constexpr std::size_t max_quoted = 1024;  // imap_string.cpp: longer text goes as a literal

// RFC 3501 ATOM-CHAR = any CHAR (%x01-7F) except atom-specials: ( ) { SP CTL % * " \ ].
bool rfc_atom_char(unsigned char u) {
  if (u <= 0x20 || u >= 0x7f) return false;
  return std::string_view("(){%*\"\\]").find(static_cast<char>(u)) == std::string_view::npos;
}

bool quotable(std::string_view s) {
  if (s.size() > max_quoted) return false;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u == 0 || c == '\r' || c == '\n' || u >= 0x80) return false;
  }
  return true;
}

void check_string(std::string_view s, const std::string& out) {
  if (quotable(s)) {
    FUZZ_CHECK(out.size() >= 2 && out.front() == '"' && out.back() == '"');
  } else {
    const std::string prefix = "{" + std::to_string(s.size()) + "}\r\n";
    FUZZ_CHECK(out.size() == prefix.size() + s.size());
    FUZZ_CHECK(out.compare(0, prefix.size(), prefix) == 0);
  }
  auto back = fuzz::read_imap_value(out);
  FUZZ_CHECK(back && back->is_string() && back->text == s);
}

// The command parser reads `s` back from every form the server writes.
void check_parse_back(std::string_view s) {
  std::string astring, string, nstring;
  imap::append_astring(astring, s);
  imap::append_string(string, s);
  imap::append_nstring(nstring, std::string(s));

  auto login = imap::parse_imap_command("a1 LOGIN " + astring + " " + string);
  FUZZ_CHECK(login && login->name == imap::CommandName::login);
  FUZZ_CHECK(login->args.size() == 2 && login->args[0] == s && login->args[1] == s);

  auto list = imap::parse_imap_command("a2 LIST " + string + " " + string);
  FUZZ_CHECK(list && list->args.size() == 2 && list->args[0] == s && list->args[1] == s);

  auto id = imap::parse_imap_command("a3 ID (" + string + " " + nstring + ")");
  FUZZ_CHECK(id && id->args.size() == 2 && id->args[0] == s && id->args[1] == s);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view s = fuzz::as_view(data, size);

  bool atom = !s.empty();
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    FUZZ_CHECK(imap::is_atom_char(c) == rfc_atom_char(u));
    atom = atom && rfc_atom_char(u);
  }

  std::string string;
  imap::append_string(string, s);
  check_string(s, string);

  std::string astring;
  imap::append_astring(astring, s);
  if (atom && !iequals(s, "NIL")) {
    FUZZ_CHECK(astring == s);
  } else {
    FUZZ_CHECK(astring == string);  // NIL bare would read back as no string at all
  }

  std::string nstring = "prefix ";
  imap::append_nstring(nstring, std::string(s));
  FUZZ_CHECK(nstring == "prefix " + string);  // appends, never replaces
  std::string nil;
  imap::append_nstring(nil, std::nullopt);
  FUZZ_CHECK(nil == "NIL");

  // The parser refuses NUL in strings (IMAP4rev1 has no way to send it).
  if (s.find('\0') == std::string_view::npos) check_parse_back(s);
  return 0;
}
