// Fuzzes header_addresses (src/smtp/header_addresses.hpp), which tells the sender
// trust check who a From: value names. Byte 0 even: the rest is a From: value; the
// result is at most 100 trimmed lower-case addresses with an "@" that read back the
// same when written as "<a>, <b>, ...". Byte 0 odd: the rest describes an address list
// (mailboxes with quoted or atom display names, comments, groups) that is written out
// as RFC 5322 text; the function must find exactly the addresses written.
#include <string>
#include <vector>

#include "../../src/smtp/header_addresses.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace dirmail;
using Addresses = std::vector<std::string>;

bool lower_trimmed_with_at(const std::string& a) {
  if (a.find('@') == std::string::npos) return false;
  for (char c : a)
    if (c >= 'A' && c <= 'Z') return false;
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  return !space(a.front()) && !space(a.back());
}

void check_value(std::string_view value) {
  const Addresses got = smtp::header_addresses(value);
  FUZZ_CHECK(got.size() <= smtp::max_header_addresses);
  std::string again;
  bool plain = true;
  for (const auto& a : got) {
    FUZZ_CHECK(lower_trimmed_with_at(a));
    plain = plain && a.find('>') == std::string::npos;
    again += (again.empty() ? "<" : ", <") + a + ">";
  }
  if (plain) FUZZ_CHECK(smtp::header_addresses(again) == got);
}

// Reads the description, one byte at a time (0 when it runs out).
struct Reader {
  std::string_view in;
  bool done() const { return in.empty(); }
  unsigned byte() { return fuzz::take_byte(in); }
};

std::string pick(Reader& r, std::string_view alphabet, std::size_t max_len, std::size_t min_len = 1) {
  std::size_t len = min_len + r.byte() % (max_len - min_len + 1);
  std::string out;
  for (std::size_t i = 0; i < len; ++i) out += alphabet[r.byte() % alphabet.size()];
  return out;
}

constexpr std::string_view atext = "abcXYZ019!#$%&'*+-/=?^_`{|}~";
constexpr std::string_view dtext = "abcdeXYZ019-";
// What a quoted display name or a comment may hold: the specials of RFC 5322 too.
constexpr std::string_view risky = "aZ9 \t<>@,;:.[]\"\\()";

std::string address(Reader& r, std::string& written) {
  std::string local = pick(r, "abcXYZ019.+-_", 10);
  std::string domain = pick(r, dtext, 8) + "." + pick(r, "abcXYZ", 4);
  written = local + "@" + domain;
  std::string lower;
  for (char c : written) lower += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return lower;
}

std::string quoted(Reader& r) {
  std::string out = "\"";
  for (char c : pick(r, risky, 12, 0)) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string comment(Reader& r, int depth = 0) {
  std::string out = "(";
  for (char c : pick(r, risky, 12, 0)) {
    if (c == '(' && depth < 2) {
      out += comment(r, depth + 1);
      continue;
    }
    if (c == '(' || c == ')' || c == '\\') out += '\\';  // as a quoted-pair
    out += c;  // '"' and '<' too: plain characters in a comment
  }
  return out + ")";
}

std::string space(Reader& r) {
  switch (r.byte() % 4) {
    case 0: return "";
    case 1: return " ";
    case 2: return "\t";
    default: return "  ";
  }
}

// One mailbox in one of the RFC 5322 forms; its address goes to `want`.
std::string mailbox(Reader& r, Addresses& want) {
  std::string written;
  const unsigned form = r.byte();
  std::string out = space(r);
  switch (form % 5) {
    case 0:  // addr
      want.push_back(address(r, written));
      out += written;
      break;
    case 1:  // addr (comment)
      want.push_back(address(r, written));
      out += written + space(r) + comment(r);
      break;
    case 2:  // atoms <addr>
      out += pick(r, atext, 6) + " " + pick(r, atext, 6) + space(r);
      want.push_back(address(r, written));
      out += "<" + written + ">";
      break;
    case 3:  // "quoted" <addr> (comment)
      out += quoted(r) + space(r);
      want.push_back(address(r, written));
      out += "<" + written + ">" + space(r) + comment(r);
      break;
    default:  // (comment) name (comment) <addr>
      out += comment(r) + space(r) + pick(r, atext, 6) + space(r) + comment(r) + space(r);
      want.push_back(address(r, written));
      out += "<" + written + ">";
      break;
  }
  return out + space(r);
}

void check_generated(Reader r) {
  Addresses want;
  std::string value;
  while (!r.done()) {
    if (!value.empty()) value += ",";
    if (r.byte() % 4 == 0) {  // a group of 0..3 mailboxes
      value += space(r) + pick(r, atext, 8) + space(r) + ":";
      const unsigned members = r.byte() % 4;
      for (unsigned i = 0; i < members; ++i) value += (i ? "," : "") + mailbox(r, want);
      value += ";";
    } else {
      value += mailbox(r, want);
    }
  }
  if (want.size() > smtp::max_header_addresses) want.resize(smtp::max_header_addresses);
  FUZZ_CHECK(smtp::header_addresses(value) == want);
  check_value(value);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input = fuzz::as_view(data, size);
  const bool generated = (fuzz::take_byte(input) & 1) != 0;
  if (generated) check_generated(Reader{input});
  else check_value(input);
  return 0;
}
